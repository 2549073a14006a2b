"""What every IATI element reader shares: the context of one activity and value readers.

A reader reports a problem through the context, which places it (file, line, activity,
element); an error marks the activity as not to be kept, a warning does not.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from greenfolio.domain.exchange import Problem, Severity
from greenfolio.domain.iati import Narratives, OrgRef
from greenfolio.domain.languages import has_language_tag_shape
from greenfolio.domain.text import first_bad_multiline, quoted
from greenfolio.domain.text import problem as text_problem
from greenfolio.services.exchange import codelists

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FALLBACK_LANGUAGE = "en"
INF = float("inf")
ORGANISATION_TYPES = codelists.codes("OrganisationType")
CURRENCIES = codelists.codes("Currency")


class Context:
    """What the readers of one activity share: where we are and what went wrong."""

    __slots__ = ("failed", "fallback_used", "file", "ident", "lang", "legacy", "problems")

    def __init__(self, file: str, legacy: bool) -> None:
        self.file = file
        self.legacy = legacy
        self.lang: str | None = None
        self.ident: str | None = None
        self.problems: list[Problem] = []
        self.failed = False
        self.fallback_used = False

    def report(self, el: etree._Element, message: str, severity: Severity) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        self.problems.append(
            Problem(
                message,
                severity=severity,
                file=self.file,
                line=el.sourceline,
                activity=self.ident,
                element=tag,
            )
        )
        if severity is Severity.ERROR:
            self.failed = True

    def warn(self, el: etree._Element, message: str) -> None:
        self.report(el, message, Severity.WARNING)

    def error(self, el: etree._Element, message: str) -> None:
        self.report(el, message, Severity.ERROR)

    def language(self, el: etree._Element) -> str:
        lang = el.get(XML_LANG)
        if lang:
            return str(lang).strip().lower()
        if self.lang:
            return self.lang
        self.fallback_used = True
        return FALLBACK_LANGUAGE


def text_of(el: etree._Element | None) -> str:
    if el is None or el.text is None:
        return ""
    return str(el.text).strip()


def read_date(ctx: Context, el: etree._Element, raw: str | None, what: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    text = raw.strip()
    try:
        if len(text) > 10 and text[10] in "Z+-T":
            text = text[:10]
        return date.fromisoformat(text)
    except ValueError:
        ctx.error(el, f"{what} {quoted(raw)} is not a date (write YYYY-MM-DD)")
        return None


def read_number(ctx: Context, el: etree._Element, raw: str | None, what: str) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        ctx.error(el, f"{what} {quoted(raw)} is not a number")
        return None
    if value != value or value in (float("inf"), float("-inf")):
        ctx.error(el, f"{what} {quoted(raw)} is not a finite number")
        return None
    return value


def whole_number(text: str) -> int | None:
    """``text`` as a whole number if it is one of at most 18 ASCII digits (a level or a
    year; longer is no such thing, and Python refuses to read more than 4,300)."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def read_boolean(raw: str | None) -> bool | None:
    if raw is None:
        return None
    text = raw.strip().lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    return None


def _clean(ctx: Context, el: etree._Element, text: str) -> bool:
    """Whether ``text`` passes the text rule (no control characters); if not, an error."""
    found = text_problem(text, multiline=True)
    if found is None:
        return True
    ctx.error(el, f"the text {found}")
    return False


MOST_NARRATIVES = 50
"""Narratives kept of one element, one a language: IATI's codelist of languages is long,
but no title is written in fifty (a hostile file gave one 20,000)."""


def narratives(ctx: Context, el: etree._Element) -> Narratives:
    """The narratives of ``el`` by language; in 1.0x files the element's own text."""
    out: Narratives = {}
    found = False
    inherited: str | None = None
    for child in el:
        if child.tag != "narrative":
            continue
        found = True
        text = child.text
        if not text:
            continue
        text = text.strip()
        if not text or (first_bad_multiline(text) is not None and not _clean(ctx, child, text)):
            continue
        lang = child.get(XML_LANG)
        if not lang:
            inherited = inherited or enclosing_language(el)
            lang = inherited
        if lang:
            lang = lang.strip().lower()
            if not has_language_tag_shape(lang):
                ctx.warn(
                    child,
                    f"xml:lang {quoted(lang[:40])} is not a language code (ISO 639, such as en or "
                    "fr); the narrative is left out",
                )
                continue
        elif ctx.lang:
            lang = ctx.lang
        else:
            ctx.fallback_used = True
            lang = FALLBACK_LANGUAGE
        if lang in out:
            ctx.warn(child, f"a second narrative in language {quoted(lang)} is left out")
            continue
        if len(out) >= MOST_NARRATIVES:
            ctx.warn(
                child,
                f"more than {MOST_NARRATIVES} narratives in one element (one a language): "
                "the rest are left out",
            )
            break
        out[lang] = text
    if not found and ctx.legacy:
        text = text_of(el)
        if text and _clean(ctx, el, text):
            out[ctx.language(el)] = text
    return out


def enclosing_language(el: etree._Element) -> str | None:
    """The xml:lang of ``el`` or of the nearest element around it inside the activity (a
    narrative is in the language its enclosing elements declare, XML 1.0 section 2.12:
    ``<participating-org xml:lang="es">``); None where only the activity's applies."""
    node: etree._Element | None = el
    while node is not None and node.tag != "iati-activity":
        lang = node.get(XML_LANG)
        if lang and lang.strip():
            return str(lang)
        node = node.getparent()
    return None


def read_org(ctx: Context, el: etree._Element) -> OrgRef:
    ref = el.get("ref")
    if ref:
        ref = ref.strip() or None
    org_type = el.get("type")
    if org_type and org_type not in ORGANISATION_TYPES:
        org_type = org_type.strip()
        if org_type not in ORGANISATION_TYPES:
            if org_type and not ctx.legacy:
                ctx.warn(
                    el,
                    f"organisation type {quoted(org_type)} is not in the OrganisationType codelist",
                )
            org_type = None
    return OrgRef(ref or None, org_type or None, narratives(ctx, el))


def read_currency(ctx: Context, el: etree._Element, raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if code not in CURRENCIES:
        ctx.warn(
            el, f"currency {quoted(raw)} is not in the Currency codelist; value kept without it"
        )
        return None
    return code
