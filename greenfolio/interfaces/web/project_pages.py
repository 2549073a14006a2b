"""The project pages: a project's own page and the form that registers or edits one.
The form keeps terms of other schemes and the citation of dates left as they were."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import pydantic
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from greenfolio.domain import activity_dates, progress
from greenfolio.domain.activity_dates import DateType
from greenfolio.domain.countries import typed_countries
from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    Principal,
    Target,
    denied,
    require,
)
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.interfaces.http.context import resolve_principal, seal_ok
from greenfolio.interfaces.http.refusals import classify
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.refusal_text import invalid_input
from greenfolio.interfaces.web.rendering import (
    Db,
    check_csrf,
    clean_form,
    form_number,
    in_thread,
    lang_of,
    redirect,
    render,
    said,
)
from greenfolio.services import breakdowns, entry, explorer
from greenfolio.services.database import Database
from greenfolio.services.exchange import codelists
from greenfolio.services.locking import StaleVersionError
from greenfolio.services.portfolio import WorkSpec

router = APIRouter(include_in_schema=False)


PROJECT_SCHEMES = ("focus_area", "core_function", "programme", "convention")


def _require_edit_somewhere(who: Principal) -> None:
    if not who.may_edit_somewhere():
        require(who, Action.EDIT, SYSTEM)


def require_edit(who: Principal, found: dict[str, Any]) -> None:
    """Changing a project one may read: refused naming the project (sign in first)."""
    if "edit" in found["actions"]:
        return
    if who.user_id is None:
        require(who, Action.EDIT, SYSTEM)
    raise denied(who, Action.EDIT, Target(project=found["key"]))


def _project_form(
    request: Request,
    db: Database,
    status: int,
    form: dict[str, Any],
    errors: list[str],
    existing: dict[str, Any] | None = None,
) -> Response:
    who = resolve_principal(request)
    return render(
        request,
        "project_form.html",
        status=status,
        form=form,
        errors=errors,
        existing=existing,
        facets=explorer.facets(db, who),
        schemes=PROJECT_SCHEMES,
        kinds=[k.value for k in WorkKind],
        statuses=[s.value for s in WorkStatus],
        date_types=[d.value for d in DateType],
        roles=[r.value for r in OrgRole],
        organisations=explorer.organisations(db, who),
    )


def _project_fields(existing: dict[str, Any], lang: str) -> dict[str, Any]:
    """A stored project as the form shows it (countries by name, as the field reads them)."""
    tr = Translator(lang)
    return {
        "key": existing["key"],
        "kind": existing["kind"],
        "title_en": existing["title"].get("en", ""),
        "title_lang": existing["title"].get(lang, ""),
        "description": existing["description"].get(lang, ""),
        "status": existing["status"] or "",
        **{f"date_{d['type']}": d["when"] for d in existing.get("dates", [])},
        "orgs": [(o["key"], o["role"]) for o in existing["organisations"]],
        "sectors": " ".join(existing.get("sectors", [])),
        "countries": tr("list_sep").join(tr.country(c) for c in existing["countries"]),
        "terms": [t["key"] for t in existing["terms"]],
        "version": existing["version"],
    }


def _spec_from_form(
    form: dict[str, Any], terms: list[str], lang: str, existing: dict[str, Any] | None
) -> WorkSpec:
    title = dict(existing["title"]) if existing else {}
    description = dict(existing["description"]) if existing else {}
    if form.get("title_en"):
        title["en"] = form["title_en"]
    if form.get("title_lang"):
        title[lang] = form["title_lang"]
    if form.get("description"):
        description[lang] = form["description"]
    kept = [
        t["key"] for t in (existing or {}).get("terms", []) if t["scheme"] not in PROJECT_SCHEMES
    ]
    partners = [
        {"org": o["key"], "role": o["role"]} for o in (existing or {}).get("organisations", [])
    ]
    if "orgs" in form:
        partners = [{"org": k, "role": r or "partner"} for k, r in form["orgs"] if k]
    cited = {d["type"]: d for d in (existing or {}).get("dates", [])}
    dates = []
    for kind in DateType:
        when = form.get(f"date_{kind.value}")
        if when:
            typed = str(when).strip()
            when = activity_dates.hand_typed(typed, lang)  # "mars 2021", 31/12/2023
            try:
                activity_dates.parse(kind, when)
            except ValueError:
                when = typed  # refused as typed ("31 février 2022"), not as read
            # A date left as it was keeps where it was stated.
            same = cited.get(kind.value)
            citation = same["citation"] if same and same["when"] == when else None
            dates.append({"type": kind.value, "when": when, "citation": citation})
    sectors = str(form["sectors"]).replace(",", " ").split() if "sectors" in form else None
    return WorkSpec.model_validate(
        {
            "key": existing["key"] if existing else form.get("key", ""),
            "kind": form.get("kind") or "project",
            "title": title,
            "description": description,
            "status": form.get("status") or None,
            "start": form.get("start") or None,
            "end": form.get("end") or None,
            "dates": dates,
            "sectors": sectors,
            "citation": existing.get("citation") if existing else None,
            "countries": typed_countries(str(form.get("countries") or "")),
            "terms": [*kept, *terms],
            "organisations": partners,
        }
    )


def _form_fields(data: Any) -> tuple[dict[str, Any], list[str]]:
    """The project form's fields, trimmed; its repeated ones (terms, organisations and
    their roles) as lists."""
    multi = ("terms", "org", "org_role")
    form = clean_form({k: v for k, v in data.items() if k not in multi})
    if "org" in data:
        orgs = [str(o).strip() for o in data.getlist("org")]
        roles = [str(r).strip() for r in data.getlist("org_role")]
        roles = (roles + [""] * len(orgs))[: len(orgs)]
        form["orgs"] = list(zip(orgs, roles, strict=True))
    if "sectors" in data:
        form.setdefault("sectors", "")
    return form, [str(t) for t in data.getlist("terms")]


@router.get("/projects/new", response_class=HTMLResponse)
def new_project(request: Request, db: Db) -> Response:
    _require_edit_somewhere(resolve_principal(request))
    return _project_form(request, db, 200, {"kind": "project", "terms": []}, [])


@router.post("/projects/new", response_class=HTMLResponse)
async def create_project(request: Request, db: Db) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    form, terms = _form_fields(data)
    return await in_thread(_save_project, request, db, form, terms, None)


def _save_project(
    request: Request,
    db: Database,
    form: dict[str, Any],
    terms: list[str],
    existing: dict[str, Any] | None,
) -> Response:
    who = resolve_principal(request)
    lang = lang_of(request)
    shown = {**form, "terms": terms}
    try:
        spec = _spec_from_form(form, terms, lang, existing)
        expected = form_number(str(form.get("version", "")))
        saved = entry.save_project(db, who, spec, expected, create=existing is None)
    except pydantic.ValidationError as exc:
        errors = invalid_input(Translator(lang), exc)
        return _project_form(request, db, 422, shown, errors, existing)
    except StaleVersionError:
        assert existing is not None
        current = explorer.project(db, who, existing["key"])
        fresh = _project_fields(current, lang)
        return _project_form(request, db, 409, fresh, [Translator(lang)("stale")], current)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 404, 422, 428):
            raise
        return _project_form(request, db, 422, shown, [said(request, exc)], existing)
    return redirect(f"/projects/{quote(saved['key'], safe='')}")


@router.get("/projects/{key:path}/edit", response_class=HTMLResponse)
def edit_project(key: str, request: Request, db: Db) -> Response:
    who = resolve_principal(request)
    found = explorer.project(db, who, key)
    require_edit(who, found)
    return _project_form(request, db, 200, _project_fields(found, lang_of(request)), [], found)


@router.post("/projects/{key:path}/edit", response_class=HTMLResponse)
async def save_project(key: str, request: Request, db: Db) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    form, terms = _form_fields(data)
    who = await in_thread(resolve_principal, request)
    existing = await in_thread(explorer.project, db, who, key)
    return await in_thread(_save_project, request, db, form, terms, existing)


def indicators_by_code(db: Database, who: Principal) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in explorer.indicators(db, who)}


@router.get("/projects/{key:path}", response_class=HTMLResponse)
def project_page(
    key: str,
    request: Request,
    db: Db,
    deleted: Annotated[str | None, Query(max_length=12)] = None,
    withdrawn: Annotated[str | None, Query(max_length=12)] = None,
    seal: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    who = resolve_principal(request)
    found = explorer.project(db, who, key)
    # "Result N was deleted" (or withdrawn) only after this browser did so from this
    # project (the seal): a link made elsewhere cannot make it say so; ids are never
    # given again
    said_gone = {}
    for step, given in (("deleted", deleted), ("withdrawn", withdrawn)):
        gone = form_number(given)
        if gone is not None and seal_ok(request, seal, step, gone, found["key"]):
            said_gone[step] = gone
    return render(
        request,
        "project.html",
        p=found,
        deleted=said_gone.get("deleted"),
        withdrawn=said_gone.get("withdrawn"),
        progress=progress.by_period(found["results"], found.get("descending", ())),
        indicators=indicators_by_code(db, who),
        sector_names=codelists.names("Sector") if found.get("sectors") else {},
        # totals their breakdown by sex exceeds: for those who enter and review results
        breakdown=breakdowns.of_items(found["results"]) if who.user_id is not None else [],
    )
