"""The result pages: a new result's form, a result with its provenance (and the forms
that revise and review it) and the method run that produced results."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import pydantic
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import Action, countries_only
from greenfolio.interfaces.http.context import resolve_principal, seal
from greenfolio.interfaces.http.refusals import classify
from greenfolio.interfaces.web import form_numbers
from greenfolio.interfaces.web.entry_form import entry_context, indicator_choices
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.project_pages import indicators_by_code, require_edit
from greenfolio.interfaces.web.refusal_text import Placed
from greenfolio.interfaces.web.rendering import (
    Csrf,
    Db,
    RecordId,
    check_csrf,
    clean_form,
    form_number,
    in_thread,
    lang_of,
    placed,
    problem_context,
    redirect,
    render,
    safe_next,
    said,
)
from greenfolio.services import breakdown_entry, entry, evidence_store, explorer
from greenfolio.services.database import Database
from greenfolio.services.locking import StaleVersionError
from greenfolio.services.results import PartialResult, ResultSpec

router = APIRouter(include_in_schema=False)
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


CLEARABLE = ("milestone", "country", "sex", "entity", "evidence", "citation")
"""Optional fields of a result that its revision form can empty."""


def _result_form(
    key: str, request: Request, db: Database, status: int, form: dict[str, Any], **context: Any
) -> Response:
    who = resolve_principal(request)
    found = explorer.project(db, who, key)
    require_edit(who, found)
    tr = Translator(lang_of(request))
    indicators = indicator_choices(tr, explorer.indicators(db, who))
    code = form.get("indicator") or request.query_params.get("indicator")
    chosen = next((i for i in indicators if i["code"] == code), None)
    # the indicators the project already reports first: a POPs project's officer should
    # not look for "PCB destroyed" among accreditations (an officer's review)
    reported = {r["indicator"] for r in found.get("results") or ()}
    return render(
        request,
        "result_new.html",
        status=status,
        p=found,
        indicators=indicators,
        reported=[i for i in indicators if i["code"] in reported],
        others=[i for i in indicators if i["code"] not in reported],
        chosen=chosen,
        form=form,
        entry=entry_context(
            tr,
            chosen,
            form.get("unit"),
            form.get("country"),
            countries_only(who, Action.EDIT),
            found.get("countries") or (),
        ),
        **context,
    )


@router.get("/projects/{key:path}/results/new", response_class=HTMLResponse)
def new_result(key: str, request: Request, db: Db) -> Response:
    return _result_form(key, request, db, 200, form={}, errors=[], field_errors={})


@router.post("/projects/{key:path}/results", response_class=HTMLResponse)
async def create_result(key: str, request: Request, db: Db) -> Response:
    form = dict((await request.form()).items())
    check_csrf(request, str(form.get("csrf", "")))
    fields = clean_form({k: form.get(k) for k in ("indicator", *RESULT_FIELDS)})
    return await in_thread(_create_result, key, request, db, fields)


def _create_result(key: str, request: Request, db: Database, fields: dict[str, Any]) -> Response:
    who = resolve_principal(request)
    try:
        typed = form_numbers.read_fields(fields, lang_of(request), ("value",))
    except GreenfolioError as exc:
        return _result_form(
            key, request, db, 422, form=fields, **problem_context(placed(request, exc))
        )
    try:
        spec = ResultSpec(work=key, **typed)
    except pydantic.ValidationError as exc:
        found = placed(request, exc) + _other_problems(request, db, key, fields, exc)
        return _result_form(key, request, db, 422, form=fields, **problem_context(found))
    try:
        made = entry.create_result(db, who, spec)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 404, 422):
            raise
        found = placed(request, exc)
        return _result_form(key, request, db, 422, form=fields, **problem_context(found))
    return redirect(f"/results/{made['id']}")


def _other_problems(
    request: Request,
    db: Database,
    key: str,
    fields: dict[str, Any],
    exc: pydantic.ValidationError,
) -> Placed:
    """The rules the fields that did read break (a country, a period), so a value that is
    not a number does not hide them: every problem of the form is shown at once."""
    failed = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    try:
        partial = PartialResult(work=key, **{k: v for k, v in fields.items() if k not in failed})
        found = entry.check_result(db, resolve_principal(request), partial)
    except (pydantic.ValidationError, GreenfolioError):
        return []  # no indicator, or no project to check against: the form says so
    return [p for e in found for p in placed(request, e)]


def show_result(
    result_id: int, request: Request, db: Database, status: int = 200, **context: Any
) -> Response:
    who = resolve_principal(request)
    found = explorer.result(db, who, result_id)
    context.setdefault("form", found)
    context.setdefault("errors", [])
    context.setdefault("field_errors", {})
    context.setdefault("breakdown_form", {})
    indicators = indicators_by_code(db, who)
    tr = Translator(lang_of(request))
    form = context["form"]
    entry = None  # the revision form's choices, for those who get the form only
    if "edit" in found["actions"] and found["review_state"] in ("draft", "returned"):
        entry = entry_context(
            tr,
            indicators.get(found["indicator"]),
            found.get("unit"),
            form.get("country"),
            countries_only(who, Action.EDIT),
            found.get("project_countries") or (),
        )
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
def result_page(result_id: RecordId, request: Request, db: Db) -> Response:
    return show_result(result_id, request, db)


@router.post("/results/{result_id}/breakdown", response_class=HTMLResponse)
async def add_breakdown(result_id: RecordId, request: Request, db: Db) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    # not cut: a long value is refused as no number, never read as its first characters
    values = {sex: str(form.get(sex, "")) for sex in breakdown_entry.SEXES}
    return await in_thread(_add_breakdown, result_id, request, db, values)


def _add_breakdown(
    result_id: int, request: Request, db: Database, values: dict[str, str]
) -> Response:
    """The total's parts by sex, added together as drafts; the total's page then lists
    them. A refusal keeps what was typed."""
    try:
        typed = form_numbers.read_fields(values, lang_of(request), breakdown_entry.SEXES)
        breakdown_entry.add_breakdown(db, resolve_principal(request), result_id, typed)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 422):
            raise
        problems = problem_context(placed(request, exc))
        return show_result(result_id, request, db, 422, breakdown_form=values, **problems)
    return redirect(f"/results/{result_id}")


@router.post("/results/{result_id}/edit", response_class=HTMLResponse)
async def revise_result(result_id: RecordId, request: Request, db: Db) -> Response:
    form = dict((await request.form()).items())
    check_csrf(request, str(form.get("csrf", "")))
    # The revision form shows the stored values: an optional field it sent empty was
    # cleared by the user ("no particular country"), not left out to keep its value.
    fields = clean_form({k: form[k] for k in RESULT_FIELDS if k in form}, CLEARABLE)
    version = str(form.get("version", ""))
    return await in_thread(_revise, result_id, request, db, fields, version)


def _revise(
    result_id: int, request: Request, db: Database, fields: dict[str, Any], version: str
) -> Response:
    who = resolve_principal(request)
    try:
        typed = form_numbers.read_fields(fields, lang_of(request), ("value",))
        changes = entry.ResultChanges(**typed)
        entry.revise_result(db, who, result_id, changes, form_number(version))
    except pydantic.ValidationError as exc:
        found = placed(request, exc)
        return show_result(result_id, request, db, 422, form=fields, **problem_context(found))
    except StaleVersionError:
        return show_result(result_id, request, db, 409, stale=True)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 422, 428):
            raise
        found = placed(request, exc)
        return show_result(result_id, request, db, 422, form=fields, **problem_context(found))
    return redirect(f"/results/{result_id}")


def _refused(result_id: int, request: Request, db: Database, exc: GreenfolioError) -> Response:
    """A step on a result (review, deletion, withdrawal) refused: the result's page again,
    saying why; a stale version says so, a refusal of the step itself (verifying one's own
    figure, a draft someone else entered) keeps its 403. Anything else is no refusal of
    the step."""
    if isinstance(exc, StaleVersionError):
        return show_result(result_id, request, db, 409, stale=True)
    status = classify(exc)[0]
    if status not in (400, 403, 422, 428):
        raise exc
    status = 403 if status == 403 else 422
    return show_result(result_id, request, db, status, errors=[said(request, exc)])


def _remove(
    result_id: int, request: Request, db: Db, csrf: str, version: str, confirm: str, how: str
) -> Response:
    """Delete a draft or withdraw a returned result (``how``: "deleted" or "withdrawn"),
    once the box saying so is ticked; the project page then says so, under a seal."""
    check_csrf(request, csrf)
    who = resolve_principal(request)
    if confirm != "yes":
        unconfirmed = "delete_unconfirmed" if how == "deleted" else "withdraw_unconfirmed"
        return show_result(result_id, request, db, 422, **{unconfirmed: True})
    remove = entry.delete_draft if how == "deleted" else entry.withdraw_returned
    try:
        key = remove(db, who, result_id, form_number(version))
    except GreenfolioError as exc:
        return _refused(result_id, request, db, exc)
    mark = seal(request, how, result_id, key)
    return redirect(f"/projects/{quote(key, safe='')}?{how}={result_id}&seal={mark}", saved=False)


@router.post("/results/{result_id}/delete", response_class=HTMLResponse)
def delete_draft(
    result_id: RecordId,
    request: Request,
    db: Db,
    csrf: Csrf,
    version: Annotated[str, Form(max_length=12)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Delete a draft never sent to review, once the box saying so is ticked."""
    return _remove(result_id, request, db, csrf, version, confirm, "deleted")


@router.post("/results/{result_id}/withdraw", response_class=HTMLResponse)
def withdraw_returned(
    result_id: RecordId,
    request: Request,
    db: Db,
    csrf: Csrf,
    version: Annotated[str, Form(max_length=12)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Withdraw a result a reviewer returned, once the box saying so is ticked."""
    return _remove(result_id, request, db, csrf, version, confirm, "withdrawn")


@router.post("/results/{result_id}/review", response_class=HTMLResponse)
def review_result(
    result_id: RecordId,
    request: Request,
    db: Db,
    csrf: Csrf,
    action: Annotated[str, Form(max_length=10)],
    version: Annotated[int, Form(ge=0)],
    note: Annotated[str | None, Form(max_length=2000)] = None,
    next_page: Annotated[str | None, Form(alias="next", max_length=500)] = None,
    breakdown_checked: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    check_csrf(request, csrf)
    who = resolve_principal(request)
    try:
        checked = breakdown_checked == "yes"
        entry.review_result(db, who, result_id, action, note, version, checked)
    except GreenfolioError as exc:
        return _refused(result_id, request, db, exc)
    target = safe_next(next_page or f"/results/{result_id}")
    if target == f"/review?done={result_id}":  # the queue confirms this step, sealed
        target += f"&seal={seal(request, 'done', result_id, action)}"
    return redirect(target, saved=action)


@router.get("/method-runs/{run_id}", response_class=HTMLResponse)
def method_run_page(run_id: RecordId, request: Request, db: Db) -> Response:
    who = resolve_principal(request)
    return render(request, "method_run.html", run=explorer.method_run(db, who, run_id))
