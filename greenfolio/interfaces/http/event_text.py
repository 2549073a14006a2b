"""Audit events and record histories as sentences a person reads ("Verified result 64",
"Changed the value from 200 to 250"), never column names, Python reprs, password hashes
or internal ids.
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from greenfolio.domain.activity_dates import DateType
from greenfolio.domain.languages import RIGHT_TO_LEFT, UN_LANGUAGES
from greenfolio.domain.run_citation import cited_run
from greenfolio.interfaces.http.labels import (
    HIDDEN_FIELDS,
    Sentences,
    actor,
    counted_unit,
    field,
    finance,
    label,
    origin,
    scope,
    term,
)

_ALIASES = {"details": "dates"}
"""Fields labelled by what they hold: a project's ``details`` are its IATI activity dates."""
_BOOKKEEPING = frozenset({"version", "origin", "updated_at"})
"""Fields that change when a record is saved, whether or not anything in it changed."""
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
    if name in ("key", "username", "filename", "sha256") and isinstance(value, str):
        return _isolated(tr, value)
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
    if name == "citation" and entity == "result" and (run := cited_run(str(value))):
        # stored in English when a run made the result: said as its page says it
        return str(tr("run_cited", run=run[0], method=label(tr, "method", run[1])))
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
        if name == "work_org":
            return str(tr("list_sep")).join(_partner(tr, v, ctx) for v in value)
        if name == "work_finance":
            return str(tr("list_sep")).join(_money(tr, v) for v in value)
        return str(tr("list_sep")).join(_item(tr, entity, v, ctx) for v in value)
    return str(value)


def _partner(tr: Sentences, item: Any, ctx: dict[str, Any]) -> str:
    """A partner as the project page shows it, "UNIDO (Reporting)": the trail keeps only
    the organisation's id, so its names come from ``ctx["organisations"]`` (id: names)."""
    if not isinstance(item, dict):
        return str(item)
    org_id = item.get("org_id")
    names = (ctx.get("organisations") or {}).get(org_id)
    name = str(tr.text(names)) if names else f"{label(tr, 'entity', 'organisation')} {org_id}"
    role = label(tr, "role", item.get("role"))
    return str(tr("partner_role", name=name, role=role)) if role else name


def _money(tr: Sentences, item: Any) -> str:
    """A budget or a transaction as the project page shows it: its type in words, its
    amount and currency, its period or date ("Disbursement 1,500,000 EUR Apr 8, 2014")."""
    if not isinstance(item, dict):
        return str(item)
    words = [finance(tr, item.get("kind"), item.get("type"))]
    if item.get("value") is not None:
        # as the project page writes an amount: with its cents where it has them
        words.append(f"{tr.money(item['value'])}\u00a0{item.get('currency') or ''}".strip())
    start, end = item.get("period_start"), item.get("period_end")
    day = item.get("transaction_date") or item.get("value_date")
    if start or end:
        words.append(" – ".join(tr.date(d) for d in (start, end) if d))
    elif day:
        words.append(tr.date(day))
    return " ".join(words)


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
        # a sector's vocabulary is the codelist its code is of ("1", DAC 5-digit), not a
        # word a reader can use: "23210", not "1 23210"
        if v is not None and k not in ("id", "vocabulary") and not k.endswith("_id")
    ]
    return " ".join(w for w in words if w != "—")


def _name(tr: Sentences, entity: str, name: str) -> str:
    """A field as a change line names it, in the form it takes inside a sentence (the
    line's first letter is raised by :func:`_line`)."""
    if name == "kind" and entity == "evidence_file":
        return str(tr("field_file_kind"))
    if name == "kind" and entity != "result":
        return field(tr, "record_kind")
    return field(tr, _ALIASES.get(name, name))


def _line(text: str) -> str:
    """A change line starts with a capital letter where the script has them ("Key: …",
    "Valeur : de 200 à 250"), whichever field or sentence opens it."""
    return text[:1].upper() + text[1:]


def _unchanged(tr: Sentences, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """An update that changed no shown field, in words: a record saved as it was (its
    version counts up) and, if it was edited here, that its import no longer owns it."""
    said = []
    if before.get("origin") and not after.get("origin"):
        said.append(tr("audit_origin_dropped", origin=origin(tr, str(before["origin"]))))
    if after.get("version") is not None:
        said.append(tr("audit_unchanged_version", version=after["version"]))
    else:
        said.append(tr("audit_unchanged"))
    return said


def _isolated(tr: Sentences, text: str) -> str:
    """A name set in a right-to-left sentence (a project key, an account or file name),
    isolated (FSI … PDI) so the bidi algorithm keeps it whole: "idb49-pops-programme",
    wrapped at a hyphen, read "-idb49" beside the Arabic words."""
    return f"\u2068{text}\u2069" if tr.lang in RIGHT_TO_LEFT else text


def _record(tr: Sentences, event: dict[str, Any], ctx: dict[str, Any]) -> str:
    """The record an event touched: "result 64 — POPs destroyed: 250 t", "project KEY"."""
    entity = event["entity"]
    data = event.get("after") or event.get("before") or {}
    name = label(tr, "entity", entity)
    if entity == "result":
        text = f"{name} {event['entity_id']}"
        known = ctx.get("indicators") or {}
        code = data.get("indicator_code")
        parts = [str(tr.text(known[code]["names"]))] if code in known else []
        if data.get("value") is not None:
            qualifier = data.get("qualifier") or "exact"
            unit = counted_unit(tr, data.get("unit"), data["value"], qualifier)
            parts.append(f"{tr.num(data['value'], qualifier)} {unit}".strip())
        # the indicator and its value, not a list of two ("参与者、2,340 人")
        return f"{text} — {tr('colon').join(parts)}" if parts else text
    if entity == "term" and isinstance(data.get("key"), str):
        return f"{name} {term(tr, data['key'])}"
    if isinstance(data.get("names"), dict):
        return f"{name} {tr.text(data['names'])}"
    for ident in ("key", "username", "name", "filename"):
        if isinstance(data.get(ident), str):
            return f"{name} {_isolated(tr, data[ident])}"
    if entity == "role_grant":
        return f"{name} {label(tr, 'role', str(data.get('role', '')))}"
    return name


def describe(tr: Sentences, event: dict[str, Any], **ctx: Any) -> dict[str, Any]:
    """``who``, ``what`` (a sentence) and ``changes`` (one sentence a field) of one event."""
    entity, action = event["entity"], event["action"]
    data = event.get("after") or {}
    if event.get("entity_id") == "*" and action.startswith("bulk_"):
        return _bulk(tr, event, ctx)
    if entity == "review_event" and action == "create" and data.get("action"):
        what = tr(f"event_{data['action']}", result=data.get("result_id", ""))
    else:
        key = f"audit_{action}"
        what = tr(key, what=_record(tr, event, ctx)) if tr.has(key) else _record(tr, event, ctx)
    before, after = event.get("before") or {}, event.get("after") or {}
    names = event.get("changes") or []
    shown = [
        n
        for n in names
        if n not in HIDDEN_FIELDS and not (n.endswith(("_hash", "_id")) and n != "result_id")
    ]
    changes: list[str] = []
    other: list[str] = []
    for name in shown:
        if _name(tr, entity, name) == tr("field_other"):
            other.append(name)  # no label of its own: one line says all such fields
            continue
        old = _value(tr, entity, name, before.get(name), ctx)
        new = _value(tr, entity, name, after.get(name), ctx)
        changes.append(_change(tr, action, _name(tr, entity, name), old, new))
    if other:
        old, new = (_joined(tr, entity, other, side, ctx) for side in (before, after))
        changes.append(_change(tr, action, str(tr("field_other")), old, new))
    if action == "update" and names and not shown and set(names) <= _BOOKKEEPING:
        changes = _unchanged(tr, before, after)
    return {
        "who": actor(tr, event.get("actor"), ctx.get("names")),
        "what": what,
        "changes": [_line(str(c)) for c in changes],
    }


def _bulk(tr: Sentences, event: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """A write of many rows at once (an import, a load), which the trail counts per table:
    "Added in bulk (an import or a load): budgets and transactions of projects, 18".
    Never the table's name: a reader knows records, not tables."""
    table, action = event["entity"], event["action"]
    rows = (event.get("after") or {}).get("rows")
    kind = f"audit_rows_{table}"
    what = tr(kind) if tr.has(kind) else tr("audit_rows_other")
    key = f"audit_{action}"
    said = tr(key, what=what, n=tr.num(rows)) if tr.has(key) and rows is not None else what
    source = (event.get("after") or {}).get("source")
    if isinstance(source, str) and source:
        said = tr("audit_bulk_file", what=said, file=_isolated(tr, source))
    return {"who": actor(tr, event.get("actor"), ctx.get("names")), "what": said, "changes": []}


def _change(tr: Sentences, action: str, name: str, old: str, new: str) -> str:
    """One changed field: "Changed the value from 200 to 250", "Key: X" (created, or set
    where nothing was), the value a deleted record had."""
    # isolated in a right-to-left sentence: a label ending in Latin ("بصمة SHA-256") would
    # take the colon after it into the Latin run of the value ("بصمة :SHA-256 5a83…")
    field = _isolated(tr, name)
    # and each value: a French description's final stop went to the Arabic line's far end
    old, new = (v if v == "—" or v.startswith("\u2068") else _isolated(tr, v) for v in (old, new))
    if action == "update" and old != "—":
        return str(tr("changed_from_to", field=field, old=old, new=new))
    return str(tr("set_to", field=field, new=old if action == "delete" else new))


def _joined(
    tr: Sentences, entity: str, names: list[str], data: dict[str, Any], ctx: dict[str, Any]
) -> str:
    """The values of several fields as one ("—" when none holds anything)."""
    said = [_value(tr, entity, n, data.get(n), ctx) for n in names]
    return str(tr("list_sep")).join(v for v in said if v != "—") or "—"
