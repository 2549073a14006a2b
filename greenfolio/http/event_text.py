"""Audit events and record histories as sentences a person reads ("Verified result 64",
"Changed the value from 200 to 250"), never column names, Python reprs, password hashes
or internal ids.
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from greenfolio.domain.activity_dates import DateType
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.http.labels import (
    HIDDEN_FIELDS,
    Sentences,
    actor,
    counted_unit,
    field,
    label,
    scope,
    term,
)

# Fields named by a page's own words rather than a field label.
_ALIASES = {
    "work_country": "countries",
    "work_term": "classification",
    "work_org": "partners",
    "work_sector": "sectors_dac",
    "work_region": "field_other",
    "work_finance": "field_other",
    "details": "dates",
}
_BY = frozenset(
    {"entered_by", "revised_by", "submitted_by", "actor", "uploaded_by", "ended_by", "created_by"}
)
_DATES = frozenset({"period_start", "period_end", "start_date", "end_date"})
_MOMENTS = frozenset({"used_at", "expires_at"})
"""Timestamps (UTC) of one-time links."""
_LOCALES = {"zh": "zh_Hans"}
_CODED = {
    "status": "status",
    "qualifier": "qualifier",
    "milestone": "milestone",
    "sex": "sex",
    "review_state": "state",
    "from_state": "state",
    "to_state": "state",
    "unit": "unit",
    "role": "role",
    "state": "evidence_state",
}


def _value(tr: Sentences, entity: str, name: str, value: Any, ctx: dict[str, Any]) -> str:
    """One stored value as the page shows it."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(tr("word_yes" if value else "word_no"))
    if name == "scope":
        return scope(tr, str(value))
    if name == "term_key":
        return term(tr, str(value))
    if name in _BY:
        return actor(tr, str(value), ctx.get("names"))
    if name == "kind" and entity == "evidence_file":
        return label(tr, "file_kind", str(value))
    if name == "size" and isinstance(value, int):
        return str(tr.size(value))
    if name == "kind" and entity in ("work_item", "result"):
        return label(tr, "work_kind" if entity == "work_item" else "value_kind", str(value))
    if name == "action" and entity == "review_event":
        return label(tr, "review_action", str(value))
    if name in _CODED:
        return label(tr, _CODED[name], str(value))
    if name == "country":
        return str(tr.country(str(value)))
    if name == "indicator_code":
        known = ctx.get("indicators") or {}
        return str(tr.text(known[value]["names"])) if value in known else str(value)
    if name in _DATES and isinstance(value, str):
        return str(tr.date(value))
    if name in _MOMENTS and isinstance(value, str):
        return str(tr.when(value))
    if name == "language" and entity in ("app_user", "account_link") and value in UN_LANGUAGES:
        return str(Locale.parse(value).get_display_name(_LOCALES.get(tr.lang, tr.lang)))
    if isinstance(value, (int, float)):
        return str(tr.num(value))
    if isinstance(value, dict):
        if set(value) <= {"ar", "zh", "en", "fr", "ru", "es"}:
            return str(tr.text(value))
        if name == "details":
            return _details(tr, value)
        return str(tr("list_sep")).join(
            f"{_value(tr, entity, str(k), v, ctx)}" for k, v in value.items() if v not in (None, "")
        )
    if isinstance(value, list):
        return str(tr("list_sep")).join(_item(tr, entity, v, ctx) for v in value)
    return str(value)


def _details(tr: Sentences, details: dict[str, Any]) -> str:
    """A project's details: its activity dates by IATI date type (1–4)."""
    types = {t.code: t.value for t in DateType}
    dates = details.get("dates") or {}
    said = [f"{tr(types[k])} {tr.stated(str(v))}" for k, v in sorted(dates.items()) if k in types]
    return str(tr("list_sep")).join(said) or "—"


def _item(tr: Sentences, entity: str, item: Any, ctx: dict[str, Any]) -> str:
    """One entry of a list (a country with its share, an organisation with its role)."""
    if not isinstance(item, dict):
        return _value(tr, entity, "", item, ctx)
    words = [
        _value(tr, entity, k, v, ctx)
        for k, v in item.items()
        if v is not None and k != "id" and not k.endswith("_id")
    ]
    return " ".join(w for w in words if w != "—")


def _name(tr: Sentences, entity: str, name: str) -> str:
    if name in _ALIASES:
        key = _ALIASES[name]
        return str(tr(key))
    if name == "kind" and entity == "evidence_file":
        return str(tr("field_file_kind"))
    if name == "kind" and entity != "result":
        return str(tr("kind"))
    return field(tr, name)


def _record(tr: Sentences, event: dict[str, Any], ctx: dict[str, Any]) -> str:
    """The record an event touched: "result 64 — POPs destroyed, 250 t", "project KEY"."""
    entity = event["entity"]
    data = event.get("after") or event.get("before") or {}
    name = label(tr, "entity", entity)
    if entity == "result":
        text = f"{name} {event['entity_id']}"
        known = ctx.get("indicators") or {}
        code = data.get("indicator_code")
        parts = [str(tr.text(known[code]["names"]))] if code in known else []
        if data.get("value") is not None:
            unit = counted_unit(tr, data.get("unit"), data["value"])
            parts.append(
                f"{tr.num(data['value'], data.get('qualifier') or 'exact')} {unit}".strip()
            )
        return f"{text} — {tr('list_sep').join(parts)}" if parts else text
    if entity == "term" and isinstance(data.get("key"), str):
        return f"{name} {term(tr, data['key'])}"
    if isinstance(data.get("names"), dict):
        return f"{name} {tr.text(data['names'])}"
    for ident in ("key", "username", "name", "filename"):
        if isinstance(data.get(ident), str):
            return f"{name} {data[ident]}"
    if entity == "role_grant":
        return f"{name} {label(tr, 'role', str(data.get('role', '')))}"
    return name


def describe(tr: Sentences, event: dict[str, Any], **ctx: Any) -> dict[str, Any]:
    """``who``, ``what`` (a sentence) and ``changes`` (one sentence a field) of one event."""
    entity, action = event["entity"], event["action"]
    data = event.get("after") or {}
    if entity == "review_event" and action == "create" and data.get("action"):
        what = tr(f"event_{data['action']}", result=data.get("result_id", ""))
    else:
        key = f"audit_{action}"
        what = tr(key, what=_record(tr, event, ctx)) if tr.has(key) else _record(tr, event, ctx)
    before, after = event.get("before") or {}, event.get("after") or {}
    changes = []
    for name in event.get("changes") or []:
        if name in HIDDEN_FIELDS or (name.endswith(("_hash", "_id")) and name != "result_id"):
            continue
        new = _value(tr, entity, name, after.get(name), ctx)
        if action == "update":
            old = _value(tr, entity, name, before.get(name), ctx)
            if old == "—":
                changes.append(tr("set_to", field=_name(tr, entity, name), new=new))
            else:
                changes.append(
                    tr("changed_from_to", field=_name(tr, entity, name), old=old, new=new)
                )
        elif action == "create":
            changes.append(tr("set_to", field=_name(tr, entity, name), new=new))
        else:
            old = _value(tr, entity, name, before.get(name), ctx)
            changes.append(tr("set_to", field=_name(tr, entity, name), new=old))
    return {
        "who": actor(tr, event.get("actor"), ctx.get("names")),
        "what": what,
        "changes": changes,
    }
