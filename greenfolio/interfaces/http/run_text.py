"""A method run's record as a reader reads it: its inputs, outputs and details as labelled
rows, each name and unit in the reader's language and each number written as the
language writes it, never the stored record's JSON, field names or codes.

The record stays as the run stored it (``method_run.inputs`` / ``outputs``); the words
come from the message catalogues under the groups of :data:`GROUPS` (``run_input_…``,
``run_output_…`` …), which a test checks against every method's input model and outputs.
Texts the reference data gives in English (the title of a table, an annex, a database)
are shown as they are, marked as English; texts a user typed (the source of a factor) as
typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from greenfolio.domain.languages import CLDR_LOCALES
from greenfolio.interfaces.http.labels import Sentences, label

MEASURES = ("t", "odp", "co2e")
"""Measures of a Montreal Protocol quantity (``methods.montreal.Measure``)."""
GWP_BASES = ("ar4", "ar5", "ar6", "mlf")
"""Where GWP values come from (``methods.montreal.GwpBasis``)."""
SYSTEMS = ("ashrae", "mlf", "ozone")
"""Where a blend's composition or published values come from."""
PARTY_TYPES = ("A5", "NA5", "A5G1", "A5G2", "NA5G1", "NA5G2")
"""Kinds of Party to the Montreal Protocol (``refdata.montreal_tables``)."""
PATHWAYS = (
    "air", "water", "land", "product", "products", "residue", "general_waste",
    "sector_treatment", "total",
)  # fmt: skip
"""Release vectors (Toolkit), mercury pathways, and all of them together."""
INPUTS = (
    "quantity", "measure", "substance", "composition", "composition_source", "to", "gwp",
    "party", "group", "year", "baseline", "limit", "series", "category", "class",
    "class_before", "class_after", "activity_t", "factor_table", "entries", "pops_type",
    "fate", "tonnes", "factors", "activities", "input_g_per_unit", "activity_unit",
    "distribution", "source", "amount", "gold_kg", "mercury_to_gold", "ratio_source",
    "operating_margin", "build_margin", "weight_om", "weight_bm", "energy_mwh_per_year",
    "emission_factor", "lifetime_years", "post_project_mwh_per_year",
    "post_project_lifetime_years", "replication_factor", "technical_potential_tco2e",
    "causality_factor", "factor_source",
)  # fmt: skip
"""Every input of every method (their input models' fields, by alias), by name."""
OUTPUTS = (
    "value", "allowed", "excess", "destroyed", "safeguarded", "input_total", "mercury_use",
    "combined_margin", "direct", "direct_post_project", "indirect_bottom_up",
    "indirect_top_down",
)  # fmt: skip
"""Every output of every method, by name, but releases (``release_<pathway>``, "Releases
(air)") and releases avoided (``avoided_<pathway>``)."""
DETAILS = (
    "substance", "odp", "gwp", "gwp_basis", "components", "components_without_gwp",
    "sources", "composition_table", "published", "party", "party_type", "group", "baseline",
    "baseline_source", "control", "fraction_of_baseline", "step_start", "source", "years",
    "compliant", "before", "after", "factor_table", "factor_table_digest", "by_type",
    "categories", "ratio", "ratio_source", "factor_source",
)  # fmt: skip
"""Every detail a method returns that a page shows, by name."""
HIDDEN_DETAILS = frozenset({"published_per_tonne", "composition_note"})
"""Details that say again, in English sentences for the command line, what other
details hold (the published values, the composition and where it comes from)."""
COLUMNS = (
    "name", "fraction", "controlled", "source", "system", "odp", "co2e", "co2e_basis",
    "year", "consumption", "allowed", "compliant", "excess", "pathway", "pops_type",
    "destroyed", "safeguarded", "category", "input_kg", "releases_kg",
)  # fmt: skip
"""The columns of the details that are tables (a blend's components, the years of a
series, the categories of an inventory …)."""
UNITS = ("t_per_year", "kg_per_kg", "tco2_per_mwh", "tco2e_per_mwh", "mwh_per_year", "years")
"""Units of inputs and outputs that are no unit of a result (``unit_…``)."""
GROUPS: dict[str, tuple[str, ...]] = {
    "run_input": INPUTS,
    "run_output": OUTPUTS,
    "run_detail": DETAILS,
    "run_column": COLUMNS,
    "run_unit": UNITS,
    "run_measure": MEASURES,
    "run_gwp": GWP_BASES,
    "run_system": SYSTEMS,
    "run_party": PARTY_TYPES,
    "run_pathway": PATHWAYS,
    "run_limit": ("consumption", "production"),
    "run_fate": ("destroyed", "safeguarded"),
}
"""The catalogue words of a run's record, by group (keys ``<group>_<code>``)."""
WORDS = (
    "run_cited", "run_cited_short", "run_release", "run_avoided", "run_not_given",
    "run_packaged_toolkit", "run_given_by_user", "run_composition_by_user", "run_no_control",
    "run_list_sep", "run_named_value", "run_unit_g_per", "refdata_none", "run_unit_heading",
    "run_value_heading", "run_details", "run_head_input", "run_head_output", "run_head_detail",
    "run_method", "refdata_version",
)  # fmt: skip
"""Further words of a run's record (sentences with a place for a value)."""

OTHER_MIXTURES = {
    "Other mixture (ODS or HFC or both or neither)": "run_mixture_any",
    "Other mixture (ODS only)": "run_mixture_ods",
    "Other mixture (HFC only)": "run_mixture_hfc",
    "Other mixture": "run_mixture_other",
}
"""The reporting systems' entries for a blend of one's own (``refdata/montreal/
other_mixtures.csv``), by their words in each language."""
_PACKAGED_TOOLKIT = "toolkit_2013.csv"
"""The factor table Greenfolio carries (``refdata.factor_tables.packaged_toolkit``)."""
_NO_CONTROL = "no control measure in force"
_GIVEN_BY_USER = "given by the user"
_COMPOSITION_BY_USER = "composition given by the user"
_RESULT_UNITS = {"tCO2e / MWh": "run_unit_tco2e_per_mwh"}
_OPTIONAL_NUMBERS = frozenset(
    {"baseline", "replication_factor", "technical_potential_tco2e", "causality_factor"}
)
"""Inputs that are numbers when given."""
"""Output units that are no unit of a result, and their words."""


@dataclass(frozen=True)
class Table:
    """Rows under headings; ``numeric`` says which columns hold numbers (set to the end)."""

    heads: tuple[str, ...]
    rows: tuple[tuple[Markup, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Line:
    """One input, output or detail: its name, its value (or a table) and its unit."""

    name: str
    value: Markup | None = None
    unit: str = ""
    numeric: bool = False
    table: Table | None = None


@dataclass(frozen=True)
class RunRecord:
    inputs: tuple[Line, ...]
    outputs: tuple[Line, ...]
    details: tuple[Line, ...] = field(default=())


def exact(value: float | int, lang: str) -> str:
    """A number as stored, without float noise (at most 12 significant digits), in the
    language's digits and separators: 0.03025 stays 0,03025 in French, not 0,03."""
    if isinstance(value, bool):
        raise TypeError("a yes or no is no number")
    number = Decimal(f"{float(value):.12g}")
    return str(format_decimal(number, locale=CLDR_LOCALES[lang], decimal_quantization=False))


def _share(value: float, lang: str) -> str:
    """A share (0.325) as the language writes a percentage, to the digit stored (32,5 %)."""
    number = Decimal(f"{float(value):.12g}")
    return str(format_percent(number, locale=CLDR_LOCALES[lang], decimal_quantization=False))


def _plain(text: Any) -> Markup:
    return Markup.escape(str(text))


def _isolated(text: Any) -> Markup:
    """A name or code typed left to right, kept whole in right-to-left text."""
    return Markup("<bdi>{}</bdi>").format(str(text))


class _Words:
    """The words and numbers of one run for one reader."""

    def __init__(self, tr: Sentences, inputs: Mapping[str, Any]) -> None:
        self.tr = tr
        self.lang = tr.lang
        self.inputs = inputs

    def say(self, group: str, code: Any) -> str:
        return label(self.tr, group, str(code))

    def num(self, value: Any) -> Markup:
        if value is None:
            return _plain(self.tr("run_not_given"))
        if isinstance(value, bool):
            return self.yes_no(value)
        if isinstance(value, (int, float)):
            return _plain(exact(value, self.lang))
        return _isolated(value)

    def substance(self, name: Any) -> Markup:
        """A substance or blend as the tables name it; "Other mixture …" in words."""
        key = OTHER_MIXTURES.get(str(name))
        return _plain(self.tr(key)) if key else _isolated(name)

    def yes_no(self, value: bool) -> Markup:
        return _plain(self.tr("word_yes" if value else "word_no"))

    def english(self, text: Any) -> Markup:
        """A text the reference data gives in English, marked as English where the reader
        reads another language (``Translator.shown``; a list download's words have no
        markup)."""
        shown = getattr(self.tr, "shown", None)
        if shown is None:
            return _plain(text)
        return Markup(shown({"en": str(text)}))

    def unit(self, code: str | None) -> str:
        """A result unit (``unit_…``) or one of a run's own (``run_unit_…``)."""
        if not code:
            return ""
        if code in _RESULT_UNITS:
            return self.tr(_RESULT_UNITS[code])
        if code in UNITS:
            return self.say("run_unit", code)
        return label(self.tr, "unit", code)

    def montreal_unit(self, group: Any) -> str:
        """ODP tonnes, or CO2-equivalent tonnes for Annex F (HFCs)."""
        return self.unit("tCO2e" if str(group or "").upper() == "F" else "ODP_tonne")

    def pathway(self, code: str) -> str:
        return self.say("run_pathway", code)

    def output(self, name: str) -> str:
        for prefix, key in (("release_", "run_release"), ("avoided_", "run_avoided")):
            if name.startswith(prefix):
                return self.tr(key, pathway=self.pathway(name[len(prefix) :]))
        return self.say("run_output", name)

    def joined(self, parts: Iterable[Markup]) -> Markup:
        return Markup(self.tr("run_list_sep")).join(parts)

    def named(self, name: str, value: Markup) -> Markup:
        """A name and its value ("air 90 %"), for lists inside one cell."""
        return Markup(self.tr("run_named_value")).format(name=name, value=value)

    def table(
        self, heads: Iterable[str], rows: Iterable[Iterable[Markup]], numeric: Iterable[bool]
    ) -> Table:
        return Table(tuple(heads), tuple(tuple(r) for r in rows), tuple(numeric))

    def headed(self, column: str, unit: str = "") -> str:
        name = self.say("run_column", column)
        return self.tr("run_unit_heading", name=name, unit=unit) if unit else name


# Inputs ------------------------------------------------------------------------------


def _input_unit(w: _Words, name: str) -> str:
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


def _composition(w: _Words, parts: Mapping[str, Any]) -> Markup:
    return w.joined(
        w.named(str(k), _plain(_share(float(v) / 100, w.lang))) for k, v in parts.items()
    )


def _distribution(w: _Words, shares: Mapping[str, Any]) -> Markup:
    return w.joined(
        w.named(w.pathway(str(k)), _plain(_share(float(v), w.lang))) for k, v in shares.items()
    )


def _activity_units(inputs: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(f.get("category")): str(f.get("activity_unit") or "t")
        for f in inputs.get("factors") or ()
        if isinstance(f, Mapping)
    }


def _input_table(w: _Words, name: str, value: Any) -> Table | None:
    rows: list[tuple[Markup, ...]]
    heads: Iterable[str]
    if name == "series" and isinstance(value, Mapping):
        unit = w.montreal_unit(w.inputs.get("group"))
        rows = [(_plain(str(year)), w.num(v)) for year, v in sorted(value.items())]
        return w.table((w.headed("year"), w.headed("consumption", unit)), rows, (False, True))
    if name == "entries" and isinstance(value, list):
        rows = [
            (_isolated(e.get("pops_type", "")), _plain(w.say("run_fate", e.get("fate"))),
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
                    _isolated(f.get("category", "")),
                    Markup("{} {}").format(
                        w.num(f.get("input_g_per_unit")), w.tr("run_unit_g_per", unit=per)
                    ),
                    _distribution(w, f.get("distribution") or {}),
                    _plain(f.get("source", "")),
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
                _isolated(a.get("category", "")),
                Markup("{} {}").format(
                    w.num(a.get("amount")), w.unit(units.get(str(a.get("category")), "t"))
                ),
            )
            for a in value
        ]
        return w.table((w.headed("category"), w.say("run_input", "amount")), rows, (False, True))
    return None


def _input_value(w: _Words, name: str, value: Any) -> Markup:
    if name == "factor_table":
        return _isolated(value) if value else _plain(w.tr("run_packaged_toolkit"))
    if value is None:
        return _plain(w.tr("run_not_given"))
    if name in ("measure", "to"):
        return _plain(w.say("run_measure", value))
    if name == "gwp":
        return _plain(w.say("run_gwp", value))
    if name == "composition_source":
        return _plain(w.say("run_system", value))
    if name == "limit":
        return _plain(w.say("run_limit", value))
    if name == "party":
        return _plain(w.tr.country(str(value)))
    if name == "year":
        return _plain(str(value))
    if name == "substance":
        return w.substance(value)
    if name == "composition" and isinstance(value, Mapping):
        return _composition(w, value)
    if name == "distribution" and isinstance(value, Mapping):
        return _distribution(w, value)
    if name == "activity_unit":
        return _plain(w.unit(str(value)))
    return w.num(value)


def _inputs(w: _Words) -> tuple[Line, ...]:
    lines = []
    for name, value in w.inputs.items():
        title = w.say("run_input", name)
        table = _input_table(w, name, value)
        if table is not None:
            lines.append(Line(title, table=table))
            continue
        # a number left out (an optional factor) is said where the number would be
        numeric = value is None and name in _OPTIONAL_NUMBERS
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


def _outputs(w: _Words, quantities: Mapping[str, Any]) -> tuple[Line, ...]:
    return tuple(
        Line(w.output(name), w.num(q.get("value")), w.unit(str(q.get("unit") or "")), True)
        for name, q in quantities.items()
        if isinstance(q, Mapping)
    )


def _source(w: _Words, text: Any) -> Markup:
    """A source the reference data names (in English), or the words for one the user gave."""
    if text == _GIVEN_BY_USER:
        return _plain(w.tr("run_given_by_user"))
    if text == _COMPOSITION_BY_USER:
        return _plain(w.tr("run_composition_by_user"))
    return w.english(text)


def _detail_table(w: _Words, name: str, value: Any) -> Table | None:
    rows: list[tuple[Markup, ...]]
    heads: Iterable[str]
    if name == "components" and isinstance(value, list):
        rows = [
            (_isolated(c.get("name", "")), _plain(_share(float(c.get("fraction") or 0), w.lang)),
             w.yes_no(bool(c.get("controlled"))), _source(w, c.get("source", "")))
            for c in value
        ]  # fmt: skip
        heads = [w.headed(c) for c in ("name", "fraction", "controlled", "source")]
        return w.table(heads, rows, (False, True, False, False))
    if name == "published" and isinstance(value, list):
        rows = [
            (_plain(w.say("run_system", p.get("system"))), w.num(p.get("odp")),
             w.num(p.get("co2e")), _plain(w.say("run_gwp", p.get("co2e_basis"))),
             _source(w, p.get("source", "")))
            for p in value
        ]  # fmt: skip
        heads = [w.headed(c) for c in ("system", "odp", "co2e", "co2e_basis", "source")]
        return w.table(heads, rows, (False, True, True, False, False))
    if name == "years" and isinstance(value, list):
        unit = w.montreal_unit(w.inputs.get("group"))
        rows = [
            (_plain(str(y.get("year", ""))), w.num(y.get("consumption")), w.num(y.get("allowed")),
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
        rows = [(_plain(w.pathway(str(k))), w.num(v)) for k, v in value.items()]
        heads = (w.headed("pathway"), w.tr("run_value_heading", unit=w.unit("g_TEQ")))
        return w.table(heads, rows, (False, True))
    if name == "by_type" and isinstance(value, Mapping):
        t = w.unit("t")
        rows = [
            (_isolated(kind), w.num(fates.get("destroyed")), w.num(fates.get("safeguarded")))
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
                    _isolated(c.get("category", "")),
                    w.num(c.get("input_kg")),
                    w.joined(w.named(w.pathway(str(k)), w.num(v)) for k, v in releases.items()),
                    _plain(c.get("source", "")),
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


def _detail(w: _Words, name: str, value: Any, details: Mapping[str, Any]) -> Line | None:
    if name in HIDDEN_DETAILS or value is None or value == [] or value == {}:
        return None
    title = w.say("run_detail", name)
    table = _detail_table(w, name, value)
    if table is not None:
        return Line(title, table=table)
    special: dict[str, Callable[[], tuple[Markup, str, bool]]] = {
        "party": lambda: (_plain(w.tr.country(str(value))), "", False),
        "substance": lambda: (w.substance(value), "", False),
        "party_type": lambda: (_plain(w.say("run_party", value)), "", False),
        "gwp_basis": lambda: (_plain(w.say("run_gwp", value)), "", False),
        "composition_table": lambda: (_plain(w.say("run_system", value)), "", False),
        "baseline": lambda: (w.num(value), w.montreal_unit(details.get("group")), True),
        "baseline_source": lambda: (_source(w, value), "", False),
        "control": lambda: (
            _plain(w.tr("run_no_control")) if value == _NO_CONTROL else w.english(value),
            "",
            False,
        ),
        "fraction_of_baseline": lambda: (_plain(_share(float(value), w.lang)), "", True),
        "step_start": lambda: (_plain(w.tr.date(str(value))), "", False),
        "source": lambda: (_source(w, value), "", False),
        "sources": lambda: (w.joined(_source(w, s) for s in value), "", False),
        "components_without_gwp": lambda: (w.joined(_isolated(s) for s in value), "", False),
        "factor_table": lambda: (
            _plain(w.tr("run_packaged_toolkit"))
            if value == _PACKAGED_TOOLKIT
            else _isolated(value),
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
    return Line(title, w.num(value) if numeric else _plain(value), "", numeric)


def _details(w: _Words, details: Mapping[str, Any]) -> tuple[Line, ...]:
    """The details, as the inputs are set (:func:`_inline`)."""
    lines = (_detail(w, name, value, details) for name, value in details.items())
    return _inline(line for line in lines if line is not None)


def describe(tr: Sentences, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> RunRecord:
    """A run's inputs, outputs and details in ``tr``'s language."""
    w = _Words(tr, inputs or {})
    return RunRecord(
        _inputs(w),
        _outputs(w, (outputs or {}).get("quantities") or {}),
        _details(w, (outputs or {}).get("details") or {}),
    )
