"""Montreal Protocol: tonnes ↔ ODP tonnes ↔ tonnes CO2-eq, and allowed consumption.

ODP tonnes = metric tonnes × ODP (Art. 3 calculated levels; for a blend, the sum over its
components of mass fraction × ODP). CO2-eq tonnes = metric tonnes × GWP, by default the
AR4 100-year values the Kigali Amendment wrote into the Protocol; AR5 or AR6 values, or
the Multilateral Fund's convention for HCFC-containing blends, on request.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from greenfolio.methods.base import MethodError, Outcome, Quantity
from greenfolio.refdata import montreal_tables as ref


class GwpBasis(StrEnum):
    AR4 = "ar4"
    """AR4 100-year GWPs as written into the Protocol (Kigali Amendment, Annexes C and F)."""
    AR5 = "ar5"
    AR6 = "ar6"
    MLF = "mlf"
    """Multilateral Fund data convention: an HCFC-containing blend counts only its HFC share."""


class Measure(StrEnum):
    METRIC = "t"
    ODP = "odp"
    CO2E = "co2e"


UNIT_OF = {Measure.METRIC: "t", Measure.ODP: "ODP_tonne", Measure.CO2E: "tCO2e"}

MLF_FULL_SUM_BLENDS = frozenset({"R502"})
"""Blends whose MLF 'gwp' is the full sum although they contain an HCFC (ORS blends.json)."""


@dataclass(frozen=True)
class Component:
    name: str
    fraction: float
    substance: ref.Substance | None


@dataclass(frozen=True)
class Agent:
    """A substance or a blend, resolved against the reference tables."""

    name: str
    components: tuple[Component, ...]
    is_blend: bool
    sources: tuple[str, ...] = field(default=())

    def odp(self) -> float:
        return sum(c.fraction * (c.substance.odp if c.substance else 0.0) for c in self.components)

    def _mlf_counts_hfc_share_only(self) -> bool:
        has_hcfc = any(c.substance and c.substance.group == "C/I" for c in self.components)
        return self.is_blend and has_hcfc and ref.key(self.name) not in MLF_FULL_SUM_BLENDS

    def gwp(self, basis: GwpBasis) -> tuple[float, list[str]]:
        """The GWP and the components that carry none in that basis (counted as zero)."""
        missing: list[str] = []
        counted = self.components
        if basis is GwpBasis.MLF and self._mlf_counts_hfc_share_only():
            counted = tuple(c for c in self.components if c.substance and c.substance.annex == "F")
        total = 0.0
        for comp in counted:
            value = _component_gwp(comp, basis)
            if value is None:
                missing.append(comp.name)
            else:
                total += comp.fraction * value
        if not self.is_blend and missing:
            raise MethodError(
                f"{self.name} has no {basis.value.upper()} GWP in the reference data; "
                "choose another basis (--gwp ar4|ar5|ar6)"
            )
        return total, missing


def _component_gwp(comp: Component, basis: GwpBasis) -> float | None:
    if basis in (GwpBasis.AR4, GwpBasis.MLF):
        if comp.substance is None:
            return 0.0  # not a controlled substance: no CO2-eq under the Protocol
        return comp.substance.gwp_protocol
    return ref.ipcc_gwp(comp.name, basis.value)


def _suggest(name: str) -> str:
    names = [s.name for s in ref.substances().values()] + ref.blend_names()
    near = difflib.get_close_matches(name.upper(), [n.upper() for n in names], n=3, cutoff=0.5)
    by_upper = {n.upper(): n for n in names}
    return ", ".join(by_upper[n] for n in near)


def resolve(name: str, composition: dict[str, float] | None = None) -> Agent:
    """A controlled substance, a packaged blend, or a blend of the given composition (%)."""
    subs = ref.substances()
    if composition:
        total = sum(composition.values())
        if abs(total - 100.0) > 1e-6:
            raise MethodError(
                f"the composition of {name} sums to {total:g} %, not 100 %: correct the shares"
            )
        comps = tuple(
            Component(part, pct / 100.0, subs.get(ref.key(part)))
            for part, pct in composition.items()
        )
        return Agent(name, comps, True, ("composition given by the user",))
    k = ref.key(name)
    if k in subs:
        sub = subs[k]
        return Agent(sub.name, (Component(sub.name, 1.0, sub),), False, (sub.source,))
    blend = ref.blends().get(k) or ref.blends().get("R" + k)
    if blend is not None:
        total = sum(p.mass_pct for p in blend)
        if abs(total - 100.0) > 1e-6:
            raise MethodError(f"packaged blend {name} sums to {total:g} %, not 100 %")
        comps = tuple(
            Component(p.component, p.mass_pct / 100.0, subs.get(ref.key(p.component)))
            for p in blend
        )
        return Agent(name.upper(), comps, True, ("blends.csv (openscm-units 0.6.3)",))
    hint = _suggest(name)
    raise MethodError(
        f"unknown substance or blend {name!r}" + (f"; did you mean {hint}?" if hint else "")
    )


def factor(agent: Agent, measure: Measure, basis: GwpBasis) -> tuple[float, list[str]]:
    """Multiplier from metric tonnes to ``measure``."""
    if measure is Measure.METRIC:
        return 1.0, []
    if measure is Measure.ODP:
        return agent.odp(), []
    return agent.gwp(basis)


class ConvertInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: float = Field(ge=0)
    measure: Measure = Measure.METRIC
    substance: str
    composition: dict[str, float] | None = None
    to: Measure
    gwp: GwpBasis = GwpBasis.AR4


def convert(inputs: ConvertInputs) -> Outcome:
    """Express a quantity of a substance or blend in another measure."""
    agent = resolve(inputs.substance, inputs.composition)
    from_factor, _ = factor(agent, inputs.measure, inputs.gwp)
    to_factor, missing = factor(agent, inputs.to, inputs.gwp)
    if from_factor == 0:
        raise MethodError(
            f"{agent.name} has a zero {inputs.measure.value} factor: its quantity cannot be "
            "converted back to metric tonnes"
        )
    value = inputs.quantity / from_factor * to_factor
    return Outcome(
        {"value": Quantity(value, UNIT_OF[inputs.to])},
        {
            "substance": agent.name,
            "odp": agent.odp(),
            "gwp": agent.gwp(inputs.gwp)[0],
            "gwp_basis": inputs.gwp.value,
            "components": [
                {"name": c.name, "fraction": c.fraction, "controlled": c.substance is not None}
                for c in agent.components
            ],
            "components_without_gwp": missing,
            "sources": list(agent.sources),
        },
    )


class LimitInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")
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
    model_config = ConfigDict(extra="forbid")
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
