"""The "Sources of the figures" of a report document, in the document's language.

``services.explain`` gives a figure's provenance as stored (query name, parameters,
values, codes) for the API and the provenance JSON. A reader of the document needs the
same facts in words: what is counted and how, its filters named (indicator, programme,
stage), each value printed as the text prints it (number and unit words from
``reports/units.yaml``), countries by their UN names and dates in UN style. No internal
code reaches this text; a parameter or value without words is an error naming the file
to complete, as a template without words is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from greenfolio.domain.classification import Scheme
from greenfolio.domain.countries import country_name
from greenfolio.domain.document import Document
from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.indicators import Indicator
from greenfolio.domain.numbers import format_figure
from greenfolio.domain.org_names import org_name
from greenfolio.domain.results import Qualifier
from greenfolio.domain.run_citation import cited_activity, cited_run
from greenfolio.domain.typography import typeset
from greenfolio.domain.un_dates import un_date, un_date_range
from greenfolio.refdata import loader
from greenfolio.services import report_units
from greenfolio.services.figures import FUNDER, TERM_FILTERS


@dataclass(frozen=True)
class SourceResult:
    """One result behind a figure, as a row of the sources table."""

    record: int
    value: str
    period: str
    work: str
    work_lang: str
    """The language the activity's title is written in (the document's where it has one)."""
    citation: str
    evidence: str


@dataclass(frozen=True)
class SourceEntry:
    """One printed figure: what it is, where the text prints it, and how it was found."""

    anchor: str
    """The figure's id: the target of the text's links, never printed."""
    title: str
    paragraphs: tuple[int, ...]
    value: str
    query: str
    parameters: tuple[tuple[str, str, str], ...]
    """(name, value, language of the value): an activity's title may exist only in the
    language it was entered in, and is printed as given, marked with its language."""
    period: str
    basis: str
    results: tuple[SourceResult, ...]
    results_total: int
    method_runs: tuple[str, ...]


@lru_cache(maxsize=1)
def _schemes() -> dict[str, Scheme]:
    return loader.schemes()


@lru_cache(maxsize=1)
def _indicators() -> dict[str, Indicator]:
    return loader.indicators()


@lru_cache(maxsize=1)
def _method_names() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = loader.read_yaml("greenfolio.reports", "method_names.yaml")[
        "methods"
    ]
    return data


def _named(names: Mapping[str, str], lang: str, what: str) -> str:
    name = names.get(lang)
    if not name:
        raise NotFoundError(f"{what} has no {lang} name")
    return str(name)


def _word(words: Mapping[str, str], key: str) -> str:
    if key not in words:
        raise NotFoundError(f"reports/labels.yaml has no words for {key!r}")
    return words[key]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _term(scheme: str, code: str, lang: str) -> str:
    found = _schemes().get(scheme)
    if found is None:
        raise NotFoundError(f"refdata/classifications.yaml has no scheme {scheme!r}")
    for term in found.terms:
        if term.code == code:
            label = f"({term.label}) " if term.label else ""
            return label + _named(term.names, lang, f"term {scheme}:{code}")
    raise NotFoundError(f"refdata/classifications.yaml has no term {code!r} in {scheme!r}")


def in_language(texts: Mapping[str, str] | str, lang: str) -> tuple[str, str]:
    """A stored text in ``lang`` if it has one, else as given (English first) with the
    language it is written in; never a made-up translation."""
    if isinstance(texts, str):
        return texts, ""
    for code in (lang, "en", *sorted(texts)):
        if texts.get(code):
            return str(texts[code]), code
    return "", lang


def _codes(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _parameter(
    key: str,
    value: Any,
    lang: str,
    words: Mapping[str, str],
    works: Mapping[str, Any],
    funders: Mapping[str, Any] | None = None,
) -> tuple[str, str] | tuple[str, str, str]:
    """A figure's parameter as a (name, value) pair of words, or (name, value, language)
    for an activity's title."""
    if key == FUNDER:
        names: list[str] = []
        for code in _codes(value):  # those stored: the others are alternatives unused
            found = (funders or {}).get(code)
            if found is None:
                continue
            try:  # the name the UN or the organisation uses in ``lang``
                name = org_name(code, lang).text
            except NotFoundError:  # else as stored
                name = in_language(found, lang)[0] or code
            if name not in names:
                names.append(name)
        # none stored (a portfolio the organisation funds nothing of): as the definition
        # names them
        return _word(words, "param_funder"), "; ".join(names or _codes(value))
    if key in TERM_FILTERS:
        scheme = _schemes()[key]
        label = _named(scheme.names, lang, f"scheme {key}")
        return label, "; ".join(_term(key, c, lang) for c in _codes(value))
    if key == "indicator":
        ind = _indicators()[str(value)]
        return _word(words, "param_indicator"), _named(ind.names, lang, f"indicator {value}")
    if key == "scheme":
        scheme = _schemes()[str(value)]
        return _word(words, "param_scheme"), _named(scheme.names, lang, f"scheme {value}")
    if key == "work":
        title = works.get(str(value))
        if title is None:
            raise NotFoundError(f"no title for the activity {value!r} of a figure's parameters")
        text, text_lang = in_language(title, lang)
        return _word(words, "param_work"), text, text_lang
    if key == "country":
        names = [country_name(c, lang) for c in _codes(value)]
        return _word(words, "param_country"), ", ".join(names)
    if key == "unit":
        return _word(words, "param_unit"), report_units.axis_label(str(value), lang) or ""
    if key in ("status", "sex", "kind"):
        values = [_word(words, f"{key}_{c}") for c in _codes(value)]
        return _word(words, f"param_{key}"), ", ".join(values)
    raise NotFoundError(
        f"the sources section has no words for the parameter {key!r}: add them to "
        "services/report_sources.py and reports/labels.yaml"
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _period(start: str | None, end: str | None, lang: str) -> str:
    first, last = _date(start), _date(end)
    if first and last:
        return un_date_range(first, last, lang, "heading")
    if first or last:
        return un_date(first or last, lang)  # type: ignore[arg-type]
    return ""


def _value(value: float, unit: str, qualifier: str, lang: str) -> str:
    qual = Qualifier(qualifier)
    if report_units.has_words(unit):
        return report_units.quantity(value, unit, lang, qual)
    return format_figure(value, lang, qual)


def _citation(row: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """A record's source as given; the one stored in English for a result a method run
    made ("method run 7 (ghg.mitigation)") in the document's words ("calcul 7"), the run
    being listed with its method under the figure."""
    text = str(row.get("citation") or "")
    cited = cited_run(text)
    if cited is None:
        activity = cited_activity(text)
        return (
            text
            if activity is None
            else _word(words, "iati_activity_cited").format(activity=activity)
        )
    run = row.get("method_run_id") or cited[0]
    return _word(words, "method_run_cited").format(run=run)


def _result(row: Mapping[str, Any], lang: str, words: Mapping[str, str]) -> SourceResult:
    parts = [_value(float(row["value"]), str(row["unit"]), str(row["qualifier"]), lang)]
    if row.get("country"):
        parts.append(country_name(str(row["country"]), lang))
    if row.get("milestone"):
        parts.append(_word(words, f"status_{row['milestone']}"))
    if row.get("sex"):
        parts.append(_word(words, f"sex_{row['sex']}"))
    work, work_lang = in_language(row.get("work_title") or {}, lang)
    return SourceResult(
        record=int(row["id"]),
        value=typeset(" · ".join(parts), lang),
        period=_period(row.get("period_start"), row.get("period_end"), lang),
        work=work,
        work_lang=work_lang if work_lang != lang else "",
        citation=_citation(row, words),
        evidence=str(row.get("evidence") or row.get("note") or ""),
    )


def _query(data: Mapping[str, Any], words: Mapping[str, str]) -> str:
    if data["query"] == "indicator":
        ind = _indicators()[str(data["parameters"]["indicator"])]
        return _cap(_word(words, f"query_{ind.aggregation.value}"))
    return _cap(_word(words, f"query_{data['query']}"))


def _title(data: Mapping[str, Any], lang: str, words: Mapping[str, str]) -> str:
    params = data["parameters"]
    if data["query"] == "indicator":
        ind = _indicators()[str(params["indicator"])]
        return _cap(_named(ind.names, lang, f"indicator {ind.code}"))
    if "scheme" in params:
        return _named(_schemes()[str(params["scheme"])].names, lang, "scheme")
    return _cap(_word(words, f"query_{data['query']}"))


def _method_run(run: Mapping[str, Any], lang: str, words: Mapping[str, str]) -> str:
    names = _method_names().get(str(run.get("method")))
    if names is None:
        raise NotFoundError(f"reports/method_names.yaml has no method {run.get('method')!r}")
    return _word(words, "method_run_line").format(
        method=_named(names, lang, f"method {run.get('method')}"),
        run=run.get("run_id", ""),
        version=run.get("method_version", ""),
        refdata=run.get("refdata_version", ""),
    )


def _typeset_parameter(
    param: tuple[str, str] | tuple[str, str, str], lang: str
) -> tuple[str, str, str]:
    name, value = param[0], param[1]
    value_lang = param[2] if len(param) == 3 else lang
    if value_lang == lang:
        return typeset(name, lang), typeset(value, lang), ""
    return typeset(name, lang), value, value_lang


def _paragraphs(doc: Document) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for section in doc.sections:
        for para in section.paragraphs:
            number = para.number
            for run in para.runs:
                if number is None or not run.figure:
                    continue
                if number not in found.setdefault(run.figure, []):
                    found[run.figure].append(number)
    return {fid: tuple(numbers) for fid, numbers in found.items()}


def entries(
    doc: Document, explanations: Mapping[str, Mapping[str, Any]]
) -> tuple[SourceEntry, ...]:
    """The sources section of ``doc``: each explained figure in the document's words."""
    lang = doc.lang
    words = doc.words
    where = _paragraphs(doc)
    out: list[SourceEntry] = []
    for fid, data in explanations.items():
        rows: Sequence[Mapping[str, Any]] = data.get("results") or []
        works = dict(data.get("work_titles") or {})
        funders = dict(data.get("funder_names") or {})
        params = tuple(
            _parameter(key, value, lang, words, works, funders)
            for key, value in data["parameters"].items()
        )
        period = data.get("period") or {}
        basis = ""
        if data.get("basis"):
            basis = str(data["basis"]) if data.get("basis_stated") else words["basis_not_stated"]
        out.append(
            SourceEntry(
                anchor=fid,
                title=typeset(_title(data, lang, words), lang),
                paragraphs=where.get(fid, ()),
                value=typeset(
                    _value(float(data["value"]), str(data["unit"]), str(data["qualifier"]), lang),
                    lang,
                ),
                query=typeset(_query(data, words), lang),
                parameters=tuple(_typeset_parameter(p, lang) for p in params),
                period=_period(period.get("start"), period.get("end"), lang),
                basis=basis,
                results=tuple(_result(r, lang, words) for r in rows),
                results_total=int(data.get("results_total", len(rows))),
                method_runs=tuple(
                    typeset(_method_run(run, lang, words), lang)
                    for run in data.get("method_runs") or []
                ),
            )
        )
    return tuple(out)
