"""The form of a governing-body document's header: symbol, distribution, date of issue,
languages, and the header's own footnotes (reissue note, provisional agenda) and notices.

Each line comes from a field of the report's session in ``definition.yaml``; the fixed words
come from ``reports/document_form.yaml``. A field the session does not give is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from babel.dates import format_date

from greenfolio.domain.document import HeaderNote
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.typography import typeset
from greenfolio.refdata.loader import read_yaml

SESSION_FIELDS = (
    "symbol",
    "distribution",
    "issued",
    "original_language",
    "provisional_agenda_symbol",
    "reissued",
    "paper_economy",
)
"""The header fields a session may carry in definition.yaml (besides dates and agenda item)."""

GIVEN_AT_BUILD = ("symbol", "issued", "original_language")
"""The fields the secretariat gives once a document is registered, after the definition was
written: ``report build --symbol --issued --original-language`` sets them for one build."""

_SYMBOL = re.compile(r"[A-Z][A-Za-z]*(?:\.[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)+")
"""A United Nations document symbol: IDB.49/8, GC.18/Res.7, IDB.45/8/Add.2, PBC.37/1/Add.1."""

FIRST_ISSUE = date(1946, 1, 10)
"""The first session of the General Assembly opened (London, 10 January 1946): no United
Nations document is dated earlier."""

_BLOCK_LOCALES = {"en": "en_GB", "fr": "fr", "es": "es"}
ANCHORS = ("symbol", "agenda_item", "title")
"""Header lines that can carry a footnote mark, in reading order (marks go * then **)."""


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    table: dict[str, Any] = read_yaml("greenfolio.reports", "document_form.yaml")
    return table


def _as_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(
            f"session field {field!r} is {value!r}: write a date as YYYY-MM-DD"
        ) from exc


def given_fields(
    symbol: str | None, issued: str | None, original_language: str | None
) -> dict[str, Any]:
    """The header fields given for one build, checked; a bad one is refused with its fix."""
    out: dict[str, Any] = {}
    if symbol is not None:
        symbol = symbol.strip()
        if len(symbol) > 60 or not _SYMBOL.fullmatch(symbol):
            raise ValidationError(
                f"document symbol {symbol!r} is not a United Nations symbol: write it as "
                "printed, e.g. IDB.49/8 or IDB.45/8/Add.2",
            )
        out["symbol"] = symbol
    if issued is not None:
        try:
            day = date.fromisoformat(issued.strip())
        except ValueError:
            raise ValidationError(
                f"date of issue {issued!r} is not a date: write it as YYYY-MM-DD, e.g. 2021-05-26",
            ) from None
        if not FIRST_ISSUE <= day <= date.today() + timedelta(days=366):
            raise ValidationError(
                f"date of issue {issued!r} is not a day a United Nations document was issued "
                f"on (from {FIRST_ISSUE.isoformat()} to a year from today): check the year",
            )
        out["issued"] = day
    if original_language is not None:
        code = original_language.strip().lower()
        codes = _words()["language_names"]["en"]["original"]
        if code not in codes:
            raise ValidationError(
                f"original language {original_language!r}: give a language code "
                f"({', '.join(codes)})",
            )
        out["original_language"] = code
    return out


def block_language(lang: str) -> str:
    return str(_words()["block_language"][lang])


def form_fields(
    meta: Mapping[str, Any], lang: str, local_date: Callable[[date], str]
) -> dict[str, Any]:
    """The header fields of one language edition from the session ``meta``.

    ``local_date`` writes a date in the document's language (the reissue note); dates in the
    distribution block are written in the block's language.
    """
    words = _words()
    block = block_language(lang)
    out: dict[str, Any] = {"block_lang": block}
    if meta.get("symbol"):
        out["symbol"] = str(meta["symbol"])
    if meta.get("distribution"):
        kinds = words["distribution"]
        kind = str(meta["distribution"])
        if kind not in kinds:
            raise ValidationError(
                f"session distribution {kind!r}: choose one of {', '.join(kinds)}"
            )
        out["distribution"] = str(kinds[kind][block])
    if meta.get("issued"):
        issued = _as_date(meta["issued"], "issued")
        out["date_of_issue"] = str(format_date(issued, format="long", locale=_BLOCK_LOCALES[block]))
    original = meta.get("original_language")
    if original:
        names = words["language_names"][block]
        if original not in names["original"]:
            raise ValidationError(
                f"session original_language {original!r}: give a language code "
                f"({', '.join(names['original'])})"
            )
        if original != lang:
            out["language"] = str(names["line"][lang])
        out["original_language"] = str(words["original"][block]).format(
            language=names["original"][original]
        )
    if meta.get("paper_economy"):
        notice = str(words["paper_economy"][lang])
        out["paper_economy"] = typeset(notice, lang) if lang == "ru" else notice
    out["notes"] = _notes(meta, lang, local_date, has_symbol="symbol" in out)
    return out


def _notes(
    meta: Mapping[str, Any], lang: str, local_date: Callable[[date], str], has_symbol: bool
) -> tuple[HeaderNote, ...]:
    """The header's footnotes, marked *, ** … in the reading order of the lines they sit on:
    the reissue note on the symbol (on the title when the symbol is not known), the
    provisional agenda's symbol on the agenda item."""
    pending: list[tuple[str, str]] = []
    if meta.get("reissued"):
        when = local_date(_as_date(meta["reissued"], "reissued"))
        text = str(_words()["reissued"][lang]).format(date=when)
        text = text.replace("..", ".")  # a date ending in an abbreviation ("2021 г.")
        if lang in ("zh", "ru"):
            text = typeset(text, lang)  # "2021年6月2日", "2\u00a0июня 2021\u00a0года"
        pending.append(("symbol" if has_symbol else "title", text))
    if meta.get("provisional_agenda_symbol"):
        pending.append(("agenda_item", f"{meta['provisional_agenda_symbol']}."))
    pending.sort(key=lambda item: ANCHORS.index(item[0]))
    return tuple(
        HeaderNote("*" * (i + 1), anchor, text) for i, (anchor, text) in enumerate(pending)
    )
