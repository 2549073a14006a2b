"""The JSON forms in which the store keeps the parts of an IATI record that have no
table of their own (locations, document links, transaction organisations, dates)."""

from __future__ import annotations

from datetime import date
from typing import Any

from greenfolio.domain.iati import Activity, DocumentLink, Location, OrgRef


def org_json(org: OrgRef | None) -> dict[str, Any] | None:
    if org is None:
        return None
    data: dict[str, Any] = {"names": org.names}
    if org.ref:
        data["ref"] = org.ref
    if org.type:
        data["type"] = org.type
    return data


def org_from_json(data: dict[str, Any] | None) -> OrgRef | None:
    if data is None:
        return None
    return OrgRef(ref=data.get("ref"), type=data.get("type"), names=dict(data.get("names", {})))


def location_json(loc: Location) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("ref", "reach", "exactness", "location_class", "feature_designation"):
        value = getattr(loc, key)
        if value is not None:
            data[key] = value
    if loc.name:
        data["name"] = loc.name
    if loc.description:
        data["description"] = loc.description
    if loc.point is not None:
        data["point"] = list(loc.point)
    if loc.ids:
        data["ids"] = [list(i) for i in loc.ids]
    if loc.administrative:
        data["administrative"] = [list(a) for a in loc.administrative]
    return data


def location_from_json(data: dict[str, Any]) -> Location:
    point = data.get("point")
    return Location(
        ref=data.get("ref"),
        name=dict(data.get("name", {})),
        description=dict(data.get("description", {})),
        point=(float(point[0]), float(point[1])) if point else None,
        reach=data.get("reach"),
        exactness=data.get("exactness"),
        location_class=data.get("location_class"),
        feature_designation=data.get("feature_designation"),
        ids=[(str(v), str(c)) for v, c in data.get("ids", [])],
        administrative=[(str(v), str(c), lvl) for v, c, lvl in data.get("administrative", [])],
    )


def document_json(doc: DocumentLink) -> dict[str, Any]:
    data: dict[str, Any] = {"url": doc.url, "format": doc.format, "categories": doc.categories}
    if doc.title:
        data["title"] = doc.title
    if doc.description:
        data["description"] = doc.description
    if doc.languages:
        data["languages"] = doc.languages
    if doc.date is not None:
        data["date"] = doc.date.isoformat()
    return data


def document_from_json(data: dict[str, Any]) -> DocumentLink:
    return DocumentLink(
        url=data["url"],
        format=data["format"],
        title=dict(data.get("title", {})),
        description=dict(data.get("description", {})),
        categories=list(data.get("categories", [])),
        languages=list(data.get("languages", [])),
        date=date.fromisoformat(data["date"]) if data.get("date") else None,
    )


def work_details(act: Activity) -> dict[str, Any] | None:
    """What of an activity has no column of its own: dates, other texts, places, papers."""
    data: dict[str, Any] = {}
    if act.dates:
        data["dates"] = {k: v.isoformat() for k, v in act.dates.items()}
    if act.other_descriptions:
        data["descriptions"] = [[kind, texts] for kind, texts in act.other_descriptions]
    if act.locations:
        data["locations"] = [location_json(loc) for loc in act.locations]
    if act.documents:
        data["documents"] = [document_json(doc) for doc in act.documents]
    if act.extras:
        data["extras"] = act.extras
    return data or None
