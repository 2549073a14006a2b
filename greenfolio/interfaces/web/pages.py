"""The web pages: each route reads the request, calls the same service as the API (which
checks the same permission) and renders a template in the visitor's language
(``rendering``). Every unsafe POST checks the form's CSRF token first. The session cookie
is HttpOnly, SameSite=Lax and Secure when the page was served over TLS.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from greenfolio.domain.countries import all_countries, name_order, written_names
from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    Grant,
    Principal,
    Role,
    Scope,
    require,
)
from greenfolio.domain.results import FIRST_YEAR, LAST_YEAR
from greenfolio.domain.text import folded
from greenfolio.interfaces.http.context import resolve_principal, seal_ok
from greenfolio.interfaces.http.context import seal as make_seal
from greenfolio.interfaces.web import group_charts, svg
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.project_filter import ProjectQuery
from greenfolio.interfaces.web.rendering import (
    Csrf,
    Db,
    check_csrf,
    lang_of,
    redirect,
    render,
    said,
)
from greenfolio.refdata import world
from greenfolio.services import accounts, dashboard_charts, explorer
from greenfolio.services.database import Database

router = APIRouter(include_in_schema=False)
_parts_lock = threading.Lock()
_parts: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = {}
_options: dict[tuple[int, str], tuple[Any, dict[str, str]]] = {}


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
            counts,
            tr.country,
            lambda n: tr("projects_n", n=tr.num(n)),
            tr("map_title"),
            tr("colon"),
        ),
        # by name in the reader's language, as a reader looks one up (not by code)
        "indicators": sorted(data["indicators"], key=lambda row: name_order(tr.text(row["names"]))),
        "legend": svg.legend(
            max(world.counts_drawn(counts).values(), default=1),
            lambda n: tr.num(n),
            tr("map_legend"),
            tr("colon"),
        ),
    }
    with _parts_lock:
        for old in [k for k, v in _parts.items() if v[0] is not data]:
            del _parts[old]
        _parts[key] = (data, parts)
    return parts


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    db: Db,
    report_year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> Response:
    who = resolve_principal(request)
    data = explorer.dashboard(db, who)
    tr = Translator(lang_of(request))
    parts = _dashboard_parts(data, tr)
    charts = dashboard_charts.dashboard_charts(db, who, year=report_year)
    groups = group_charts.draw(charts, tr)
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
        scheme: [(t["code"], tr.labelled(t["label"], t["names"])) for t in facets["terms"][scheme]]
        for scheme in explorer.FILTER_SCHEMES
    }
    # in the order of the result form's list (Chinese in English name order, as UN Chinese
    # texts list countries; the filter sorted Han by code point, 中国 before 乌克兰)
    rank = {code: n for n, (code, _) in enumerate(all_countries(tr.lang))}
    choices["country"] = sorted(
        ((c, tr.country(c)) for c in facets["countries"]),
        key=lambda item: (rank.get(item[0], len(rank)), name_order(item[1])),
    )
    choices["status"] = [(s, tr.label("status", s)) for s in facets["statuses"]]
    # the dashboard counts projects, the portfolio every kind of work: a kind tells them apart
    choices["kind"] = [(k, tr.label("work_kind", k)) for k in facets["kinds"]]
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


def _named_country(flt: explorer.ProjectFilter) -> str | None:
    """The country a search names, whole ("Египет", "Sénégal"), when no country is chosen:
    the search reads titles and descriptions, so the page offers the country's filter."""
    if not flt.q or flt.country:
        return None
    return written_names().get(folded(flt.q))


@router.get("/projects", response_class=HTMLResponse)
def portfolio(
    request: Request,
    db: Db,
    flt: ProjectQuery,
    sort: Annotated[str, Query(max_length=10)] = "key",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    who = resolve_principal(request)
    found = explorer.projects(db, who, flt, sort, page, 50).as_dict()
    query = {k: v for k, v in flt.active().items()}
    query["sort"] = sort
    return render(
        request,
        "portfolio.html",
        page=found,
        named_country=_named_country(flt),
        options=_selects(
            _filter_options(explorer.facets(db, who), Translator(lang_of(request))), flt
        ),
        flt=flt,
        sort=sort,
        query=query,
        may_register=who.may_edit_somewhere(),
        link=lambda **extra: "/projects?" + urlencode({**query, **extra}),
        export=lambda fmt: "/export/projects?" + urlencode({**query, "format": fmt}),
    )


# --- administration -------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    db: Db,
    removed_user: Annotated[str | None, Query(max_length=80)] = None,
    removed_role: Annotated[str | None, Query(max_length=10)] = None,
    removed_scope: Annotated[str | None, Query(max_length=200)] = None,
    seal: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    who = resolve_principal(request)
    users = accounts.users(db, who)
    removed = None
    # said only after this browser removed it (the seal) and while it is still not held
    said = seal_ok(request, seal, "removed", removed_user, removed_role, removed_scope)
    if said and removed_user and removed_role and removed_scope:
        found = next((u for u in users if u.username == removed_user), None)
        held = {(g.role.value, str(g.scope)) for g in found.grants} if found else set()
        if found is not None and (removed_role, removed_scope) not in held:
            removed = {"user": removed_user, "role": removed_role, "scope": removed_scope}
    return render(request, "users.html", users=users, errors=[], removed=removed)


def _users_refused(request: Request, db: Database, who: Principal, exc: Exception) -> Response:
    """The accounts page again with why the change was refused, in the visitor's language
    (a choice the form never offers, sent anyway, gets the general words)."""
    require(who, Action.ADMIN, SYSTEM)
    if isinstance(exc, GreenfolioError):
        why = said(request, exc)
    else:
        why = Translator(lang_of(request))("err_request_invalid")
    users = accounts.users(db, who)
    return render(request, "users.html", status=422, users=users, errors=[why])


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
        return _users_refused(request, db, who, exc)
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
        return _users_refused(request, db, who, exc)
    try:
        if op == "revoke":
            accounts.revoke(db, who, username, grant)
        else:
            accounts.grant(db, who, username, grant)
    except ValidationError as exc:  # an unknown country or project in the scope
        return _users_refused(request, db, who, exc)
    if op == "revoke":  # the page says what was removed and offers to give it back
        scope_text = str(grant.scope)
        undo = {"removed_user": username, "removed_role": role, "removed_scope": scope_text}
        undo["seal"] = make_seal(request, "removed", username, role, scope_text)
        return redirect("/admin/users?" + urlencode(undo), saved=False)
    return redirect("/admin/users")
