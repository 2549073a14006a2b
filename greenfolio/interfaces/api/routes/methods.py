"""Method runs: stored calculations and the results made from them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from greenfolio.domain.permissions import Principal
from greenfolio.domain.text import CheckedText
from greenfolio.interfaces.api.deps import api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES, WRITE_RESPONSES
from greenfolio.services import entry, explorer
from greenfolio.services import methods as method_service
from greenfolio.services.database import Database

router = APIRouter(tags=["methods"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class RunRequest(CheckedText):
    multiline_fields = frozenset({"inputs"})  # free-text notes inside inputs may wrap
    method: str = Field(max_length=80, description="method id, see GET /methods")
    inputs: dict[str, Any]


class FromRunRequest(CheckedText):
    multiline_fields = frozenset({"citation"})
    output: str = Field(max_length=80)
    work: str = Field(max_length=160, description="project key")
    indicator: str = Field(max_length=80)
    period_start: str | None = None
    period_end: str | None = None
    country: str | None = Field(default=None, max_length=3)
    citation: str | None = None


@router.get("/methods", summary="The calculation methods and their sources")
def list_methods(who: Who) -> list[dict[str, Any]]:
    return method_service.list_methods()


@router.get("/method-runs", summary="Stored method runs, newest first")
def list_runs(
    who: Who,
    db: Db,
    method: Annotated[str | None, Query(max_length=80)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=explorer.MAX_PER_PAGE)] = 50,
) -> dict[str, Any]:
    return explorer.method_runs(db, who, method, page, per_page).as_dict()


@router.get("/method-runs/{run_id}", summary="One run: inputs, outputs, reference data")
def get_run(run_id: RunId, who: Who, db: Db) -> dict[str, Any]:
    return explorer.method_run(db, who, run_id)


@router.post(
    "/method-runs", status_code=201, responses=WRITE_RESPONSES, summary="Run a method, keep it"
)
def create_run(req: RunRequest, who: Who, db: Db) -> dict[str, Any]:
    return entry.run_method(db, who, req.method, req.inputs)


@router.post(
    "/method-runs/{run_id}/results",
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Make a draft result from one output of a run",
)
def result_from_run(run_id: RunId, req: FromRunRequest, who: Who, db: Db) -> dict[str, Any]:
    spec = method_service.FromRun(run_id=run_id, **req.model_dump())
    return entry.result_from_run(db, who, spec)
