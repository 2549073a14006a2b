"""The process side of report jobs (``services.report_jobs``): claim a queued job, build
every language and format it asks for, keep the files in the database, and renew the
job's lease while it builds. ``greenfolio serve`` runs a ``Runner`` in a thread beside
the web server (unless started with ``--no-jobs``); ``greenfolio worker`` runs one on its
own. On SQLite this is how a single process serves and builds; several processes on one
SQLite file share the queue too, claiming under the database's write lock.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import tempfile
import threading
from pathlib import Path

from greenfolio.domain.errors import GreenfolioError
from greenfolio.interfaces import report_files
from greenfolio.services import report_jobs
from greenfolio.services.database import Database
from greenfolio.services.report_catalogue import resolve

log = logging.getLogger("greenfolio.jobs")
POLL_SECONDS = 1.0


def worker_name() -> str:
    """This process's name in the queue: host, process id and a random part."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"


class _Heartbeat(threading.Thread):
    """Renews a running job's lease until stopped."""

    def __init__(self, db: Database, job_id: int, worker: str) -> None:
        super().__init__(name=f"greenfolio-heartbeat-{job_id}", daemon=True)
        self.db, self.job_id, self.worker = db, job_id, worker
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(report_jobs.HEARTBEAT_SECONDS):
            try:
                if not report_jobs.heartbeat(self.db, self.job_id, self.worker):
                    return  # the job was taken back: its outcome is no longer ours to keep
            except Exception:  # the database is briefly unreachable: try at the next beat
                log.warning("could not renew the lease of report job %s", self.job_id)


def _build(db: Database, job: report_jobs.Claimed) -> list[tuple[str, bytes]]:
    source = resolve(job.definition).source
    with tempfile.TemporaryDirectory(prefix="greenfolio-job-") as tmp:
        paths = report_files.write_all(
            db, source, job.year, list(job.languages), list(job.formats), Path(tmp)
        )
        return [(path.name, path.read_bytes()) for path in paths]


def run_one(db: Database, worker: str) -> int | None:
    """Claim and run one queued job; its id, or None when none was waiting."""
    job = report_jobs.claim(db, worker)
    if job is None:
        return None
    beat = _Heartbeat(db, job.id, worker)
    beat.start()
    try:
        files = _build(db, job)
    except GreenfolioError as exc:
        report_jobs.fail(db, job.id, worker, str(exc), exc.message_id, dict(exc.params))
    except Exception as exc:  # a fault in a writer: the job says so, the process goes on
        log.exception("report job %s stopped on an unexpected error", job.id)
        report_jobs.fail(
            db,
            job.id,
            worker,
            f"the build stopped on an unexpected error ({type(exc).__name__}); "
            "the server's log has the details",
            "report_job_crashed",
        )
    else:
        report_jobs.finish(db, job.id, worker, files)
    finally:
        beat.stopped.set()
    return job.id


def run_waiting(db: Database, worker: str) -> list[int]:
    """Run jobs until none waits; their ids."""
    done = []
    while (ran := run_one(db, worker)) is not None:
        done.append(ran)
    return done


class Runner(threading.Thread):
    """Runs queued jobs, looking for them every ``POLL_SECONDS``, until ``stop()``."""

    def __init__(self, db: Database, worker: str | None = None) -> None:
        super().__init__(name="greenfolio-jobs", daemon=True)
        self.db = db
        self.worker = worker or worker_name()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                if report_jobs.waiting(self.db):
                    run_one(self.db, self.worker)
                    continue
            except Exception:  # the database is unreachable: look again later
                log.exception("report jobs: could not reach the queue")
            self.stopped.wait(POLL_SECONDS)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped.set()
        self.join(timeout)
