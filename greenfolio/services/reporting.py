"""Build a report: compute its figures from verified results and fill the templates.

The result is a ``Document`` (see ``domain.document``) plus the figures it used; writers
in ``interfaces.writers`` turn it into HTML or DOCX, and ``provenance`` into JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jinja2
from babel import Locale
from babel.lists import format_list

from greenfolio import __version__
from greenfolio.domain.countries import (
    country_in_text,
    country_name,
    name_order,
    russian_names,
)
from greenfolio.domain.document import (
    Document,
    Footnote,
    Header,
    Paragraph,
    Run,
    Section,
)
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.languages import RIGHT_TO_LEFT, check_language
from greenfolio.domain.numbers import format_count, format_figure
from greenfolio.domain.org_names import org_name
from greenfolio.domain.results import Qualifier
from greenfolio.domain.typography import NBSP, typeset
from greenfolio.domain.un_dates import un_date, un_date_range
from greenfolio.services import charts as chart_queries
from greenfolio.services import document_form, figure_batch, report_units
from greenfolio.services.charts import ChartData
from greenfolio.services.database import Database
from greenfolio.services.figures import Figure
from greenfolio.services.report_charts import chart_refs, words
from greenfolio.services.report_charts import need as _need
from greenfolio.services.report_definition import ReportDefinition, load_definition, load_template
from greenfolio.services.report_marks import (
    FIG_CLOSE,
    FIG_MID,
    FIG_OPEN,
    LANG_CLOSE,
    LANG_MID,
    LANG_OPEN,
    MARKS,
    NOTE_CLOSE,
    NOTE_OPEN,
    has_marks,
    space_han,
    title_marked,
)

_DATE_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar"}
_ASCII_SPACE = re.compile("[ \t\r\n]+")
"""Template line breaks fold to one space; no-break spaces inside numbers are kept."""


@dataclass(frozen=True)
class Computed:
    """Everything a report prints, computed once and shared by all its languages."""

    figures: Mapping[str, Figure]
    charts: Mapping[str, ChartData]


@dataclass(frozen=True)
class BuiltReport:
    document: Document
    figures: Mapping[str, Figure]
    used: tuple[str, ...]
    definition: str
    year: int
    charts: Mapping[str, ChartData] = field(default_factory=dict)

    def provenance(self) -> dict[str, Any]:
        """Every printed figure: id, query, parameters, the results used and the value."""
        return {
            "report": self.definition,
            "year": self.year,
            "language": self.document.lang,
            "generator": f"greenfolio {__version__}",
            "figures": [_with_basis(self.figures[fid]) for fid in self.used],
            "charts": [self.charts[c.id].provenance() for c in self.document.charts],
        }


def _with_basis(fig: Figure) -> dict[str, Any]:
    """A figure's provenance, with the weighting basis its records state where its unit
    needs one ("AR4", or "basis not stated in the source")."""
    out = fig.provenance()
    found = report_units.basis(fig)
    if found is not None:
        out["basis"] = found
    return out


class _Renderer:
    """Fills one language's templates, recording which figures and footnotes it used."""

    def __init__(
        self,
        lang: str,
        figures: Mapping[str, Figure],
        meta: dict[str, Any],
        genders: Mapping[str, str] | None = None,
    ) -> None:
        self.lang = lang
        self.figures = figures
        self.meta = meta
        self.genders = genders or {}  # the template's counted_nouns: figure -> m or f
        self.used: list[str] = []
        self.footnotes: list[str] = []
        self.where = ""

    def _figure(self, fid: str) -> Figure:
        fig = self.figures.get(fid)
        if fig is None:
            raise NotFoundError(
                f"{self.lang} template, {self.where}: unknown figure {fid!r}; define it under "
                "'figures:' in the report definition"
            )
        if fid not in self.used:
            self.used.append(fid)
        return fig

    @staticmethod
    def _mark(fid: str, text: str, part: str = "value") -> str:
        return f"{FIG_OPEN}{fid}|{part}{FIG_MID}{text}{FIG_CLOSE}"

    def _gender(self, fid: str, gender: str, fig: Figure) -> str:
        """The counted noun's gender, from the call or the template's ``counted_nouns``;
        an Arabic number from three to ten cannot be written without it."""
        gender = gender or str(self.genders.get(fid, ""))
        exact = fig.qualifier is Qualifier.EXACT and fig.value == int(fig.value)
        if self.lang == "ar" and not gender and exact and 3 <= fig.value <= 10:
            raise ValidationError(
                f"{self.lang} template, {self.where}: figure {fid!r} is {int(fig.value)} and "
                "its counted noun has no gender; give it under 'counted_nouns' (m or f)"
            )
        return gender

    def num(self, fid: str, cap: bool = False, case: str = "", gender: str = "") -> str:
        """The figure as running text; a Russian template names the ``case`` (and the
        ``gender`` of the noun) so that one to ten are written as words that agree, and an
        Arabic one the gender of the counted noun (``counted_nouns``: three to ten)."""
        fig = self._figure(fid)
        gender = self._gender(fid, gender, fig)
        text = format_count(fig.value, self.lang, fig.qualifier, case, gender)
        return self._mark(fid, _capitalized(text, cap))

    def has(self, fid: str) -> bool:
        """True if the figure has something to report (a template leaves the sentence out
        otherwise)."""
        fig = self._figure(fid)
        return bool(fig.items) or fig.value > 0

    def count(
        self,
        fid: str,
        cap: bool = False,
        single: str = "",
        case: str = "",
        gender: str = "",
        **forms: str,
    ) -> str:
        """The figure in words that agree with it: ``forms`` are keyed by CLDR plural
        category (zero, one, two, few, many, other) and may place the number with "{n}";
        a form without "{n}" ("a new guide") still prints from the figure. A zero with no
        "zero" form is an error: the template should test ``has()``. ``single`` is the form
        for exactly one item, chosen by the number itself and not by its plural category:
        a sentence that names the one item ("一份指南") in a language whose CLDR rules do not
        tell one from many (Chinese) gives it, and its "other" form once the count rises.
        ``case`` and ``gender`` write "{n}" as a Russian or Arabic word that agrees, as in
        ``num``."""
        fig = self._figure(fid)
        category = "other"
        if single and fig.value == 1 and fig.qualifier is Qualifier.EXACT:
            return self._mark(fid, _capitalized(single, cap))
        if fig.value == 0:
            category = "zero"
        elif report_units.is_scaled(fig.value, fig.qualifier):
            category = "many" if self.lang == "ru" else "other"  # "72 млн тонн"
        elif fig.value == int(fig.value):  # "more than 30" agrees as 30 does
            category = str(Locale.parse(_DATE_LOCALES[self.lang]).plural_form(int(fig.value)))
        form = forms.get(category) or (forms.get("other") if category != "zero" else None)
        if form is None:
            raise ValidationError(
                f"{self.lang} template, {self.where}: figure {fid!r} is "
                f"{format_figure(fig.value, self.lang)} and the sentence has no "
                f"{category!r} form; give one or leave the sentence out with has()"
            )
        if "{n}" in form:
            gender = self._gender(fid, gender, fig)
        text = form.replace("{n}", format_count(fig.value, self.lang, fig.qualifier, case, gender))
        return self._mark(fid, _capitalized(text, cap))

    def qty(self, fid: str, case: str = "") -> str:
        """A measured quantity with its unit as the convention writes it ("13,194 metric
        tonnes", "119,489 mg TEQ"), and a footnote with the GWP basis its records state."""
        fig = self._figure(fid)
        text = report_units.quantity(fig.value, fig.unit, self.lang, fig.qualifier, case)
        note = report_units.basis_note(fig, self.lang)
        return self._mark(fid, text) + (self.fn(note) if note else "")

    def countries(
        self, fid: str, prep: str = "", bare: bool = False, cap: bool = False, case: str = ""
    ) -> str:
        """The figure's countries as a list in running text, each with its UN article
        ("el Brasil, Tailandia y el Uruguay"); ``prep`` is joined to the first name as the
        language contracts it ("del Brasil"), and in French to every name, as French
        repeats it ("au Ghana, au Sénégal et en Sierra Leone"; ``prep="en"`` is the
        preposition of place, chosen by each name's article); ``bare`` drops the articles
        (for brackets). In French and Spanish a short name does not break across lines
        (see ``_unbroken``). ``cap`` capitalizes the list's first letter (a sentence's start:
        "Au Brésil, …"). In Russian ``prep`` and ``case`` decline the names
        (``countries.russian_names``: "в Бразилии, Таиланде и Уругвае", ``case="dative"``
        "Албании, Иордании и Тунису")."""
        fig = self._figure(fid)
        if not fig.items:
            raise ValidationError(
                f"{self.lang} template, {self.where}: figure {fid!r} names no countries; "
                "verify the results behind it or leave the sentence out with has()"
            )
        # Chinese lists them in English name order, as the UN Chinese text does
        # ("柬埔寨、印度尼西亚、尼泊尔、菲律宾和越南", IDB.49 Chinese edition, para. 10)
        order = "en" if self.lang == "zh" else self.lang
        codes = sorted(fig.items, key=lambda c: name_order(country_name(c, order)))
        names = [
            country_name(c, self.lang) if bare else country_in_text(c, self.lang) for c in codes
        ]
        if self.lang == "ru" and (prep or case):
            names = russian_names(codes, prep, case)
        elif prep and self.lang == "fr":  # "au Ghana, au Sénégal et en Sierra Leone"
            names = [country_in_text(c, self.lang, prep) for c in codes]
        elif prep:
            names[0] = country_in_text(codes[0], self.lang, prep)
        if self.lang in ("fr", "es"):
            names = [_unbroken(name) for name in names]
        text = format_list(names, locale=_DATE_LOCALES[self.lang])
        return self._mark(fid, _capitalized(text, cap))

    def org(self, key: str, case: str = "") -> str:
        """A partner's or UN body's name: in the document's language where the UN or the
        organisation has one (``refdata/orgnames``), in ``case`` where a Russian sentence
        declines it ("instrumental"), else as given, marked with its own language."""
        name = org_name(key, self.lang, case or None)
        if name.lang == self.lang:
            return name.text
        return f"{LANG_OPEN}{name.lang}{LANG_MID}{name.text}{LANG_CLOSE}"

    def title(self, text: str) -> str:
        """The title of a publication (a guide, a report, a framework), set in italics in
        English, French and Spanish; in Chinese, Russian and Arabic it is printed as the
        template writes it, with the language's own marks (《》, «»), never in italics.
        Names of organizations, programmes and treaties are not titles of publications."""
        if has_marks(text):
            raise ValidationError(
                f"{self.lang} template, {self.where}: a title of a publication is plain "
                "text; put figures, footnotes and names outside title()"
            )
        return title_marked(text, self.lang)

    def period_year(self, fid: str) -> str:
        fig = self._figure(fid)
        if fig.window is None or fig.window.end is None:
            raise ValidationError(f"figure {fid!r} has no reporting period")
        return self._mark(fid, str(fig.window.end.year), "period")

    def figure_date(self, fid: str) -> str:
        fig = self._figure(fid)
        if fig.last_period_end is None:
            raise ValidationError(f"figure {fid!r} has no dated result")
        return self._mark(fid, self.date(fig.last_period_end), "date")

    def date(self, value: date) -> str:
        return un_date(value, self.lang)

    def fn(self, text: str) -> str:
        self.footnotes.append(text)
        return f"{NOTE_OPEN}{len(self.footnotes)}{NOTE_CLOSE}"

    def render(self, source: str, where: str, extra: Mapping[str, Any] | None = None) -> str:
        self.where = where
        context: dict[str, Any] = {
            "num": self.num,
            "has": self.has,
            "count": self.count,
            "qty": self.qty,
            "countries": self.countries,
            "org": self.org,
            "title": self.title,
            "period_year": self.period_year,
            "figure_date": self.figure_date,
            "fn": self.fn,
            "meta": self.meta,
            **(extra or {}),
        }
        try:
            text = _compiled(source).render(context)
        except jinja2.UndefinedError as exc:
            raise ValidationError(f"{self.lang} template, {where}: {exc.message}") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise ValidationError(f"{self.lang} template, {where}: {exc.message}") from exc
        return typeset(space_han(_ASCII_SPACE.sub(" ", text).strip(), self.lang), self.lang)

    def runs(self, text: str) -> tuple[Run, ...]:
        out: list[Run] = []
        pos = 0
        for match in MARKS.finditer(text):
            if match.start() > pos:
                out.append(Run(text[pos : match.start()]))
            if match.group(6) is not None:
                out.append(Run(match.group(6), title=True))
            elif match.group(4) is not None:
                out.append(Run(match.group(5), lang=match.group(4)))
            elif match.group(3) is not None:
                out.append(Run(match.group(3), footnote=int(match.group(3))))
            else:
                fid, _, part = match.group(1).partition("|")
                out.append(Run(match.group(2), figure=fid, part=part))
            pos = match.end()
        if pos < len(text):
            out.append(Run(text[pos:]))
        return tuple(out)

    def plain(self, text: str) -> str:
        return "".join(run.text for run in self.runs(text) if run.footnote is None)


class _Sentences(jinja2.BaseLoader):
    """Template sentences by their text: the name of a sentence is the sentence."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, None, Callable[[], bool]]:
        return template, None, lambda: True


_ENV = jinja2.Environment(
    loader=_Sentences(),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    cache_size=4096,
    bytecode_cache=jinja2.FileSystemBytecodeCache(),
)
"""One environment for every template sentence (the helpers come in the render context):
each sentence is compiled once per process, and its compiled code kept between processes
in Jinja's per-user cache folder, keyed by the sentence's text."""


def _compiled(source: str) -> jinja2.Template:
    return _ENV.get_template(source)


def _unbroken(name: str) -> str:
    """A country's name in French or Spanish running text with no-break spaces where a line
    must not break: inside a name of two words ("Sierra\u00a0Leone", "Viet\u00a0Nam",
    "Costa\u00a0Rica") and after its article or preposition ("la\u00a0Sierra\u00a0Leone",
    "au\u00a0Ghana"). Longer names ("la République démocratique du Congo") keep ordinary
    spaces after their second word, so that justified lines can still break them."""
    words = name.split(" ")
    lead = 0
    while lead < len(words) - 1 and words[lead] in _LEADS:
        lead += 1
    if len(words) - lead > 2:
        return NBSP.join(words[: lead + 1]) + " " + " ".join(words[lead + 1 :]) if lead else name
    return NBSP.join(words)


_LEADS = frozenset(
    (
        *("le", "la", "les", "au", "aux", "en", "à", "dans", "du", "des", "de"),
        *("el", "los", "las", "al", "del", "a"),
    )
)
"""Articles and prepositions that stand before a country's name in French and Spanish."""


def _capitalized(text: str, cap: bool) -> str:
    """``text`` with its first letter capitalized when it opens a sentence (``cap``)."""
    return text[:1].upper() + text[1:] if cap else text


def _session_texts(template: dict[str, Any], meta: dict[str, Any], lang: str) -> dict[str, str]:
    if "session" not in meta:
        return {"year": str(meta["year"])}
    ordinals = template.get("session_ordinals", {})
    ordinal = ordinals.get(meta["session"])
    if ordinal is None:
        raise NotFoundError(
            f"{lang} template: no ordinal for session {meta['session']} under 'session_ordinals'"
        )
    start, end = meta["start"], meta["end"]
    return {
        "session_ordinal": str(ordinal),
        "session_dates": un_date_range(start, end, lang, "heading"),
        "session_dates_text": un_date_range(start, end, lang, "text"),
    }


def render_document(
    definition: ReportDefinition,
    template: dict[str, Any],
    lang: str,
    figures: Mapping[str, Figure],
    year: int,
    charts: Mapping[str, ChartData] | None = None,
) -> tuple[Document, tuple[str, ...]]:
    """Fill the templates of one language; returns the document and the figures used."""
    check_language(lang)
    meta = definition.session(year)
    r = _Renderer(lang, figures, meta, template.get("counted_nouns"))
    extra = _session_texts(template, meta, lang)
    head_raw = _need(template, lang, "header")
    header_fields = {
        key: r.plain(r.render(str(_need(template, lang, "header", key)), f"header.{key}", extra))
        for key in ("organ", "session", "dates_place", "agenda_item", "title", "subtitle")
    }
    optional = {
        key: r.plain(r.render(str(head_raw[key]), f"header.{key}", extra))
        for key in ("summary", "agenda_title")
        if key in head_raw
    }
    form = document_form.form_fields(meta, lang, r.date) if "session" in meta else {}
    fields: dict[str, Any] = {**header_fields, **optional, **form}
    header = Header(**fields)
    labels = _need(template, lang, "section_labels")
    sections: list[Section] = []
    number = 0
    for index, sdef in enumerate(definition.sections):
        heading = typeset(str(_need(template, lang, "sections", sdef.key)), lang)
        paragraphs = []
        for pkey in sdef.paragraphs:
            source = str(_need(template, lang, "paragraphs", pkey))
            text = r.render(source, f"paragraph {pkey}", extra)
            if not text:  # the template left it out: nothing to report
                continue
            number += 1
            paragraphs.append(Paragraph(key=pkey, number=number, runs=r.runs(text)))
        sections.append(Section(sdef.key, str(labels[index]), heading, tuple(paragraphs)))
    notes = tuple(Footnote(i + 1, text) for i, text in enumerate(r.footnotes))
    direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    refs = chart_refs(definition, template, lang, charts or {}, year)
    document = Document(lang, direction, header, tuple(sections), notes, refs, words(lang))
    return document, tuple(r.used)


def compute_figures(
    db: Database, definition: ReportDefinition, year: int, with_ids: bool = True
) -> dict[str, Figure]:
    """Service call: every figure of a report for ``year``, in one read transaction; a year
    no session of the report covers is an error naming the years it has."""
    definition.session(year)
    with db.transaction() as session:
        return figure_batch.compute_all(session, definition.figure_specs(year), with_ids)


def compute(db: Database, definition: ReportDefinition, year: int) -> Computed:
    """Service call: every figure and chart of a report for ``year``, in one transaction."""
    definition.session(year)
    with db.transaction() as session:
        figs = figure_batch.compute_all(session, definition.figure_specs(year))
        charts = {
            spec.id: chart_queries.compute(session, spec, figs)
            for spec in definition.chart_specs(year)
        }
    return Computed(figs, charts)


def build(
    db: Database,
    name: str,
    year: int,
    lang: str,
    computed: Computed | None = None,
    session_fields: dict[str, Any] | None = None,
) -> BuiltReport:
    """Service call: compute figures and charts (unless given) and render one language;
    ``session_fields`` (symbol, date of issue …, from ``document_form.given_fields``) are
    printed in the header of this build."""
    definition = load_definition(name).with_session_fields(year, session_fields or {})
    template = load_template(name, lang)
    if computed is None:
        computed = compute(db, definition, year)
    document, used = render_document(
        definition, template, lang, computed.figures, year, computed.charts
    )
    return BuiltReport(document, computed.figures, used, definition.name, year, computed.charts)
