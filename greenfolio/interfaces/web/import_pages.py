"""Importing a filled-in XLSX results template from the web: upload, preview, confirm.

The upload is kept by ``http.import_files`` under its SHA-256 (and the uploader's
account), so the confirmation names the file by its hash: the file applied is the one
previewed, byte for byte, and only its uploader can apply it. The preview and the import
are ``services.exchange.xlsx_plan``: the same checks as the command line's import, the
uploader's roles checked against each stored project, all or nothing; the plan's digest
ties the confirmation to the preview shown.

The page links to the template itself (``/import/template.xlsx``), written by the same
service as ``greenfolio template xlsx``, listing every indicator of the registry and, in
its Project column, the projects the reader may enter results for (``xlsx_offer``).
Reached from a project's page (``/import?project=KEY``) it also offers the template for
that project: its first rows prefilled with it, its indicators first.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.domain.exchange import Problem, RefusedError
from greenfolio.domain.permissions import Principal
from greenfolio.interfaces.http import import_files
from greenfolio.interfaces.http.context import resolve_principal
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.project_pages import indicators_by_code, require_edit
from greenfolio.interfaces.web.refusal_text import isolated, message
from greenfolio.interfaces.web.rendering import Db, check_csrf, lang_of, render, said
from greenfolio.refdata.loader import indicators
from greenfolio.services import explorer
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_offer, xlsx_plan, xlsx_template

router = APIRouter(include_in_schema=False)
ENV_FOLDER = import_files.ENV_FOLDER
_may_import = import_files.may_import


_TYPED = frozenset({"value", "code", "codes", "keys", "sheet", "column", "project"})
"""Params that are text typed in the file, kept whole in right-to-left lines."""


def problem_text(tr: Translator, problem: Problem) -> str:
    """A problem of the file in the reader's language: where (sheet, row, column) and
    what (translated when the catalogue knows it, else the importer's English)."""
    params: dict[str, Any] = {}
    for name, value in problem.params:
        if name == "choices":
            value = tr("list_sep").join(str(v) for v in value)
        elif name in ("as_whole", "as_decimal"):
            pass  # the two readings of a typed number: said ungrouped (refusal_text)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = tr.num(value)
        elif name in _TYPED and isinstance(value, str):
            value = isolated(tr, value)
        params[name] = value
    said_here = message(tr, problem.message_id, params) or problem.message
    sheet = isolated(tr, problem.sheet or "")
    column = isolated(tr, problem.column or "")
    if problem.sheet and problem.row:
        place = tr("import_place", sheet=sheet, row=tr.num(problem.row))
        if problem.column:
            place = tr("import_place_column", place=place, column=column)
        return tr("import_problem", place=place, problem=said_here)
    if problem.sheet:
        return tr("import_problem", place=tr("import_place_sheet", sheet=sheet), problem=said_here)
    return said_here


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    tr = Translator(lang_of(request))
    plan: xlsx_plan.Plan | None = context.get("plan")
    problems = [problem_text(tr, p) for p in (plan.problems if plan else [])]
    problems += [problem_text(tr, p) for p in context.pop("refused", [])]
    context.setdefault("errors", [])
    names = {**context.pop("stored_indicators", {}), **_names()}
    return render(
        request, "import.html", status=status, problems=problems, indicators=names, **context
    )


@cache
def _names() -> dict[str, dict[str, Any]]:
    return {
        code: {"names": ind.names, "disaggregations": [d.value for d in ind.disaggregations]}
        for code, ind in indicators().items()
    }


ProjectKey = Annotated[str | None, Query(max_length=200)]


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, db: Db, project: ProjectKey = None) -> Response:
    who = resolve_principal(request)
    _may_import(who)
    chosen = None
    if project:  # from a project's page: one the reader may read, and enter results for
        chosen = explorer.project(db, who, project)
        require_edit(who, chosen)
    rows = xlsx_template.PREFILLED_ROWS
    return _page(request, project=chosen, project_title=_title(request, chosen), rows=rows)


def _title(request: Request, project: dict[str, Any] | None) -> str:
    """A project's title for a sentence in the reader's language, isolated (FSI … PDI) in
    a right-to-left one so that a title in a left-to-right script keeps its order."""
    if project is None:
        return ""
    tr = Translator(lang_of(request))
    text = tr.text(project["title"]) or project["key"]
    return f"\u2068{text}\u2069" if tr.dir == "rtl" else text


TEMPLATE_NAME = xlsx_offer.file_name(None)


def _template(db: Database, who: Principal, lang: str, project: str | None) -> bytes:
    codes = [row["code"] for row in explorer.indicators(db, who)]
    with tempfile.TemporaryDirectory(prefix="greenfolio-template-") as tmp:
        out = Path(tmp) / TEMPLATE_NAME
        return xlsx_offer.write_for(db, who, codes, out, lang, project).read_bytes()


@router.get("/import/template.xlsx")
def template(request: Request, db: Db, project: ProjectKey = None) -> Response:
    """The results template to fill in, as ``greenfolio template xlsx`` writes it, with
    every indicator of the registry in its dropdown, in the reader's language, and the
    projects the reader may enter results for in its Project column's; with ``project``,
    that one in its first rows and its indicators first."""
    who = resolve_principal(request)
    _may_import(who)
    project = project or None
    name = xlsx_offer.file_name(project)
    return Response(
        _template(db, who, lang_of(request), project),
        media_type=xlsx_template.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/import", response_class=HTMLResponse)
async def upload(request: Request, db: Db) -> Response:
    # Who may import is known from the cookie: refuse the others before reading the file.
    who = await run_in_threadpool(resolve_principal, request)
    _may_import(who)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    sent = form.get("file")
    try:
        content = await import_files.read_upload(sent)
    except ValidationError as exc:
        return _page(request, 422, errors=[said(request, exc)])
    sha, plan = await run_in_threadpool(import_files.previewed, db, who, content)
    name = Path(str(getattr(sent, "filename", ""))).name[:200]
    keys = [r.project for r in plan.rows]
    titles = await run_in_threadpool(xlsx_offer.project_titles, db, who, keys, lang_of(request))
    status = 422 if plan.problems else 200
    # indicators an import registered (iati.…) are named as the project page names them
    registered = await run_in_threadpool(indicators_by_code, db, who)
    return _page(
        request,
        status,
        plan=plan,
        sha=sha,
        name=name,
        titles=titles,
        stored_indicators=registered,
    )


def _apply(
    request: Request,
    db: Database,
    sha: str,
    digest: str,
    name: str,
    also_count: bool,
    submit: bool,
) -> Response:
    who = resolve_principal(request)
    _may_import(who)
    try:
        path = import_files.kept(who, sha)
    except ValidationError as exc:
        return _page(request, 422, errors=[said(request, exc)])
    try:
        plan = xlsx_plan.apply(db, who, path, digest, also_count, submit)
    except RefusedError as refused:
        return _page(request, 422, refused=refused.problems, sha=sha, name=name)
    except xlsx_plan.PreviewOutdated as exc:
        return _page(request, 409, errors=[said(request, exc)], name=name)
    except ValidationError as exc:  # rows beside stored results, not confirmed: preview again
        shown = xlsx_plan.preview(db, who, path)
        return _page(request, 422, errors=[said(request, exc)], plan=shown, sha=sha, name=name)
    except GreenfolioError as exc:
        return _page(request, 409, errors=[said(request, exc)], name=name)
    path.unlink(missing_ok=True)
    return _page(request, done=plan, name=name, submitted=submit)


@router.post("/import/apply", response_class=HTMLResponse)
async def apply(request: Request, db: Db) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    sha = str(form.get("sha256", ""))[:64]
    digest = str(form.get("plan", ""))[:64]
    name = str(form.get("name", ""))[:200]
    also_count = form.get("also_count") == "yes"
    submit = form.get("submit_now") == "yes"  # the box is ticked unless the officer unticks it
    result: Response = await run_in_threadpool(
        _apply, request, db, sha, digest, name, also_count, submit
    )
    return result
