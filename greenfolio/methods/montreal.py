"""Montreal Protocol: tonnes ↔ ODP tonnes ↔ tonnes CO2-eq, and allowed consumption.

ODP tonnes = metric tonnes × ODP (Art. 3 calculated levels; for a blend, the sum over its
components of mass fraction × ODP). CO2-eq tonnes = metric tonnes × GWP, by default the
AR4 100-year values the Kigali Amendment wrote into the Protocol; AR5 or AR6 values, or
the Multilateral Fund's convention for blends, on request. Substances and blends are
resolved in ``montreal_agents``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from greenfolio.methods.base import MethodError, Outcome, Quantity
from greenfolio.methods.montreal_agents import (
    Agent,
    Component,
    CompositionSource,
    GwpBasis,
    resolve,
)
from greenfolio.refdata import montreal_tables as ref

__all__ = [
    "Agent",
    "ComplianceInputs",
    "Component",
    "CompositionSource",
    "ConvertInputs",
    "GwpBasis",
    "LimitInputs",
    "Measure",
    "compliance",
    "convert",
    "limits",
    "resolve",
]


class Measure(StrEnum):
    METRIC = "t"
    ODP = "odp"
    CO2E = "co2e"


UNIT_OF = {Measure.METRIC: "t", Measure.ODP: "ODP_tonne", Measure.CO2E: "tCO2e"}


def factor(agent: Agent, measure: Measure, basis: GwpBasis) -> tuple[float, list[str]]:
    """Multiplier from metric tonnes to ``measure``."""
    if measure is Measure.METRIC:
        return 1.0, []
    if measure is Measure.ODP:
        return agent.odp(), []
    return agent.gwp(basis)


class ConvertInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    quantity: float = Field(ge=0)
    measure: Measure = Measure.METRIC
    substance: str
    composition: dict[str, float] | None = None
    composition_source: CompositionSource = CompositionSource.ASHRAE
    to: Measure
    gwp: GwpBasis = GwpBasis.AR4


PUBLISHED_BASIS = {"mlf": GwpBasis.MLF, "ozone": GwpBasis.AR4}
"""The basis each system's published CO2-eq follows (checked when the tables are built)."""
SYSTEM_LABEL = {"mlf": "MLF reporting system", "ozone": "Ozone Secretariat reporting system"}


def _gwp_sources(agent: Agent, basis: GwpBasis) -> list[str]:
    """Every source the components' GWPs were read from in ``basis``."""
    found: set[str | None] = set()
    for c in agent.components:
        if basis in (GwpBasis.AR4, GwpBasis.MLF):
            if c.substance is not None and c.substance.gwp_protocol is not None:
                found.add(ref.PROTOCOL_GWPS)
        elif (gwp := ref.ipcc_lookup(c.name, basis.value)) is not None:
            found.add(gwp.source)
    return sorted(s for s in found if s is not None)


def _differs(published: float | None, here: float | None, least: float) -> bool:
    """Whether a published value is more than its rounding away from this composition's."""
    if published is None or here is None:
        return False
    return abs(published - here) > max(least, 5e-4 * abs(published))


def _published(agent: Agent) -> list[dict[str, object]]:
    """What each reporting system publishes for the blend, and, where this composition
    gives another value under that system's basis (R-407H: 1,275.75 published by the
    Ozone Secretariat, 1,495.125 from ASHRAE's shares), that value beside it."""
    if agent.table is None:
        return []
    out: list[dict[str, object]] = []
    odp = agent.odp()
    for p in ref.published(agent.name):
        basis = PUBLISHED_BASIS[p.system]
        co2e = agent.gwp_if_any(basis)[0]
        row: dict[str, object] = {
            "system": p.system,
            "odp": p.odp,
            "co2e": p.co2e,
            "co2e_basis": basis.value,
            "source": p.source,
        }
        if _differs(p.odp, odp, 1e-6):
            row["odp_here"] = round(odp, 12)
        if _differs(p.co2e, co2e, 0.01) and co2e is not None:
            row["co2e_here"] = round(co2e, 9)
        out.append(row)
    return out


def _written(value: object) -> str:
    """A published or computed value with every decimal it has (up to six), not rounded
    to six significant figures: 1495.125, not 1495.12."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _published_text(published: list[dict[str, object]]) -> str:
    parts = []
    for p in published:
        if not (isinstance(p["odp"], float) and isinstance(p["co2e"], float)):
            continue
        here = [
            f"{what} {_written(p[key])}"
            for what, key in (("ODP", "odp_here"), ("CO2-eq", "co2e_here"))
            if isinstance(p.get(key), float)
        ]
        gives = f"; this composition gives {', '.join(here)}" if here else ""
        parts.append(
            f"{SYSTEM_LABEL[str(p['system'])]}: ODP {_written(p['odp'])}, "
            f"CO2-eq {_written(p['co2e'])} (--gwp {p['co2e_basis']}{gives})"
        )
    return "; ".join(parts)


def convert(inputs: ConvertInputs) -> Outcome:
    """Express a quantity of a substance or blend in another measure."""
    agent = resolve(inputs.substance, inputs.composition, inputs.composition_source)
    from_factor, _ = factor(agent, inputs.measure, inputs.gwp)
    to_factor, _ = factor(agent, inputs.to, inputs.gwp)
    if from_factor == 0:
        raise MethodError(
            f"{agent.name} has a zero {inputs.measure.value} factor: its quantity cannot be "
            "converted back to metric tonnes"
        )
    value = inputs.quantity / from_factor * to_factor
    gwp, without = agent.gwp_if_any(inputs.gwp)
    return Outcome(
        {"value": Quantity(value, UNIT_OF[inputs.to])},
        {
            "substance": agent.name,
            "odp": round(agent.odp(), 12),
            **({"gwp": round(gwp, 9)} if gwp is not None else {}),
            "gwp_basis": inputs.gwp.value,
            "components": [
                {
                    "name": c.name,
                    "fraction": c.fraction,
                    "controlled": c.substance is not None,
                    "source": c.source,
                }
                for c in agent.components
            ],
            "components_without_gwp": without if agent.is_blend else [],
            **({"components_not_counted": left} if (left := agent.not_counted(inputs.gwp)) else {}),
            "sources": [*agent.sources, *_gwp_sources(agent, inputs.gwp)],
            **({"composition_table": agent.table} if agent.table else {}),
            **({"composition_note": agent.note} if agent.note else {}),
            **({"published": pub} if (pub := _published(agent)) else {}),
            **({"published_per_tonne": _published_text(pub)} if pub else {}),
        },
    )


class LimitInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    party: str
    group: str
    year: int = Field(ge=1987, le=2100)
    baseline: float | None = Field(default=None, ge=0)
    limit: str = "consumption"


def party_type(party: str, year: int) -> str:
    record = ref.parties().get(party.upper())
    if record is None:
        raise MethodError(f"{party!r} is not in the list of parties (ISO 3166-1 alpha-3)")
    if year < 2019:
        return "A5" if record.article5 else "NA5"
    return record.kigali_group


def step_in_force(group: str, ptype: str, limit: str, year: int) -> ref.ControlStep | None:
    """The control step in force during ``year``: the latest one started by its end."""
    generic = ptype[:-2] if ptype.endswith(("G1", "G2")) else ptype
    end = date(year, 12, 31)
    candidates = [
        s
        for s in ref.control_steps()
        if s.group == group
        and s.limit == limit
        and s.start <= end
        and (s.party_type == ptype or (s.party_type == generic and s.start.year < 2019))
    ]
    return max(candidates, key=lambda s: s.start, default=None)


def _groups() -> list[str]:
    return sorted({s.group for s in ref.control_steps()})


def limits(inputs: LimitInputs) -> Outcome:
    """Allowed consumption (or production) of a party in a year, from its baseline."""
    group = inputs.group.upper()
    if group not in _groups():
        raise MethodError(f"unknown group {inputs.group!r}: choose one of {', '.join(_groups())}")
    if inputs.limit not in ("consumption", "production"):
        raise MethodError("limit must be 'consumption' or 'production'")
    ptype = party_type(inputs.party, inputs.year)
    baseline, baseline_source = inputs.baseline, "given by the user"
    if baseline is None:
        known = ref.hcfc_baselines().get(inputs.party.upper()) if group == "C/I" else None
        if known is None:
            raise MethodError(
                f"no packaged {group} baseline for {inputs.party}: give it with --baseline"
            )
        baseline, baseline_source = known.odp_tonnes, known.source
    step = step_in_force(group, ptype, inputs.limit, inputs.year)
    unit = "tCO2e" if group == "F" else "ODP_tonne"
    details = {
        "party": inputs.party.upper(),
        "party_type": ptype,
        "group": group,
        "baseline": baseline,
        "baseline_source": baseline_source,
    }
    if step is None:
        return Outcome({}, {**details, "control": "no control measure in force"})
    allowed = baseline * step.fraction
    return Outcome(
        {"allowed": Quantity(allowed, unit)},
        {
            **details,
            "fraction_of_baseline": step.fraction,
            "step_start": step.start.isoformat(),
            "source": step.source,
        },
    )


class ComplianceInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    party: str
    group: str
    baseline: float = Field(ge=0)
    series: dict[int, float]
    limit: str = "consumption"


def compliance(inputs: ComplianceInputs) -> Outcome:
    """Compare a consumption series with the limits in force each year."""
    years = []
    excess_total = 0.0
    for year in sorted(inputs.series):
        used = inputs.series[year]
        out = limits(
            LimitInputs(
                party=inputs.party,
                group=inputs.group,
                year=year,
                baseline=inputs.baseline,
                limit=inputs.limit,
            )
        )
        allowed = out.quantities.get("allowed")
        excess = max(0.0, used - allowed.value) if allowed else 0.0
        excess_total += excess
        years.append(
            {
                "year": year,
                "consumption": used,
                "allowed": allowed.value if allowed else None,
                "compliant": excess <= 1e-9,
                "excess": excess,
            }
        )
    unit = "tCO2e" if inputs.group.upper() == "F" else "ODP_tonne"
    return Outcome(
        {"excess": Quantity(excess_total, unit)},
        {"years": years, "compliant": all(y["compliant"] for y in years)},
    )
