"""The web pages: each route reads the request, calls the same service as the API (which
checks the same permission) and renders a template in the visitor's language
(``rendering``). Every unsafe POST checks the form's CSRF token first. The session cookie
is HttpOnly, SameSite=Lax and Secure when the page was served over TLS.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import pydantic
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from greenfolio.domain import progress
from greenfolio.domain.activity_dates import DateType
from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.domain.permissions import (
    ROLE_ACTIONS,
    SYSTEM,
    Action,
    Grant,
    Principal,
    Role,
    Scope,
    Target,
    denied,
    require,
)
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.http.context import (
    resolve_principal,
)
from greenfolio.http.refusals import classify
from greenfolio.services import accounts, dashboard_charts, entry, evidence_store, explorer
from greenfolio.services.database import Database
from greenfolio.services.locking import StaleVersionError
from greenfolio.services.portfolio import WorkSpec
from greenfolio.services.results import ResultSpec
from greenfolio.web import group_charts, svg
from greenfolio.web.entry_form import entry_context
from greenfolio.web.i18n import Translator
from greenfolio.web.refusal_text import invalid_input
from greenfolio.web.rendering import (
    Csrf,
    Db,
    check_csrf,
    form_errors,
    lang_of,
    redirect,
    render,
    safe_next,
    said,
    said_all,
)

router = APIRouter(include_in_schema=False)
_parts_lock = threading.Lock()
_parts: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = {}
_options: dict[tuple[int, str], tuple[Any, dict[str, str]]] = {}
RESULT_FIELDS = (
    "value",
    "unit",
    "kind",
    "qualifier",
    "period_start",
    "period_end",
    "milestone",
    "country",
    "sex",
    "entity",
    "evidence",
    "citation",
)


# --- dashboard ------------------------------------------------------------------------


def _dashboard_parts(data: dict[str, Any], tr: Translator) -> dict[str, Any]:
    """Map of one dashboard state in one language, drawn once."""
    key = (id(data), tr.lang)
    found = _parts.get(key)
    if found is not None and found[0] is data:
        return found[1]
    counts: dict[str, int] = data["countries"]
    parts = {
        "map": svg.world_map(
            counts, tr.country, lambda n: tr("projects_n", n=tr.num(n)), tr("map_title")
        ),
        "legend": svg.legend(max(counts.values(), default=1), lambda n: tr.num(n)),
    }
    with _parts_lock:
        for old in [k for k, v in _parts.items() if v[0] is not data]:
            del _parts[old]
        _parts[key] = (data, parts)
    return parts


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, db: Db) -> Response:
    who = resolve_principal(request)
    data = explorer.dashboard(db, who)
    tr = Translator(lang_of(request))
    parts = _dashboard_parts(data, tr)
    groups = group_charts.draw(dashboard_charts.dashboard_charts(db, who), tr)
    return render(request, "dashboard.html", data=data, parts=parts, groups=groups)


# --- portfolio and records ------------------------------------------------------------


def _filter_options(facets: dict[str, Any], tr: Translator) -> dict[str, str]:
    """The filter choices as <option> HTML in the visitor's language, built once per
    state of the data and language rather than on every page view."""
    key = (id(facets), tr.lang)
    found = _options.get(key)
    if found is not None and found[0] is facets:
        return found[1]
    choices: dict[str, list[tuple[str, str]]] = {
        scheme: [
            (t["code"], f"{t['label']} {tr.text(t['names'])}".strip())
            for t in facets["terms"][scheme]
        ]
        for scheme in explorer.FILTER_SCHEMES
    }
    choices["country"] = sorted(
        ((c, tr.country(c)) for c in facets["countries"]), key=lambda item: item[1]
    )
    choices["status"] = [(s, tr.label("status", s)) for s in facets["statuses"]]
    rendered = {
        field: "".join(
            f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in items
        )
        for field, items in choices.items()
    }
    with _parts_lock:
        for old in [k for k, v in _options.items() if v[0] is not facets]:
            del _options[old]
        _options[key] = (facets, rendered)
    return rendered


def _selects(options: dict[str, str], flt: explorer.ProjectFilter) -> dict[str, Markup]:
    """Each filter's options with the current choice marked."""
    out = {}
    for field, html in options.items():
        chosen = getattr(flt, field)
        if chosen:
            mark = f'<option value="{escape(chosen)}">'
            html = html.replace(mark, mark[:-1] + " selected>", 1)
        out[field] = Markup(html)
    return out


@router.get("/projects", response_class=HTMLResponse)
def portfolio(
    request: Request,
    db: Db,
    q: Annotated[str | None, Query(max_length=200)] = None,
    focus_area: Annotated[str | None, Query(max_length=80)] = None,
    core_function: Annotated[str | None, Query(max_length=80)] = None,
    programme: Annotated[str | None, Query(max_length=80)] = None,
    convention: Annotated[str | None, Query(max_length=80)] = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    sort: Annotated[str, Query(max_length=10)] = "key",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    who = resolve_principal(request)
    year_no = int(year) if year and year.isdigit() and 1900 <= int(year) <= 2200 else None
    flt = explorer.ProjectFilter(
        q or None,
        focus_area or None,
        core_function or None,
        programme or None,
        convention or None,
        country or None,
        status or None,
        year_no,
    )
    found = explorer.projects(db, who, flt, sort, page, 50).as_dict()
    query = {k: v for k, v in flt.active().items()}
    query["sort"] = sort
    return render(
        request,
        "portfolio.html",
        page=found,
        options=_selects(
            _filter_options(explorer.facets(db, who), Translator(lang_of(request))), flt
        ),
        flt=flt,
        sort=sort,
        query=query,
        may_register=any(Action.EDIT in ROLE_ACTIONS[g.role] for g in who.grants),
        link=lambda **extra: "/projects?" + urlencode({**query, **extra}),
        export=lambda fmt: "/export/projects?" + urlencode({**query, "format": fmt}),
    )


PROJECT_SCHEMES = ("focus_area", "core_function", "programme", "convention")


def _may_edit_somewhere(who: Principal) -> None:
    if not any(Action.EDIT in ROLE_ACTIONS[g.role] for g in who.grants):
        require(who, Action.EDIT, SYSTEM)


def _require_edit(who: Principal, found: dict[str, Any]) -> None:
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
    """A stored project as the form shows it."""
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
        "countries": " ".join(existing["countries"]),
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
            "countries": str(form.get("countries") or "").replace(",", " ").split(),
            "terms": [*kept, *terms],
            "organisations": partners,
        }
    )


def _form_fields(data: Any) -> tuple[dict[str, Any], list[str]]:
    """The project form's fields, trimmed; its repeated ones (terms, organisations and
    their roles) as lists."""
    multi = ("terms", "org", "org_role")
    form = _clean({k: v for k, v in data.items() if k not in multi})
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
    _may_edit_somewhere(resolve_principal(request))
    return _project_form(request, db, 200, {"kind": "project", "terms": []}, [])


@router.post("/projects/new", response_class=HTMLResponse)
async def create_project(request: Request, db: Db) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    form, terms = _form_fields(data)
    return await _run_sync(request, _save_project, request, db, form, terms, None)


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
        version = str(form.get("version", ""))
        expected = int(version) if version.isdigit() else None
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
    _require_edit(who, found)
    return _project_form(request, db, 200, _project_fields(found, lang_of(request)), [], found)


@router.post("/projects/{key:path}/edit", response_class=HTMLResponse)
async def save_project(key: str, request: Request, db: Db) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    form, terms = _form_fields(data)
    who = await _run_sync_value(resolve_principal, request)
    existing = await _run_sync_value(explorer.project, db, who, key)
    return await _run_sync(request, _save_project, request, db, form, terms, existing)


async def _run_sync_value(fn: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _indicator_names(db: Database, who: Principal) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in explorer.indicators(db, who)}


def _result_form(
    key: str, request: Request, db: Database, status: int, form: dict[str, Any], **context: Any
) -> Response:
    who = resolve_principal(request)
    found = explorer.project(db, who, key)
    _require_edit(who, found)
    indicators = explorer.indicators(db, who)
    code = form.get("indicator") or request.query_params.get("indicator")
    chosen = next((i for i in indicators if i["code"] == code), None)
    tr = Translator(lang_of(request))
    return render(
        request,
        "result_new.html",
        status=status,
        p=found,
        indicators=indicators,
        chosen=chosen,
        form=form,
        entry=entry_context(tr, chosen, form.get("unit")),
        **context,
    )


@router.get("/projects/{key:path}/results/new", response_class=HTMLResponse)
def new_result(key: str, request: Request, db: Db) -> Response:
    return _result_form(key, request, db, 200, form={}, errors=[])


def _clean(form: dict[str, Any]) -> dict[str, Any]:
    """Form fields with their text trimmed; empty ones left out so defaults apply."""
    out = {k: v.strip() if isinstance(v, str) else v for k, v in form.items()}
    return {k: v for k, v in out.items() if v not in (None, "")}


@router.post("/projects/{key:path}/results", response_class=HTMLResponse)
async def create_result(key: str, request: Request, db: Db) -> Response:
    form = dict((await request.form()).items())
    check_csrf(request, str(form.get("csrf", "")))
    fields = _clean({k: form.get(k) for k in ("indicator", *RESULT_FIELDS)})
    return await _run_sync(request, _create_result, key, request, db, fields)


def _create_result(key: str, request: Request, db: Database, fields: dict[str, Any]) -> Response:
    who = resolve_principal(request)
    try:
        spec = ResultSpec(work=key, **fields)
        made = entry.create_result(db, who, spec)
    except pydantic.ValidationError as exc:
        errors = form_errors(request, exc)
        return _result_form(key, request, db, 422, form=fields, errors=errors)
    except (ValidationError, GreenfolioError) as exc:
        if classify(exc)[0] not in (400, 404, 422):
            raise
        return _result_form(key, request, db, 422, form=fields, errors=said_all(request, exc))
    return redirect(f"/results/{made['id']}")


@router.get("/projects/{key:path}", response_class=HTMLResponse)
def project_page(key: str, request: Request, db: Db) -> Response:
    who = resolve_principal(request)
    found = explorer.project(db, who, key)
    return render(
        request,
        "project.html",
        p=found,
        progress=progress.by_period(found["results"]),
        indicators=_indicator_names(db, who),
    )


async def _run_sync(request: Request, fn: Any, *args: Any) -> Response:
    from starlette.concurrency import run_in_threadpool

    result: Response = await run_in_threadpool(fn, *args)
    return result


def _result_page(
    result_id: int, request: Request, db: Database, status: int = 200, **context: Any
) -> Response:
    who = resolve_principal(request)
    found = explorer.result(db, who, result_id)
    context.setdefault("form", found)
    context.setdefault("errors", [])
    indicators = _indicator_names(db, who)
    tr = Translator(lang_of(request))
    entry = entry_context(tr, indicators.get(found["indicator"]), found.get("unit"))
    return render(
        request,
        "result.html",
        status=status,
        r=found,
        indicators=indicators,
        entry=entry,
        evidence_limit=_evidence_limit(),
        **context,
    )


def _evidence_limit() -> str:
    """The size limit of an evidence file in MB, as the upload form states it."""
    try:
        return f"{evidence_store.max_bytes() / (1024 * 1024):g}"
    except evidence_store.StoreNotConfigured:
        return str(evidence_store.DEFAULT_MAX_MB)


@router.get("/results/{result_id}", response_class=HTMLResponse)
def result_page(result_id: int, request: Request, db: Db) -> Response:
    return _result_page(result_id, request, db)


@router.post("/results/{result_id}/edit", response_class=HTMLResponse)
async def revise_result(result_id: int, request: Request, db: Db) -> Response:
    form = dict((await request.form()).items())
    check_csrf(request, str(form.get("csrf", "")))
    fields = _clean({k: form.get(k) for k in RESULT_FIELDS})
    version = str(form.get("version", ""))
    return await _run_sync(request, _revise, result_id, request, db, fields, version)


def _revise(
    result_id: int, request: Request, db: Database, fields: dict[str, Any], version: str
) -> Response:
    who = resolve_principal(request)
    try:
        changes = entry.ResultChanges(**fields)
        expected = int(version) if version.isdigit() else None
        entry.revise_result(db, who, result_id, changes, expected)
    except pydantic.ValidationError as exc:
        errors = form_errors(request, exc)
        return _result_page(result_id, request, db, 422, form=fields, errors=errors)
    except StaleVersionError:
        return _result_page(result_id, request, db, 409, stale=True)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 422, 428):
            raise
        errors = said_all(request, exc)
        return _result_page(result_id, request, db, 422, form=fields, errors=errors)
    return redirect(f"/results/{result_id}")


@router.post("/results/{result_id}/review", response_class=HTMLResponse)
def review_result(
    result_id: int,
    request: Request,
    db: Db,
    csrf: Csrf,
    action: Annotated[str, Form(max_length=10)],
    version: Annotated[int, Form(ge=0)],
    note: Annotated[str | None, Form(max_length=2000)] = None,
    next_page: Annotated[str | None, Form(alias="next", max_length=500)] = None,
) -> Response:
    check_csrf(request, csrf)
    who = resolve_principal(request)
    try:
        entry.review_result(db, who, result_id, action, note, version)
    except StaleVersionError:
        return _result_page(result_id, request, db, 409, stale=True)
    except GreenfolioError as exc:
        status = classify(exc)[0]
        if status not in (400, 403, 422):
            raise
        # A refusal of the review itself (e.g. verifying one's own figure) keeps its 403.
        status = 403 if status == 403 else 422
        return _result_page(result_id, request, db, status, errors=[said(request, exc)])
    return redirect(safe_next(next_page or f"/results/{result_id}"))


@router.get("/method-runs/{run_id}", response_class=HTMLResponse)
def method_run_page(run_id: int, request: Request, db: Db) -> Response:
    who = resolve_principal(request)
    return render(request, "method_run.html", run=explorer.method_run(db, who, run_id))


# --- administration -------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: Db) -> Response:
    who = resolve_principal(request)
    return render(request, "users.html", users=accounts.users(db, who), errors=[])


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    db: Db,
    csrf: Csrf,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=10)],
    scope: Annotated[str, Form(max_length=200)] = "all",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf)
    who = resolve_principal(request)
    try:
        grant = Grant(Role(role), Scope.parse(scope))
        accounts.create_user(db, who, username, password, [grant], display_name)
    except (ValueError, ValidationError) as exc:
        require(who, Action.ADMIN, SYSTEM)
        return render(
            request, "users.html", status=422, users=accounts.users(db, who), errors=[str(exc)]
        )
    return redirect("/admin/users")


@router.post("/admin/users/{username}/roles", response_class=HTMLResponse)
def change_role(
    username: str,
    request: Request,
    db: Db,
    csrf: Csrf,
    role: Annotated[str, Form(max_length=10)],
    scope: Annotated[str, Form(max_length=200)] = "all",
    op: Annotated[str, Form(max_length=10)] = "grant",
) -> Response:
    check_csrf(request, csrf)
    who = resolve_principal(request)
    try:
        grant = Grant(Role(role), Scope.parse(scope))
    except (ValueError, ValidationError) as exc:
        require(who, Action.ADMIN, SYSTEM)
        return render(
            request, "users.html", status=422, users=accounts.users(db, who), errors=[str(exc)]
        )
    if op == "revoke":
        accounts.revoke(db, who, username, grant)
    else:
        accounts.grant(db, who, username, grant)
    return redirect("/admin/users")
