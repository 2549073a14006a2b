"""Report builds as jobs: queue one (answered at once, 202, with the job's address),
follow its state, and download its files, from any server on the same database."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.interfaces.api.deps import api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES
from greenfolio.interfaces.http import report_jobs as jobs_http
from greenfolio.services import report_jobs
from greenfolio.services.database import Database

router = APIRouter(tags=["reports"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]  # the id columns are 32-bit integers
PREFIX = "/api/v1/report-jobs"


class JobRequest(BaseModel):
    definition: str = Field(max_length=40, examples=["board"])
    year: int = Field(ge=1990, le=2100)
    languages: list[Annotated[str, Field(pattern="^(ar|zh|en|fr|ru|es)$")]] = Field(
        min_length=1, max_length=6
    )
    formats: list[Annotated[str, Field(max_length=5)]] = Field(min_length=1, max_length=3)


@router.post("/report-jobs", status_code=202, summary="Queue a report build")
def queue_job(body: JobRequest, who: Who, db: Db) -> JSONResponse:
    require(who, Action.REPORT, SYSTEM)
    job_id = jobs_http.queue(
        db, who.actor, body.definition, body.year, body.languages, body.formats
    )
    where = f"{PREFIX}/{job_id}"
    described = jobs_http.described(report_jobs.job(db, job_id), where)
    return JSONResponse(described, status_code=202, headers={"Location": where})


@router.get("/report-jobs", summary="The newest report jobs")
def list_jobs(who: Who, db: Db) -> list[dict[str, Any]]:
    require(who, Action.REPORT, SYSTEM)
    return [jobs_http.described(j, f"{PREFIX}/{j.id}") for j in report_jobs.jobs(db)]


@router.get("/report-jobs/{job_id}", summary="A report job: its state and files")
def get_job(job_id: Id, who: Who, db: Db) -> dict[str, Any]:
    require(who, Action.REPORT, SYSTEM)
    return jobs_http.described(report_jobs.job(db, job_id), f"{PREFIX}/{job_id}")


@router.get(
    "/report-jobs/{job_id}/files/{file_id}",
    summary="A file a report job wrote",
    response_class=Response,
)
def get_file(job_id: Id, file_id: Id, who: Who, db: Db) -> Response:
    require(who, Action.REPORT, SYSTEM)
    return jobs_http.download(db, job_id, file_id)
