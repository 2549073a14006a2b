"""A method run's record as a reader reads it: its inputs, outputs and details as labelled
rows, each name and unit in the reader's language and each number written as the
language writes it, never the stored record's JSON, field names or codes.

The record stays as the run stored it (``method_run.inputs`` / ``outputs``); the words
come from the message catalogues under the groups of ``run_words.GROUPS`` (``run_input_…``,
``run_output_…`` …), which a test checks against every method's input model and outputs.
Texts the reference data gives in English (the title of a table, an annex, a database)
are shown as they are, marked as English; texts a user typed (the source of a factor) as
typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from markupsafe import Markup

from greenfolio.interfaces.http.labels import Sentences
from greenfolio.interfaces.http.run_words import (
    COMPOSITION_BY_USER,
    GIVEN_BY_USER,
    HIDDEN_DETAILS,
    NO_CONTROL,
    OPTIONAL_NUMBERS,
    PACKAGED_TOOLKIT,
    Line,
    RunRecord,
    Table,
    Words,
    exact,
    isolated,
    plain,
    share,
)

# Inputs ------------------------------------------------------------------------------


def _input_unit(w: Words, name: str) -> str:
    inputs = w.inputs
    if name == "quantity":
        return w.unit({"odp": "ODP_tonne", "co2e": "tCO2e"}.get(str(inputs.get("measure")), "t"))
    if name == "baseline":
        return w.montreal_unit(inputs.get("group"))
    fixed = {
        "activity_t": "t_per_year",
        "tonnes": "t",
        "gold_kg": "kg",
        "mercury_to_gold": "kg_per_kg",
        "operating_margin": "tco2_per_mwh",
        "build_margin": "tco2_per_mwh",
        "energy_mwh_per_year": "mwh_per_year",
        "post_project_mwh_per_year": "mwh_per_year",
        "emission_factor": "tco2e_per_mwh",
        "lifetime_years": "years",
        "post_project_lifetime_years": "years",
        "technical_potential_tco2e": "tCO2e",
    }
    return w.unit(fixed.get(name))


def _composition(w: Words, parts: Mapping[str, Any]) -> Markup:
    return w.joined(w.named(str(k), plain(share(float(v) / 100, w.lang))) for k, v in parts.items())


def _distribution(w: Words, shares: Mapping[str, Any]) -> Markup:
    return w.joined(
        w.named(w.pathway(str(k)), plain(share(float(v), w.lang))) for k, v in shares.items()
    )


def _activity_units(inputs: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(f.get("category")): str(f.get("activity_unit") or "t")
        for f in inputs.get("factors") or ()
        if isinstance(f, Mapping)
    }


def _input_table(w: Words, name: str, value: Any) -> Table | None:
    rows: list[tuple[Markup, ...]]
    heads: Iterable[str]
    if name == "series" and isinstance(value, Mapping):
        unit = w.montreal_unit(w.inputs.get("group"))
        rows = [(plain(str(year)), w.num(v)) for year, v in sorted(value.items())]
        return w.table((w.headed("year"), w.headed("consumption", unit)), rows, (False, True))
    if name == "entries" and isinstance(value, list):
        rows = [
            (isolated(e.get("pops_type", "")), plain(w.say("run_fate", e.get("fate"))),
             w.num(e.get("tonnes")))
            for e in value
        ]  # fmt: skip
        tonnes = w.tr("run_unit_heading", name=w.say("run_input", "tonnes"), unit=w.unit("t"))
        heads = (w.headed("pops_type"), w.say("run_input", "fate"), tonnes)
        return w.table(heads, rows, (False, False, True))
    if name == "factors" and isinstance(value, list):
        rows = []
        for f in value:
            per = w.unit(str(f.get("activity_unit") or "t"))
            rows.append(
                (
                    isolated(f.get("category", "")),
                    Markup("{} {}").format(
                        w.num(f.get("input_g_per_unit")), w.tr("run_unit_g_per", unit=per)
                    ),
                    _distribution(w, f.get("distribution") or {}),
                    plain(f.get("source", "")),
                )
            )
        heads = (
            w.headed("category"),
            w.say("run_input", "input_g_per_unit"),
            w.say("run_input", "distribution"),
            w.say("run_input", "source"),
        )
        return w.table(heads, rows, (False, True, False, False))
    if name == "activities" and isinstance(value, list):
        units = _activity_units(w.inputs)
        rows = [
            (
                isolated(a.get("category", "")),
                Markup("{} {}").format(
                    w.num(a.get("amount")), w.unit(units.get(str(a.get("category")), "t"))
                ),
            )
            for a in value
        ]
        return w.table((w.headed("category"), w.say("run_input", "amount")), rows, (False, True))
    return None


def _input_value(w: Words, name: str, value: Any) -> Markup:
    if name == "factor_table":
        return isolated(value) if value else plain(w.tr("run_packaged_toolkit"))
    if value is None:
        return plain(w.tr("run_not_given"))
    if name in ("measure", "to"):
        return plain(w.say("run_measure", value))
    if name == "gwp":
        return plain(w.say("run_gwp", value))
    if name == "composition_source":
        return plain(w.say("run_system", value))
    if name == "limit":
        return plain(w.say("run_limit", value))
    if name == "party":
        return plain(w.tr.country(str(value)))
    if name == "year":
        return plain(str(value))
    if name == "substance":
        return w.substance(value)
    if name == "composition" and isinstance(value, Mapping):
        return _composition(w, value)
    if name == "distribution" and isinstance(value, Mapping):
        return _distribution(w, value)
    if name == "activity_unit":
        return plain(w.unit(str(value)))
    return w.num(value)


def _inputs(w: Words) -> tuple[Line, ...]:
    lines = []
    for name, value in w.inputs.items():
        title = w.say("run_input", name)
        table = _input_table(w, name, value)
        if table is not None:
            lines.append(Line(title, table=table))
            continue
        # a number left out (an optional factor) is said where the number would be
        numeric = value is None and name in OPTIONAL_NUMBERS
        numeric |= isinstance(value, (int, float)) and not isinstance(value, bool)
        shown = _input_value(w, name, value)
        unit = _input_unit(w, name) if value is not None else ""
        lines.append(Line(title, shown, unit, numeric and name != "year"))
    return _inline(lines)


def _inline(lines: Iterable[Line]) -> tuple[Line, ...]:
    """Numbers among words set as the words are (not to the column's end), each with its
    unit after it: a column of names and figures reads down one edge."""
    return tuple(
        replace(line, numeric=False, unit="", value=Markup("{} {}").format(line.value, line.unit))
        if line.unit
        else replace(line, numeric=False)
        for line in lines
    )


# Outputs and details -----------------------------------------------------------------


def _outputs(w: Words, quantities: Mapping[str, Any]) -> tuple[Line, ...]:
    return tuple(
        Line(w.output(name), w.num(q.get("value")), w.unit(str(q.get("unit") or "")), True)
        for name, q in quantities.items()
        if isinstance(q, Mapping)
    )


def _source(w: Words, text: Any) -> Markup:
    """A source the reference data names (in English), or the words for one the user gave."""
    if text == GIVEN_BY_USER:
        return plain(w.tr("run_given_by_user"))
    if text == COMPOSITION_BY_USER:
        return plain(w.tr("run_composition_by_user"))
    return w.english(text)


def _published_cell(w: Words, published: Mapping[str, Any], what: str) -> Markup:
    """A published value and, where this run's composition gives another, that one."""
    cell = w.num(published.get(what))
    here = published.get(f"{what}_here")
    if here is None:
        return cell
    gives = plain(w.tr("run_published_here", value=exact(here, w.lang)))
    return Markup("{}<br><small>{}</small>").format(cell, gives)


def _detail_table(w: Words, name: str, value: Any) -> Table | None:
    rows: list[tuple[Markup, ...]]
    heads: Iterable[str]
    if name == "components" and isinstance(value, list):
        rows = [
            (isolated(c.get("name", "")), plain(share(float(c.get("fraction") or 0), w.lang)),
             w.yes_no(bool(c.get("controlled"))), _source(w, c.get("source", "")))
            for c in value
        ]  # fmt: skip
        heads = [w.headed(c) for c in ("name", "fraction", "controlled", "source")]
        return w.table(heads, rows, (False, True, False, False))
    if name == "published" and isinstance(value, list):
        rows = [
            (plain(w.say("run_system", p.get("system"))), _published_cell(w, p, "odp"),
             _published_cell(w, p, "co2e"), plain(w.say("run_gwp", p.get("co2e_basis"))),
             _source(w, p.get("source", "")))
            for p in value
        ]  # fmt: skip
        heads = [w.headed(c) for c in ("system", "odp", "co2e", "co2e_basis", "source")]
        return w.table(heads, rows, (False, True, True, False, False))
    if name == "years" and isinstance(value, list):
        unit = w.montreal_unit(w.inputs.get("group"))
        rows = [
            (plain(str(y.get("year", ""))), w.num(y.get("consumption")), w.num(y.get("allowed")),
             w.yes_no(bool(y.get("compliant"))), w.num(y.get("excess")))
            for y in value
        ]  # fmt: skip
        heads = (
            w.headed("year"),
            w.headed("consumption", unit),
            w.headed("allowed", unit),
            w.headed("compliant"),
            w.headed("excess", unit),
        )
        return w.table(heads, rows, (False, True, True, False, True))
    if name in ("before", "after") and isinstance(value, Mapping):
        rows = [(plain(w.pathway(str(k))), w.num(v)) for k, v in value.items()]
        heads = (w.headed("pathway"), w.tr("run_value_heading", unit=w.unit("g_TEQ")))
        return w.table(heads, rows, (False, True))
    if name == "by_type" and isinstance(value, Mapping):
        t = w.unit("t")
        rows = [
            (isolated(kind), w.num(fates.get("destroyed")), w.num(fates.get("safeguarded")))
            for kind, fates in value.items()
            if isinstance(fates, Mapping)
        ]
        heads = (w.headed("pops_type"), w.headed("destroyed", t), w.headed("safeguarded", t))
        return w.table(heads, rows, (False, True, True))
    if name == "categories" and isinstance(value, list):
        kg = w.unit("kg")
        rows = []
        for c in value:
            releases = c.get("releases_kg") or {}
            rows.append(
                (
                    isolated(c.get("category", "")),
                    w.num(c.get("input_kg")),
                    w.joined(w.named(w.pathway(str(k)), w.num(v)) for k, v in releases.items()),
                    plain(c.get("source", "")),
                )
            )
        heads = (
            w.headed("category"),
            w.headed("input_kg", kg),
            w.headed("releases_kg", kg),
            w.headed("source"),
        )
        return w.table(heads, rows, (False, True, False, False))
    return None


def _detail(w: Words, name: str, value: Any, details: Mapping[str, Any]) -> Line | None:
    if name in HIDDEN_DETAILS or value is None or value == [] or value == {}:
        return None
    title = w.say("run_detail", name)
    table = _detail_table(w, name, value)
    if table is not None:
        return Line(title, table=table)
    special: dict[str, Callable[[], tuple[Markup, str, bool]]] = {
        "party": lambda: (plain(w.tr.country(str(value))), "", False),
        "substance": lambda: (w.substance(value), "", False),
        "party_type": lambda: (plain(w.say("run_party", value)), "", False),
        "gwp_basis": lambda: (plain(w.say("run_gwp", value)), "", False),
        "composition_table": lambda: (plain(w.say("run_system", value)), "", False),
        "baseline": lambda: (w.num(value), w.montreal_unit(details.get("group")), True),
        "baseline_source": lambda: (_source(w, value), "", False),
        "control": lambda: (
            plain(w.tr("run_no_control")) if value == NO_CONTROL else w.english(value),
            "",
            False,
        ),
        "fraction_of_baseline": lambda: (plain(share(float(value), w.lang)), "", True),
        "step_start": lambda: (plain(w.tr.date(str(value))), "", False),
        "source": lambda: (_source(w, value), "", False),
        "sources": lambda: (w.joined(_source(w, s) for s in value), "", False),
        "components_without_gwp": lambda: (w.joined(isolated(s) for s in value), "", False),
        "components_not_counted": lambda: (w.joined(isolated(s) for s in value), "", False),
        "factor_table": lambda: (
            plain(w.tr("run_packaged_toolkit")) if value == PACKAGED_TOOLKIT else isolated(value),
            "",
            False,
        ),
        "factor_table_digest": lambda: (Markup("<code>{}</code>").format(value), "", False),
        "ratio": lambda: (w.num(value), w.unit("kg_per_kg"), True),
        "compliant": lambda: (w.yes_no(bool(value)), "", False),
    }
    if name in special:
        shown, unit, numeric = special[name]()
        return Line(title, shown, unit, numeric)
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return Line(title, w.num(value) if numeric else plain(value), "", numeric)


def _details(w: Words, details: Mapping[str, Any]) -> tuple[Line, ...]:
    """The details, as the inputs are set (:func:`_inline`)."""
    lines = (_detail(w, name, value, details) for name, value in details.items())
    return _inline(line for line in lines if line is not None)


def describe(tr: Sentences, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> RunRecord:
    """A run's inputs, outputs and details in ``tr``'s language."""
    w = Words(tr, inputs or {})
    return RunRecord(
        _inputs(w),
        _outputs(w, (outputs or {}).get("quantities") or {}),
        _details(w, (outputs or {}).get("details") or {}),
    )
