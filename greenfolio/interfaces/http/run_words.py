"""The words of a method run's record: every input, output, detail and column name a
page may show (by catalogue group, ``GROUPS``), and the primitives that write one run's
numbers, names and tables in the reader's language (``Words``). ``run_text`` sets the
record out with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
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
    "components_not_counted",
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
PACKAGED_TOOLKIT = "toolkit_2013.csv"
"""The factor table Greenfolio carries (``refdata.factor_tables.packaged_toolkit``)."""
NO_CONTROL = "no control measure in force"
GIVEN_BY_USER = "given by the user"
COMPOSITION_BY_USER = "composition given by the user"
RESULT_UNITS = {"tCO2e / MWh": "run_unit_tco2e_per_mwh"}
OPTIONAL_NUMBERS = frozenset(
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
    with localcontext(prec=320):  # a float past 10^28 is past the default precision
        return str(format_decimal(number, locale=CLDR_LOCALES[lang], decimal_quantization=False))


def share(value: float, lang: str) -> str:
    """A share (0.325) as the language writes a percentage, to the digit stored (32,5 %)."""
    number = Decimal(f"{float(value):.12g}")
    return str(format_percent(number, locale=CLDR_LOCALES[lang], decimal_quantization=False))


def plain(text: Any) -> Markup:
    return Markup.escape(str(text))


def isolated(text: Any) -> Markup:
    """A name or code typed left to right, kept whole in right-to-left text."""
    return Markup("<bdi>{}</bdi>").format(str(text))


class Words:
    """The words and numbers of one run for one reader."""

    def __init__(self, tr: Sentences, inputs: Mapping[str, Any]) -> None:
        self.tr = tr
        self.lang = tr.lang
        self.inputs = inputs

    def say(self, group: str, code: Any) -> str:
        return label(self.tr, group, str(code))

    def num(self, value: Any) -> Markup:
        if value is None:
            return plain(self.tr("run_not_given"))
        if isinstance(value, bool):
            return self.yes_no(value)
        if isinstance(value, (int, float)):
            return plain(exact(value, self.lang))
        return isolated(value)

    def substance(self, name: Any) -> Markup:
        """A substance or blend as the tables name it; "Other mixture …" in words."""
        key = OTHER_MIXTURES.get(str(name))
        return plain(self.tr(key)) if key else isolated(name)

    def yes_no(self, value: bool) -> Markup:
        return plain(self.tr("word_yes" if value else "word_no"))

    def english(self, text: Any) -> Markup:
        """A text the reference data gives in English, marked as English where the reader
        reads another language (``Translator.shown``; a list download's words have no
        markup)."""
        shown = getattr(self.tr, "shown", None)
        if shown is None:
            return plain(text)
        return Markup(shown({"en": str(text)}))

    def unit(self, code: str | None) -> str:
        """A result unit (``unit_…``) or one of a run's own (``run_unit_…``)."""
        if not code:
            return ""
        if code in RESULT_UNITS:
            return self.tr(RESULT_UNITS[code])
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
