"""Projects, organisations and countries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from greenfolio.domain.countries import country_name
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.permissions import Principal
from greenfolio.interfaces.api.deps import api_principal, etag, expected_version, get_db
from greenfolio.interfaces.api.errors import RESPONSES, WRITE_RESPONSES
from greenfolio.interfaces.http import exports
from greenfolio.services import entry, explorer, list_rows
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec

router = APIRouter(tags=["portfolio"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
Lang = Annotated[str, Query(pattern="^(ar|zh|en|fr|ru|es)$", description="UN language")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=explorer.MAX_PER_PAGE)]
Code = Annotated[str | None, Query(max_length=80)]
Format = Annotated[
    str | None,
    Query(
        alias="format",
        pattern="^(csv|xlsx)$",
        description="download every matching row as csv or xlsx (or send Accept: text/csv)",
    ),
]


class ProjectSummary(BaseModel):
    key: str
    kind: str
    title: dict[str, str]
    status: str | None
    start: str | None
    end: str | None
    terms: list[str]
    countries: list[str]
    version: int


class ProjectPage(BaseModel):
    items: list[ProjectSummary]
    total: int = Field(description="matching projects, counted up to 10,000 (see more)")
    page: int
    per_page: int
    pages: int
    more: bool = Field(description="true when more projects match than total counts")


class ProjectDetail(BaseModel):
    key: str
    id: int
    kind: str
    title: dict[str, str]
    description: dict[str, str]
    status: str | None
    start: str | None
    end: str | None
    dates: list[dict[str, Any]] = Field(
        description="IATI activity dates as stated (type, when: a year, month or day), the "
        "day the IATI export writes for each (day: read only) and where each is stated"
    )
    sectors: list[str] = Field(description="DAC 5-digit sector codes")
    citation: str | None
    version: int
    terms: list[dict[str, Any]]
    countries: list[str]
    reported_countries: list[str]
    organisations: list[dict[str, Any]]
    results: list[dict[str, Any]]
    history: list[dict[str, Any]] = Field(description="audit events of the project")
    actions: list[str] = Field(description="what the caller may do to the project")


class ProjectRef(BaseModel):
    key: str
    id: int
    version: int


class ProjectWrite(WorkSpec):
    version: int | None = Field(default=None, description="version read (or If-Match)")


class Organisation(BaseModel):
    key: str
    names: dict[str, str]
    iati_ref: str | None
    kind: str | None
    projects: int


class Country(BaseModel):
    code: str
    name: str
    projects: int


@router.get(
    "/projects",
    response_model=ProjectPage,
    summary="List projects and other work",
    responses=exports.DOWNLOAD_RESPONSES,
)
def list_projects(
    who: Who,
    db: Db,
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="search key and title")] = None,
    focus_area: Code = None,
    core_function: Code = None,
    programme: Code = None,
    convention: Code = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{3}$")] = None,
    status: Code = None,
    kind: Code = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    sort: Annotated[str, Query(pattern="^-?(key|start|updated|status)$")] = "key",
    page: PageNo = 1,
    per_page: PerPage = 50,
    fmt: Format = None,
    lang: Lang = "en",
) -> Any:
    flt = explorer.ProjectFilter(
        q, focus_area, core_function, programme, convention, country, status, year, kind
    )
    download = exports.choose_format(fmt, request.headers.get("accept"))
    if download:
        rows = list_rows.projects(db, who, flt, sort)
        return exports.download("projects", rows, lang, download)
    return explorer.projects(db, who, flt, sort, page, per_page).as_dict()


@router.get("/projects/{key:path}", response_model=ProjectDetail, summary="One project in full")
def get_project(key: str, who: Who, db: Db, response: Response) -> dict[str, Any]:
    found = explorer.project(db, who, key)
    response.headers["ETag"] = etag(found["version"])
    return found


@router.post(
    "/projects",
    response_model=ProjectRef,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Register a project",
)
def create_project(spec: WorkSpec, who: Who, db: Db, response: Response) -> dict[str, Any]:
    saved = entry.save_project(db, who, spec, None, create=True)
    response.headers["ETag"] = etag(saved["version"])
    return saved


@router.put(
    "/projects/{key:path}",
    response_model=ProjectRef,
    responses=WRITE_RESPONSES,
    summary="Change a project (give the version read: If-Match or 'version')",
    description="Fields left out of the body are kept as stored (partners, countries, "
    "typed activity dates, sectors …); send a field to change it, an empty list to clear "
    "it. A start and end sent as read keep the typed dates they come from.",
)
def update_project(
    key: str, spec: ProjectWrite, who: Who, db: Db, request: Request, response: Response
) -> dict[str, Any]:
    if spec.key != key:
        raise ValidationError(f"the body's key {spec.key!r} is not the project {key!r}")
    version = expected_version(request, spec.version)
    plain = WorkSpec(**spec.model_dump(exclude={"version"}))
    # what the body leaves out is kept as stored (typed dates, partners, countries …)
    sent = spec.model_fields_set - {"version"}
    saved = entry.save_project(db, who, plain, version, create=False, sent=sent)
    response.headers["ETag"] = etag(saved["version"])
    return saved


@router.get("/organisations", response_model=list[Organisation], summary="Partners and donors")
def list_organisations(who: Who, db: Db) -> list[dict[str, Any]]:
    return explorer.organisations(db, who)


@router.get("/organisations/{key}", summary="One organisation and its projects")
def get_organisation(key: str, who: Who, db: Db) -> dict[str, Any]:
    return explorer.organisation(db, who, key)


@router.get("/countries", response_model=list[Country], summary="Countries reached")
def list_countries(who: Who, db: Db, lang: Lang = "en") -> list[dict[str, Any]]:
    counts = explorer.dashboard(db, who)["countries"]
    assert lang in UN_LANGUAGES
    return [
        {"code": code, "name": country_name(code, lang), "projects": n}
        for code, n in sorted(counts.items())
    ]
