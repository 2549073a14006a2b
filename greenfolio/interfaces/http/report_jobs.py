"""Report jobs for the API and the reports page alike: queue a build (checking the
formats the writers know), describe a job, and hand out one of its files from the
database, whichever server process built it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from greenfolio.interfaces import report_files
from greenfolio.services import report_jobs
from greenfolio.services.audit_state import stamp
from greenfolio.services.database import Database

MEDIA_BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".json": "application/json",
}


def queue(
    db: Database,
    by: str,
    definition: str,
    year: int,
    languages: Sequence[str],
    formats: Sequence[str],
) -> int:
    """Queue a build; its job's id."""
    report_files.check_formats(list(formats))
    return report_jobs.enqueue(db, by, definition, year, languages, formats)


def download(db: Database, job_id: int, file_id: int) -> Response:
    name, data = report_jobs.job_file(db, job_id, file_id)
    suffix = name[name.rfind(".") :] if "." in name else ""
    return Response(
        data,
        media_type=MEDIA_BY_SUFFIX.get(suffix, "application/octet-stream"),
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def described(job: report_jobs.Job, base: str) -> dict[str, Any]:
    """A job as the API gives it; ``base`` is the URL path of the job."""
    return {
        "id": job.id,
        "definition": job.definition,
        "year": job.year,
        "languages": list(job.languages),
        "formats": list(job.formats),
        "requested_by": job.requested_by,
        "requested_at": stamp(job.requested_at),
        "state": job.state,
        "attempts": job.attempts,
        "started_at": stamp(job.started_at) if job.started_at else None,
        "finished_at": stamp(job.finished_at) if job.finished_at else None,
        "message": job.error,
        "files": [
            {
                "id": f.id,
                "name": f.name,
                "bytes": f.size,
                "sha256": f.sha256,
                "href": f"{base}/files/{f.id}",
            }
            for f in job.files
        ],
    }
