"""Words for stored codes: every unit, status, kind, form choice, review step, role, sort
order, classification term, audited field and actor a page or a list download shows, in
the reader's language, from one place (below both the pages and the downloads).

The words live in the message catalogues (``messages/<lang>.yaml``, read by
``refdata.catalogue``, which the command line reads its English words from too) under keys
``<group>_<code>``; :data:`GROUPS` lists every code a page may show, so a test can check
that each has a label in all six languages. Classification terms take their names from
the classification tables (``refdata/classifications.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Protocol

from babel import Locale

from greenfolio.domain.countries import country_name
from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.file_types import KINDS
from greenfolio.domain.indicators import Aggregation
from greenfolio.domain.languages import CLDR_LOCALES
from greenfolio.domain.numbers import SCALE_FROM
from greenfolio.domain.results import Milestone, Qualifier, ReviewState, Sex, ValueKind
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.refdata.catalogue import catalogue as catalogue  # the pages' lookup, re-exported
from greenfolio.refdata.catalogue import key_of
from greenfolio.refdata.loader import read_yaml, schemes
from greenfolio.services.demo import DEMO_REVIEWER


def country(code: str | None, lang: str) -> str:
    """A country's name in ``lang``; a code that is not a country is shown as stored, so
    one odd record never breaks a page or a download."""
    if not code:
        return ""
    try:
        return country_name(code, lang)
    except GreenfolioError:
        return code


class Texts(Protocol):
    lang: str

    def __call__(self, key: str, /, **values: Any) -> str: ...

    def has(self, key: str) -> bool: ...

    def text(self, names: Mapping[str, Any] | None) -> str: ...

    def country(self, code: str | None) -> str: ...


class Sentences(Texts, Protocol):
    """What an audit event's sentences need besides words: numbers, dates, times and
    file sizes in the reader's language (``http.translator.Translator``)."""

    def num(self, value: float | None, qualifier: str = "exact") -> str: ...

    def money(self, value: float | None) -> str: ...

    def date(self, value: Any) -> str: ...

    def when(self, stamp: str | None) -> str: ...

    def stated(self, text: str | None) -> str: ...

    def size(self, size: int) -> str: ...


UNITS = (
    "t", "kg", "g", "mg_TEQ", "g_TEQ", "ng_TEQ", "tCO2e", "ktCO2e", "MtCO2e", "ODP_tonne",
    "ODP_t", "country", "project", "policy", "publication", "person", "institution", "event",
    "park", "value_chain", "alliance", "accreditation", "MW", "GWh", "USD",
    "count", "percent", "dimensionless",  # IATI indicator measures (domain.iati)
)  # fmt: skip
METHODS = (
    "montreal.convert", "montreal.limits", "montreal.compliance", "stockholm.upops_releases",
    "stockholm.upops_avoided", "stockholm.stockpile", "minamata.inventory", "minamata.asgm",
    "ghg.grid_factor", "ghg.mitigation",
)  # fmt: skip
SORTS = (
    "key",
    "-key",
    "start",
    "-start",
    "-updated",
    "status",
    "-id",
    "id",
    "-period_end",
    "period_end",
    "-value",
    "value",
)
ENTITIES = (
    "result", "work_item", "review_event", "app_user", "role_grant", "term", "indicator",
    "organisation", "method_run", "api_token", "result_revision", "iati_indicator",
    "evidence_file", "account_link",
)  # fmt: skip
FIELDS = (
    "value", "unit", "qualifier", "kind", "period_start", "period_end", "milestone", "country",
    "sex", "entity", "evidence", "citation", "indicator_code", "review_state", "review_note",
    "key", "title", "description", "status", "start_date", "end_date", "username",
    "display_name", "active", "role", "scope", "names", "name", "work_id", "result_id",
    "action", "from_state", "to_state", "note", "actor", "entered_by", "revised_by",
    "submitted_by", "method_run_id", "currency", "language", "details", "origin", "dimensions",
    "filename", "sha256", "size", "state", "uploaded_by", "ended_by",
    "email", "used_at", "expires_at", "created_by",
    # A project's child rows, its IATI dates (``details``) and a record's kind, each under
    # a name of its own, so no two lines of one event read alike.
    "work_country", "work_term", "work_org", "work_sector", "work_region", "work_finance",
    "dates", "record_kind",
)  # fmt: skip
ORIGINS = ("demo", "iati", "mlf_apr", "xlsx")
"""Where a record came from (``origin``: the demo, an import), as :func:`origin` names it."""
HIDDEN_FIELDS = frozenset(
    {"id", "password_hash", "version", "created_at", "updated_at", "at", "hash", "secret_hash",
     "token_hash", "prefix", "import_digest", "iati_updated", "output_key", "origin", "scheme",
     "code", "ordinal", "label", "iati_ref", "data", "media_type", "uploaded_at", "ended_at",
     "purpose"}
)  # fmt: skip
GROUPS: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in WorkStatus),
    "work_kind": tuple(k.value for k in WorkKind),
    "value_kind": tuple(k.value for k in ValueKind),
    "qualifier": tuple(q.value for q in Qualifier),
    "milestone": tuple(m.value for m in Milestone),
    "sex": tuple(s.value for s in Sex),
    "role": tuple(r.value for r in OrgRole),
    "state": tuple(s.value for s in ReviewState),
    "review_action": ("submit", "verify", "return"),
    "unit": (*UNITS, "term"),  # "term": a figure counting a scheme's terms (core functions)
    "method": METHODS,
    "sort": tuple(s.replace("-", "desc_") for s in SORTS),
    "entity": ENTITIES,
    "field": FIELDS,
    "evidence_state": ("current", "replaced", "withdrawn"),
    "file_kind": tuple(KINDS),
    "origin": ORIGINS,
    "aggregation": tuple(a.value for a in Aggregation),
    "mail_status": ("pending", "sent", "failed"),  # services.mailer's outcomes
}


def label(tr: Texts, group: str, code: str | None) -> str:
    """The word for ``code`` of ``group``; a code without one is shown as it is stored
    (a free-text unit a user typed, say), never as a key."""
    if not code:
        return ""
    key = key_of(group, str(code))
    return tr(key) if tr.has(key) else str(code)


@cache
def unit_forms() -> dict[str, dict[str, dict[str, str]]]:
    data = read_yaml("greenfolio.interfaces.http", "unit_forms.yaml")
    return {str(lang): dict(forms) for lang, forms in data.items()}


GENITIVE_AFTER_QUALIFIER = {"ru"}
"""Languages whose words for "more than" and "about" (более, около) govern the genitive:
the counted noun is then in the genitive of the numeral ("более 2 мер политики", "около
21 страны", "более 5 стран"), not in the form a bare number takes ("2 меры политики")."""
_GENITIVE_CATEGORY = {"one": "few", "few": "many"}
"""Russian: after a genitive, "one" takes the genitive singular (the "few" forms) and
"few" the genitive plural (the "many" forms, the catalogue's words)."""


def counted_unit(tr: Texts, code: str | None, value: float | None, qualifier: str = "exact") -> str:
    """The unit after a number, in the plural form CLDR gives that number in the reader's
    language ("1 country", "21 страна", "12 بلدًا"), and after "more than" or "about" in
    the case those words govern ("более 2 мер политики"); units without forms (t, MW) as
    :func:`label` gives them."""
    word = label(tr, "unit", code)
    if value is None or not code:
        return word
    forms = unit_forms().get(tr.lang)
    if not forms:
        return word
    number = int(value) if float(value).is_integer() else value
    category = str(Locale.parse(CLDR_LOCALES.get(tr.lang, tr.lang)).plural_form(number))
    if qualifier != "exact" and tr.lang in GENITIVE_AFTER_QUALIFIER:
        # "около 72 млн человек": after a scale word (a large approximate value), the plural
        scaled = value >= SCALE_FROM
        category = "many" if scaled else _GENITIVE_CATEGORY.get(category, category)
    elif qualifier != "exact" and f"{category}_after_qualifier" in forms:
        category = f"{category}_after_qualifier"  # Arabic: "أكثر من 2 سياستين"
    return str(forms.get(category, {}).get(code, word))


def finance(tr: Texts, kind: str | None, code: str | None) -> str:
    """A budget or a transaction by its IATI type, in words ("Disbursement", "Budget
    (revised)"); a type the codelists lack as the kind alone."""
    key = f"finance_{kind}_{code}" if code else ""
    return str(tr(key)) if key and tr.has(key) else str(tr(f"finance_{kind or 'transaction'}"))


def origin(tr: Texts, code: str) -> str:
    """What wrote a record ("an IATI import"); stored codes spell ``mlf-apr`` with a dash."""
    return label(tr, "origin", code.replace("-", "_"))


def field(tr: Texts, name: str) -> str:
    key = key_of("field", name)
    return tr(key) if tr.has(key) else tr("field_other")


def term(tr: Texts, key: str) -> str:
    """A classification term ``scheme:code`` as "Scheme: name" in the visitor's language."""
    scheme_code, _, code = key.partition(":")
    scheme = schemes().get(scheme_code)
    if scheme is None:
        return code or key
    for t in scheme.terms:
        if t.code == code:
            return labelled(t.label, tr.text(t.names), tr.lang)
    return code


ABJAD = dict(zip("abcdefgh", ("أ", "ب", "ج", "د", "هـ", "و", "ز", "ح"), strict=True))
"""Latin list letters as Arabic UN documents write them, in abjad order ("(أ)", "(ب)",
"(ج)", as the Board report's Arabic template has them). Eight are enough for the lists
the classifications hold; "i", "v" and "x" are roman numerals there, kept as written."""


def labelled(label: str | None, name: str, lang: str = "en") -> str:
    """A term's name after its label as UN documents write a list: a letter or roman
    numeral in brackets ("(i) technical cooperation", "(c) national commitments …"; in
    Arabic "(ج)", in Russian "c)"), a number as it is ("12.4 sound management of chemicals
    and wastes")."""
    if not label:
        return name
    if not label.isalpha():
        return f"{label} {name}".strip()
    if lang == "ru":
        return f"{label}) {name}".strip()
    return f"({list_letter(label, lang)}) {name}".strip()


def list_letter(label: str, lang: str) -> str:
    """A list's letter as ``lang`` writes it: Arabic in abjad order ("c" → "ج")."""
    return ABJAD.get(label, label) if lang == "ar" else label


def scheme_name(tr: Texts, code: str) -> str:
    scheme = schemes().get(code)
    return tr.text(scheme.names) if scheme else code


def actor(tr: Texts, who: str | None, names: dict[str, str] | None = None) -> str:
    """Who did it, as a person reads it: a user's display name (or user name), "root
    (command line)", the demo loader."""
    if not who:
        return ""
    if who == DEMO_REVIEWER:
        return tr("actor_demo_reviewer")
    kind, sep, name = who.partition(":")
    if not sep:
        key = f"actor_{who}"
        return tr(key) if tr.has(key) else who
    if kind == "user":
        return (names or {}).get(name) or name
    if kind in ("cli", "local"):
        return tr(f"actor_{kind}", name=name)
    return name


def scope(tr: Texts, text: str) -> str:
    """A grant's scope as stored ("all", "programme:pops", "country:BRA", "project:KEY")."""
    kind, _, value = str(text).partition(":")
    if kind == "all":
        return tr("scope_all")
    if kind == "programme":
        return tr("scope_programme", code=term(tr, text))
    if kind == "country":
        return tr.country(value)
    if kind == "project":
        return tr("scope_project", key=value)
    return str(text)


def grant(tr: Texts, role: str, where: str) -> str:
    """A role on a scope: "Editor (all projects)"."""
    return tr("role_scope", role=label(tr, "role", role), scope=scope(tr, where))
