"""Substances and blends resolved against the Montreal reference tables, and their GWPs.

A name resolves to a controlled substance, a packaged blend (ASHRAE 34 or the MLF's
reporting system, with trade names), or a blend of a composition the user gives. Components
outside the Protocol's annexes count zero ODP and zero Protocol CO2-eq, and carry an IPCC
GWP for AR5/AR6 where ``globalwarmingpotentials`` or, for AR6, the report's own table
(``refdata/montreal/ipcc_ar6_more.csv``) has one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import StrEnum

from greenfolio.methods.base import MethodError
from greenfolio.refdata import montreal_tables as ref


class GwpBasis(StrEnum):
    AR4 = "ar4"
    """AR4 100-year GWPs as written into the Protocol (Kigali Amendment, Annexes C and F)."""
    AR5 = "ar5"
    AR6 = "ar6"
    MLF = "mlf"
    """Multilateral Fund data convention: a blend counts only its HFC share, unless it is made
    of controlled ozone-depleting substances alone (then all of them count)."""


class CompositionSource(StrEnum):
    """Which published table gives a blend's composition when both list it."""

    ASHRAE = "ashrae"
    """ASHRAE 34 designation (via openscm-units); the MLF's table for blends it lacks."""
    MLF = "mlf"
    """The MLF Secretariat's reporting system; the ASHRAE table for blends it lacks."""


TABLE_LABEL = {"ashrae": "ASHRAE 34", "mlf": "the MLF's reporting system"}


@dataclass(frozen=True)
class Component:
    name: str
    fraction: float
    substance: ref.Substance | None
    other: ref.OtherSubstance | None = None

    @property
    def source(self) -> str:
        if self.substance is not None:
            return self.substance.source
        if self.other is not None:
            return self.other.source
        return "not in the reference tables: counted as not controlled"


@dataclass(frozen=True)
class Agent:
    """A substance or a blend, resolved against the reference tables."""

    name: str
    components: tuple[Component, ...]
    is_blend: bool
    sources: tuple[str, ...] = field(default=())
    table: str | None = None
    note: str | None = None

    def odp(self) -> float:
        return sum(c.fraction * (c.substance.odp if c.substance else 0.0) for c in self.components)

    def _mlf_counts_hfc_share_only(self) -> bool:
        """The MLF's convention, as every CO2-eq its blend table publishes follows it: a blend
        counts its HFC share only, unless all its components are controlled ODS."""
        only_ods = all(
            c.substance is not None and c.substance.annex != "F" for c in self.components
        )
        return self.is_blend and not only_ods

    def gwp(self, basis: GwpBasis) -> tuple[float, list[str]]:
        """The GWP and the components that carry none in that basis (counted as zero); a
        single substance with none is refused, naming the bases that have one."""
        total, missing = self.gwp_if_any(basis)
        if total is None:
            raise MethodError(self._no_gwp(basis))
        return total, missing

    def gwp_if_any(self, basis: GwpBasis) -> tuple[float | None, list[str]]:
        """As ``gwp``, with None for a single substance that has no GWP in ``basis`` (an
        ODP conversion needs none: methyl bromide has an ODP and no Protocol GWP)."""
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
            return None, missing
        return total, missing

    def not_counted(self, basis: GwpBasis) -> list[str]:
        """The components the basis's convention leaves out of the CO2-eq: under the MLF's,
        all but the HFCs of a blend not made of ozone-depleting substances alone."""
        if basis is not GwpBasis.MLF or not self._mlf_counts_hfc_share_only():
            return []
        return [c.name for c in self.components if not (c.substance and c.substance.annex == "F")]

    def _no_gwp(self, basis: GwpBasis) -> str:
        others = [
            b.value
            for b in (GwpBasis.AR5, GwpBasis.AR6)
            if b is not basis and self.gwp_if_any(b)[0] is not None
        ]
        if basis in (GwpBasis.AR4, GwpBasis.MLF):
            why = (
                "is not controlled under the Montreal Protocol"
                if self.components[0].substance is None
                else "is controlled, but the Protocol lists no GWP for it (it lists GWPs "
                "only for substances of Annex A group I, Annex C group I and Annex F)"
            )
            said = f"{self.name} {why}, so it has no CO2-equivalent under the Protocol"
        else:
            said = f"{self.name} has no IPCC {basis.value.upper()} GWP in the reference data"
        if not others:
            return f"{said}; no other basis in the reference data gives it one"
        return f"{said}; for an IPCC value choose --gwp {' or '.join(others)}"


def _component_gwp(comp: Component, basis: GwpBasis) -> float | None:
    """The component's GWP in ``basis``; None where it has none there (under the Protocol's
    values, AR4 and MLF, a substance the Protocol does not control has none: it counts
    zero and is named as such)."""
    if basis in (GwpBasis.AR4, GwpBasis.MLF):
        if comp.substance is None:
            return None
        return comp.substance.gwp_protocol
    return ref.ipcc_gwp(comp.name, basis.value)


def _suggest(name: str, names: list[str]) -> str:
    by_key: dict[str, str] = {}
    for n in names:
        by_key.setdefault(ref.key(n), n)
    near = difflib.get_close_matches(ref.key(name), list(by_key), n=3, cutoff=0.6)
    return ", ".join(by_key[n] for n in near)


def _known_names() -> list[str]:
    return (
        [s.name for s in ref.substances().values()]
        + ref.blend_names()
        + ref.alias_names()
        + [m.name for m in ref.other_mixtures().values()]
    )


REFRIGERANT_PREFIXES = ("CFC", "HCFC", "HFC", "HC", "HFO", "HCFO", "PFC", "HO")
"""ASHRAE 34 writes R-32 for HFC-32, R-22 for HCFC-22, R-1234yf for HFO-1234yf."""


def _by_key(k: str) -> Component | None:
    sub = ref.substances().get(k) or ref.substance_by_formula().get(k)
    if sub is not None:
        return Component(sub.name, 0.0, sub)
    other = ref.other_substances().get(k)
    if other is not None:
        return Component(other.name, 0.0, None, other)
    return None


def _component(name: str) -> Component | None:
    """A component of a blend by any of its names, or None when the tables do not know it."""
    k = ref.key(name)
    found = _by_key(k)
    if found is None and k.startswith("R") and k[1:2].isdigit():
        matches = {c.name: c for p in REFRIGERANT_PREFIXES if (c := _by_key(p + k[1:]))}
        found = next(iter(matches.values())) if len(matches) == 1 else None
    return found


_MUST_HOLD = {"hfc": "an HFC", "ods": "an ozone-depleting substance"}
"""What an "other mixture" entry of one kind must hold, as a refusal says it."""


def _check_other_mixture(name: str, comps: tuple[Component, ...]) -> None:
    """An MLF "other mixture" entry of one kind holds that kind and not the other: the
    composition's offending components are named."""
    entry = ref.other_mixtures().get(ref.key(name))
    if entry is None or entry.may_contain == "any":
        return
    by_kind = {
        "hfc": [c.name for c in comps if c.substance and c.substance.annex == "F"],
        "ods": [c.name for c in comps if c.substance and c.substance.annex != "F"],
    }
    own = entry.may_contain
    other = "ods" if own == "hfc" else "hfc"
    either = (
        "correct the composition or report it as 'Other mixture (ODS or HFC or both or neither)'"
    )
    if by_kind[other]:
        words = "ozone-depleting substance" if other == "ods" else "HFC"
        raise MethodError(
            f"{entry.name} may hold no {words}, and this composition holds "
            f"{', '.join(by_kind[other])}: {either}"
        )
    if not by_kind[own]:
        raise MethodError(
            f"{entry.name} must hold {_MUST_HOLD[own]}, and this composition holds none: {either}"
        )


def _user_blend(name: str, composition: dict[str, float]) -> Agent:
    total = sum(composition.values())
    if abs(total - 100.0) > 1e-6:
        raise MethodError(
            f"the composition of {name} sums to {total:g} %, not 100 %: correct the shares"
        )
    comps: list[Component] = []
    for part, pct in composition.items():
        if pct < 0:
            raise MethodError(f"the share of {part} in {name} is negative: give mass % from 0")
        found = _component(part)
        if found is None:
            known = [s.name for s in ref.substances().values()] + [
                o.name for o in ref.other_substances().values()
            ]
            hint = _suggest(part, known)
            raise MethodError(
                f"unknown component {part!r} in the composition of {name}"
                + (f" (did you mean {hint}?)" if hint else "")
                + ": name a controlled substance (e.g. HFC-32) or a listed non-controlled one "
                "(e.g. HFO-1234yf, R-744, HC-290)"
            )
        if any(c.name == found.name for c in comps):
            raise MethodError(
                f"{found.name} appears twice in the composition of {name}: give it once"
            )
        comps.append(Component(found.name, pct / 100.0, found.substance, found.other))
    _check_other_mixture(name, tuple(comps))
    return Agent(name, tuple(comps), True, ("composition given by the user",))


def _find_blend(name: str) -> ref.Blend | None:
    blends = ref.blends()
    k = ref.blend_key(name)
    found = blends.get(k) or blends.get("R" + k)
    if found is not None:
        return found
    targets = ref.blend_aliases().get(ref.key(name), ())
    if len(targets) > 1:
        raise MethodError(
            f"{name!r} is a trade name of several blends ({', '.join(targets)}): name one of them"
        )
    return blends.get(ref.blend_key(targets[0])) if targets else None


def _describe(comp: ref.Composition) -> str:
    return ", ".join(f"{p.component} {p.mass_pct:g} %" for p in comp.parts)


def _packaged_blend(blend: ref.Blend, source: CompositionSource) -> Agent:
    order = [source.value] + [t.value for t in CompositionSource if t is not source]
    chosen = next(c for t in order if (c := blend.composition(t)) is not None)
    total = sum(p.mass_pct for p in chosen.parts)
    if abs(total - 100.0) > 1e-6:
        raise MethodError(f"packaged blend {blend.name} sums to {total:g} %, not 100 %")
    comps: list[Component] = []
    for p in chosen.parts:
        found = _component(p.component) or Component(p.component, 0.0, None)
        comps.append(Component(found.name, p.mass_pct / 100.0, found.substance, found.other))
    note = None
    for other in blend.compositions:
        if other.table != chosen.table and _differs(other, chosen):
            note = (
                f"composition from {TABLE_LABEL[chosen.table]}: {_describe(chosen)}; "
                f"{TABLE_LABEL[other.table]} gives {_describe(other)} "
                f"(choose it with --composition-source {other.table})"
            )
    return Agent(blend.name, tuple(comps), True, (chosen.source,), chosen.table, note)


def _differs(a: ref.Composition, b: ref.Composition) -> bool:
    shares = {ref.key(p.component): p.mass_pct for p in a.parts}
    return shares != {ref.key(p.component): p.mass_pct for p in b.parts}


def _listed_name(name: str) -> str | None:
    """The name under which the tables list ``name`` as a substance or a packaged blend."""
    blend = _find_blend(name)
    if blend is not None:
        return blend.name
    found = _component(name)
    return found.substance.name if found is not None and found.substance is not None else None


def resolve(
    name: str,
    composition: dict[str, float] | None = None,
    source: CompositionSource = CompositionSource.ASHRAE,
) -> Agent:
    """A controlled substance, a packaged blend, or a blend of the given composition (%)."""
    subs = ref.substances()
    k = ref.key(name)
    if composition:
        listed = _listed_name(name)
        if listed is not None:
            raise MethodError(
                f"{listed} is listed with its own composition, which --composition would "
                "replace: leave --composition out to use the published one, or give your "
                "mixture a name of its own (or 'Other mixture (HFC only)', 'Other mixture "
                "(ODS only)', 'Other mixture (ODS or HFC or both or neither)')"
            )
        return _user_blend(name, composition)
    if k in subs:
        sub = subs[k]
        return Agent(sub.name, (Component(sub.name, 1.0, sub),), False, (sub.source,))
    blend = _find_blend(name)
    if blend is not None:
        return _packaged_blend(blend, source)
    other = _component(name)
    if other is not None and other.substance is not None:
        # a controlled substance by its ASHRAE number ("R-22" is HCFC-22)
        sub = other.substance
        return Agent(sub.name, (Component(sub.name, 1.0, sub),), False, (sub.source,))
    if other is not None and other.substance is None:
        # a listed non-controlled substance (HFO-1234yf, R-744): no ODP, no CO2-eq under
        # the Protocol, its IPCC GWP where the tables hold one (a newcomer was told it
        # was unknown, though a composition takes it)
        assert other.other is not None
        return Agent(other.name, (Component(other.name, 1.0, None, other.other),), False,
                     (other.other.source,))  # fmt: skip
    mixture = ref.other_mixtures().get(k)
    if mixture is not None:
        raise MethodError(
            f"{mixture.name} has no composition of its own: give it as mass %, e.g. "
            "--composition 'HFC-32=50,HFC-125=50' (the shares must sum to 100)"
        )
    hint = _suggest(name, _known_names())
    raise MethodError(
        f"unknown substance or blend {name!r}" + (f"; did you mean {hint}?" if hint else "")
    )
