"""Refusals in the visitor's language.

A refusal (``GreenfolioError``) may carry a ``message_id`` and ``params``; its text on a
page is the catalogue's ``err_<message_id>`` filled with those params, each said the way
the reader knows it: a field by the form's label, a role and an action as words, grants
as "role (scope)", a wait as a duration, lists joined the language's way. A refusal
without an id (or with one the catalogue lacks) shows its English text.

Pydantic checks that carry the same id in their ``ctx`` (the text and key rules inside
input models) are rendered the same way; pydantic's own checks (a missing field, a text
too long, a number out of range, a date, a number or a choice that does not read) are
said by their error type with the field's label, never in pydantic's English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pydantic
from babel.dates import format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal

from greenfolio.domain.errors import GreenfolioError, Problems
from greenfolio.interfaces.http.labels import label
from greenfolio.interfaces.web.i18n import CLDR, Translator, endonym
from greenfolio.refdata.loader import indicators

_FIELD_PATH = re.compile(r"^(?P<name>[a-z_]+)(?:\.(?P<lang>[a-z]{2}))?(?:\[\d+\])?$")
_FILTER = re.compile(r"^the filter '(?P<name>[a-z_]+)'$")
_PHRASES = {
    "the search": "search",
    "the note": "return_reason",
    "the user name": "username",
    "the display name": "display_name",
    "the token name": "token_name",
}
"""Fields the services name in English phrases, and their labels' catalogue keys."""
_LABELS = {"q": "search", "start": "period_start", "end": "period_end", "kind": "kind"}


def field_label(tr: Translator, field: str) -> str:
    """A field (``title.fr``, ``the search``, ``the filter 'country'``) as the form's
    label in ``tr``'s language, e.g. « Titre (English) »; an unknown path as given."""
    if field in _PHRASES:
        return tr(_PHRASES[field])
    if (found := _FILTER.match(field)) is not None:
        field = found["name"]
    match = _FIELD_PATH.match(field)
    if match is None:
        return field
    key = _LABELS.get(match["name"], match["name"])
    if not tr.has(key):
        return field
    label = tr(key)
    lang = match["lang"]
    return f"{label} ({endonym(lang)})" if lang and lang in CLDR else label


def _grant(tr: Translator, grant: Mapping[str, Any]) -> str:
    role = tr(f"role_{grant.get('role')}")
    kind, value = grant.get("scope"), str(grant.get("value") or "")
    if kind == "all":
        scope = tr("scope_all")
    elif kind == "country":
        scope = tr.country(value)
    elif kind == "programme":
        scope = tr("scope_programme", code=_ltr(tr, value))
    else:
        scope = tr("scope_project", key=_ltr(tr, value))
    return tr("role_scope", role=role, scope=scope)


def _char(tr: Translator, char: str) -> str:
    if char == " ":
        return tr("char_space")
    if not char.isprintable() or char.isspace():
        return _ltr(tr, f"U+{ord(char):04X}")
    return tr("quoted", text=_ltr(tr, char))


def _joined(tr: Translator, items: Sequence[str]) -> str:
    return format_list(list(items), locale=CLDR[tr.lang]) if items else tr("none")


LTR_NAMES = frozenset(
    {
        "char",
        "key",
        "project",
        "part",
        "code",
        "near",
        "start_stated",
        "end_stated",
        "username",
        "typed",
    }
)
"""Params written in Latin letters whatever the language (keys, codes, code points)."""


def _ltr(tr: Translator, text: str) -> str:
    """Left-to-right text inside a right-to-left sentence, isolated (LRI … PDI) so the
    bidi algorithm keeps it whole: ``U+0000`` does not turn into ``0000+U``. Text
    isolated already (a typed value the import page marked) is not wrapped twice."""
    if tr.dir != "rtl" or (text.startswith("\u2066") and text.endswith("\u2069")):
        return text
    return f"\u2066{text}\u2069"


isolated = _ltr
"""Latin text (a sheet, a column, a typed value) kept whole inside a right-to-left line."""


def localised(tr: Translator, params: Mapping[str, Any]) -> dict[str, str]:
    """Each param as the reader should see it in ``tr``'s language."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if name in LTR_NAMES:
            out[name] = _ltr(tr, str(value))
        elif name == "field":
            out[name] = field_label(tr, str(value))
        elif name == "seconds":
            seconds = int(value)
            # Whole minutes past 90 seconds, rounded up: never a shorter wait than the real one.
            wait = timedelta(seconds=seconds if seconds < 90 else -(-seconds // 60) * 60)
            out[name] = format_timedelta(wait, locale=CLDR[tr.lang], threshold=1.5)
        elif name == "country":
            out[name] = tr.country(str(value))
        elif name == "countries":
            out[name] = _joined(tr, [tr.country(str(c)) for c in value])
        elif name == "needed":  # the roles that may: "Reviewer or Administrator"
            words = [tr(f"role_{r}") for r in value]
            out[name] = format_list(words, style="or", locale=CLDR[tr.lang])
        elif name == "programmes":
            out[name] = _joined(tr, [tr.term(f"programme:{p}") for p in value])
        elif name == "state":
            out[name] = tr.state(str(value))
        elif name == "sex":
            out[name] = tr.label("sex", str(value))
        elif name in ("date_type", "start_type", "end_type"):
            out[name] = tr(str(value))  # planned_start … as the project form names them
        elif name == "action":
            out[name] = tr(f"action_{value}")
        elif name == "roles":
            out[name] = _joined(tr, [_grant(tr, g) for g in value])
        elif name == "deeds":
            out[name] = _joined(tr, [tr(f"deed_{d}") for d in value])
        elif name == "chars":
            out[name] = _joined(tr, [_char(tr, c) for c in value])
        elif name == "indicator":
            found = indicators().get(str(value))
            out[name] = tr.text(found.names) if found else str(value)
        elif name in ("unit", "indicator_unit"):
            out[name] = tr.unit(str(value))
        elif name == "units":
            out[name] = _joined(tr, [tr.unit(str(u)) for u in value])
        elif name in ("as_whole", "as_decimal") and isinstance(value, int | float):
            # the two readings of a typed "1.200": digits not grouped, or the first would
            # read back as the very text typed ("1.200" in Spanish)
            out[name] = format_decimal(
                value, locale=CLDR[tr.lang], group_separator=False, decimal_quantization=False
            )
        elif name in ("value", "lower", "upper") and isinstance(value, int | float):
            out[name] = tr.num(float(value))
        elif name in ("start", "end", "today"):
            out[name] = tr.date(str(value))
        else:
            out[name] = str(value)
    return out


def message(tr: Translator, message_id: str | None, params: Mapping[str, Any]) -> str | None:
    """The catalogue's text for ``message_id`` with ``params``, or None if it has none."""
    if not message_id or not tr.has(f"err_{message_id}"):
        return None
    text = tr(f"err_{message_id}", **localised(tr, params))
    if message_id.startswith("key_"):
        gap = "" if tr.lang == "zh" else " "  # Chinese sentences follow without a space
        text = f"{text}{gap}{tr('err_key_hint')}"
    return text


Placed = list[tuple[str | None, str]]
"""Problems said in the reader's language, each with the form field it is about (None:
the record as a whole), so a form shows each next to its field."""


def refusal_texts(tr: Translator, exc: BaseException) -> list[str]:
    """Each problem of a refusal that gathers several (``Problems``) on its own line."""
    return [text for _, text in placed_refusal(tr, exc)]


def placed_refusal(tr: Translator, exc: BaseException) -> Placed:
    """Each problem of a refusal with the field it names (``GreenfolioError.field``)."""
    parts = exc.problems if isinstance(exc, Problems) else (exc,)
    return [(getattr(p, "field", None), refusal_text(tr, p)) for p in parts]


def refusal_text(tr: Translator, exc: BaseException) -> str:
    """What a page says about ``exc``: translated if it carries a known id, else its
    English text."""
    if isinstance(exc, GreenfolioError):
        found = message(tr, exc.message_id, exc.params)
        if found is not None:
            return found
    return str(exc)


_PYDANTIC = {
    "missing": ("pyd_missing", None),
    "string_too_long": ("pyd_too_long", "max_length"),
    "too_long": ("pyd_too_long", "max_length"),
    "string_too_short": ("pyd_too_short", "min_length"),
    "too_short": ("pyd_too_short", "min_length"),
    "greater_than_equal": ("pyd_min", "ge"),
    "greater_than": ("pyd_above", "gt"),
    "less_than_equal": ("pyd_max", "le"),
    "less_than": ("pyd_below", "lt"),
    "int_parsing": ("pyd_int", None),
    "int_type": ("pyd_int", None),
    "int_from_float": ("pyd_int", None),
    "float_parsing": ("pyd_number", None),
    "float_type": ("pyd_number", None),
    "decimal_parsing": ("pyd_number", None),
    "finite_number": ("pyd_number", None),
    "date_parsing": ("pyd_date", None),
    "date_from_datetime_parsing": ("pyd_date", None),
    "date_from_datetime_inexact": ("pyd_date", None),
    "date_type": ("pyd_date", None),
    "enum": ("pyd_choice", None),
    "literal_error": ("pyd_choice", None),
}
"""Pydantic's error types and the message (and the ``ctx`` limit) that says them."""
_CHOICES = {
    "kind": "value_kind",
    "qualifier": "qualifier",
    "sex": "sex",
    "status": "status",
    "milestone": "milestone",
    "role": "role",
    "unit": "unit",
}
"""Fields whose choices have words (``labels.GROUPS``); other choices are not listed."""
_QUOTED = re.compile(r"'([^']*)'")
DATE_EXAMPLE = "2024-06-30"


def _pydantic(tr: Translator, problem: Mapping[str, Any], field: str) -> str | None:
    """A pydantic check said by its type, or None for a type without words (a model's own
    ``ValueError``, whose text is the service's)."""
    kind = str(problem.get("type"))
    found = _PYDANTIC.get(kind)
    if found is None:
        if kind in ("value_error", "assertion_error"):
            return None
        return tr("err_pyd_other", field=field)
    key, limit = found
    ctx = problem.get("ctx") or {}
    params: dict[str, str] = {"field": field}
    if limit is not None:
        value = ctx.get(limit)
        if not isinstance(value, int | float):
            return tr("err_pyd_other", field=field)
        params["limit"] = tr.num(float(value))
    if key == "pyd_date":
        params["example"] = _ltr(tr, DATE_EXAMPLE)
    if key == "pyd_choice":
        name = str(problem["loc"][-1]) if problem.get("loc") else ""
        codes = _QUOTED.findall(str(ctx.get("expected", "")))
        group = _CHOICES.get(name)
        if group is None or not codes:
            return tr("err_pyd_choice_any", field=field)
        words = [label(tr, group, c) for c in codes]
        params["choices"] = format_list(words, style="or", locale=CLDR[tr.lang])
    return tr(f"err_{key}", **params)


def invalid_input(tr: Translator, exc: pydantic.ValidationError) -> list[str]:
    """A form's failed checks: the text and key rules translated (their ``ctx`` carries
    the id); pydantic's own checks by their type and the form's label; a model's own
    check (a ``ValueError``) as the form's label and its text."""
    return [text for _, text in placed_input(tr, exc)]


def placed_input(tr: Translator, exc: pydantic.ValidationError) -> Placed:
    """``invalid_input``, each check with the field it failed on (its first name)."""
    out: Placed = []
    for problem in exc.errors():
        field = str(problem["loc"][0]) if problem["loc"] else None
        ctx = problem.get("ctx") or {}
        found = message(tr, ctx.get("message_id"), ctx.get("params") or {})
        if found is not None:
            out.append((field, found))
            continue
        where = ".".join(str(p) for p in problem["loc"])
        said = _pydantic(tr, problem, field_label(tr, where) if where else "")
        if said is not None and where:
            out.append((field, said))
        elif problem["loc"]:
            text = str(problem["msg"]).removeprefix("Value error, ")
            out.append((field, f"{field_label(tr, where)}: {text}"))
        else:
            out.append((None, str(problem["msg"])))
    return out
