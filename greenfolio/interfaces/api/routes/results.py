"""Results, their revision and their review."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from greenfolio.domain.permissions import Principal
from greenfolio.domain.text import CheckedText
from greenfolio.interfaces.api.deps import api_principal, etag, expected_version, get_db
from greenfolio.interfaces.api.errors import RESPONSES, WRITE_RESPONSES
from greenfolio.interfaces.http import exports
from greenfolio.interfaces.http.refusals import classify
from greenfolio.services import breakdown_entry, bulk_review, entry, explorer, list_rows
from greenfolio.services.database import Database
from greenfolio.services.results import ResultSpec

router = APIRouter(tags=["results"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
Lang = Annotated[str, Query(pattern="^(ar|zh|en|fr|ru|es)$", description="headers' language")]
Format = Annotated[
    str | None,
    Query(
        alias="format",
        pattern="^(csv|xlsx)$",
        description="download every matching row as csv or xlsx (or send Accept: text/csv)",
    ),
]


class ResultOut(BaseModel):
    id: int
    project: str | None
    indicator: str
    value: float
    unit: str
    qualifier: str
    kind: str
    period_start: str | None
    period_end: str | None
    milestone: str | None
    country: str | None
    sex: str | None
    entity: str | None
    evidence: str | None
    citation: str | None
    review_state: str
    review_note: str | None
    method_run_id: int | None
    output_key: str | None
    version: int


class ResultPage(BaseModel):
    items: list[ResultOut]
    total: int
    page: int
    per_page: int
    pages: int


class ResultDetail(ResultOut):
    project_title: dict[str, str]
    indicator_names: dict[str, str]
    indicator_unit: str
    method_run: dict[str, Any] | None
    review_events: list[dict[str, Any]]
    revisions: list[dict[str, Any]] = Field(description="superseded versions, kept whole")
    history: list[dict[str, Any]] = Field(description="audit events of the result")
    evidence_files: list[dict[str, Any]] = Field(
        default_factory=list, description="evidence files, current and past (signed-in readers)"
    )
    actions: list[str]


class ResultPatch(entry.ResultChanges):
    version: int | None = Field(default=None, description="version read (or If-Match)")


class ReviewRequest(CheckedText):
    multiline_fields = frozenset({"note"})
    action: Literal["submit", "return", "verify"]
    note: str | None = Field(default=None, max_length=2000, description="required to return")
    version: int | None = Field(default=None, description="version read (or If-Match)")
    breakdown_checked: bool = Field(
        default=False,
        description="to verify a result whose breakdown by sex adds up to more than its "
        "total, once the figures are checked (refused otherwise)",
    )


@router.get(
    "/results",
    response_model=ResultPage,
    summary="List results",
    responses=exports.DOWNLOAD_RESPONSES,
)
def list_results(
    who: Who,
    db: Db,
    request: Request,
    indicator: Annotated[str | None, Query(max_length=80)] = None,
    state: Annotated[str | None, Query(pattern="^(draft|submitted|returned|verified)$")] = None,
    project: Annotated[str | None, Query(max_length=160)] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{3}$")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    sort: Annotated[str, Query(pattern="^-?(id|value|period_end|updated)$")] = "id",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=explorer.MAX_PER_PAGE)] = 50,
    fmt: Format = None,
    lang: Lang = "en",
) -> Any:
    download = exports.choose_format(fmt, request.headers.get("accept"))
    if download:
        rows = list_rows.results(db, who, indicator, state, project, country, year, sort)
        return exports.download("results", rows, lang, download)
    return explorer.results(
        db, who, indicator, state, project, country, year, sort, page, per_page
    ).as_dict()


@router.get(
    "/results/{result_id}", response_model=ResultDetail, summary="One result with provenance"
)
def get_result(
    result_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Who, db: Db, response: Response
) -> dict[str, Any]:
    found = explorer.result(db, who, result_id)
    response.headers["ETag"] = etag(found["version"])
    return found


@router.post(
    "/results",
    response_model=ResultOut,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Enter a result (stored as a draft)",
)
def create_result(spec: ResultSpec, who: Who, db: Db, response: Response) -> dict[str, Any]:
    made = entry.create_result(db, who, spec)
    response.headers["ETag"] = etag(made["version"])
    return made


@router.patch(
    "/results/{result_id}",
    response_model=ResultOut,
    responses=WRITE_RESPONSES,
    summary="Revise a draft or returned result (the old version is kept)",
)
def revise_result(
    result_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    patch: ResultPatch,
    who: Who,
    db: Db,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    version = expected_version(request, patch.version)
    changes = entry.ResultChanges(**patch.model_dump(exclude_unset=True, exclude={"version"}))
    done = entry.revise_result(db, who, result_id, changes, version)
    response.headers["ETag"] = etag(done["version"])
    return done


@router.delete(
    "/results/{result_id}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Delete a draft never sent to review (send the version read as If-Match)",
)
def delete_draft(
    result_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    who: Who,
    db: Db,
    request: Request,
) -> Response:
    entry.delete_draft(db, who, result_id, expected_version(request))
    return Response(status_code=204)


class BreakdownRequest(BaseModel):
    """The parts of a total by sex; a part left out (or null) is not added."""

    model_config = ConfigDict(extra="forbid")
    # strict: JSON true is no count of 1; the service reads each as a result's value
    female: StrictInt | StrictFloat | StrictStr | None = Field(
        default=None, description="women counted in the total"
    )
    male: StrictInt | StrictFloat | StrictStr | None = Field(
        default=None, description="men counted in the total"
    )
    other: StrictInt | StrictFloat | StrictStr | None = Field(
        default=None, description="others counted in the total"
    )


@router.post(
    "/results/{result_id}/breakdown",
    response_model=list[ResultOut],
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Add a total's breakdown by sex: one draft result per part, like the total",
    description="Each part becomes a draft result with the total's project, indicator, "
    "unit, kind, period, milestone, country, entity and source; all are added or none. "
    "A part that already has a result beside the total is refused, naming it.",
)
def add_breakdown(
    result_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    parts: BreakdownRequest,
    who: Who,
    db: Db,
) -> list[dict[str, Any]]:
    return breakdown_entry.add_breakdown(db, who, result_id, parts.model_dump(exclude_none=True))


@router.post(
    "/results/{result_id}/withdraw",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Withdraw a result a reviewer returned, as whoever entered it or an administrator "
    "(send the version read as If-Match)",
)
def withdraw_returned(
    result_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    who: Who,
    db: Db,
    request: Request,
) -> Response:
    entry.withdraw_returned(db, who, result_id, expected_version(request))
    return Response(status_code=204)


@router.post(
    "/results/{result_id}/review",
    response_model=ResultOut,
    responses=WRITE_RESPONSES,
    summary="Submit, return (with a reason) or verify a result",
)
def review_result(
    result_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    req: ReviewRequest,
    who: Who,
    db: Db,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    version = expected_version(request, req.version)
    done = entry.review_result(
        db, who, result_id, req.action, req.note, version, req.breakdown_checked
    )
    response.headers["ETag"] = etag(done["version"])
    return done


class BulkReviewRequest(CheckedText):
    multiline_fields = frozenset({"note"})
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        min_length=1, max_length=bulk_review.MAX_SELECTED, description="the results to review"
    )
    action: Literal["verify", "return"]
    note: str | None = Field(default=None, max_length=2000, description="required to return")
    versions: dict[int, int] | None = Field(
        default=None, description="result id → version read: a result changed since is refused"
    )


class BulkRefusal(BaseModel):
    id: int
    status: int = Field(description="the HTTP status the same refusal gets for one result")
    code: str
    message: str


class BulkReviewOut(BaseModel):
    done: list[ResultOut]
    refused: list[BulkRefusal]


@router.post(
    "/results/review",
    response_model=BulkReviewOut,
    responses=WRITE_RESPONSES,
    summary="Verify or return several results (one reason); each one allowed is done",
    description="Each result is checked as stored and reviewed in its own transaction: the "
    "ones allowed are done, the others are listed under `refused` with the reason "
    "(wrong state, roles, four eyes: nobody verifies a result they entered, submitted or "
    "last revised; a breakdown by sex adding up to more than its total, which is "
    "verified on its own after a look) and left as they were.",
)
def review_results(req: BulkReviewRequest, who: Who, db: Db) -> dict[str, Any]:
    outcome = bulk_review.review_each(db, who, req.ids, req.action, req.note, req.versions)
    refused = []
    for item in outcome.refused:
        status, code = classify(item.error)
        refused.append(
            {"id": item.result_id, "status": status, "code": code, "message": str(item.error)}
        )
    return {"done": outcome.done, "refused": refused}


@router.get(
    "/review-queue", summary="Results waiting for the caller", responses=exports.DOWNLOAD_RESPONSES
)
def review_queue(who: Who, db: Db, request: Request, fmt: Format = None, lang: Lang = "en") -> Any:
    download = exports.choose_format(fmt, request.headers.get("accept"))
    if download:
        return exports.download("review", list_rows.review_queue(db, who), lang, download)
    return explorer.review_queue(db, who)
