"""Issue 11, report builds as jobs: the queue's claim, lease and outcome rules, and the
API, on SQLite and PostgreSQL. Time is passed to the claim (``now``) rather than waited
for: a lease runs out when the claim is made later than the lease allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.interfaces import report_worker
from greenfolio.services import report_jobs
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

LATER = timedelta(seconds=report_jobs.LEASE_SECONDS + 1)


def _queue(db: Database, n: int = 1) -> list[int]:
    """``n`` jobs, each asked by another person (one person's same build is one job)."""
    return [report_jobs.enqueue(db, f"ada-{i}", "board", 2021, ["en"], ["html"]) for i in range(n)]


def test_two_workers_claim_different_jobs_oldest_first(demo_db: Database) -> None:
    first, second = _queue(demo_db, 2)
    a = report_jobs.claim(demo_db, "worker-a")
    b = report_jobs.claim(demo_db, "worker-b")
    assert a is not None and b is not None
    assert (a.id, b.id) == (first, second)
    assert report_jobs.claim(demo_db, "worker-c") is None
    assert [j.state for j in report_jobs.jobs(demo_db)] == ["running", "running"]


def test_a_job_whose_process_died_is_taken_up_again_then_failed(demo_db: Database) -> None:
    (job_id,) = _queue(demo_db)
    start = datetime.now(UTC)
    assert report_jobs.claim(demo_db, "dies-1", now=start) is not None
    # Within the lease nobody else takes it.
    assert report_jobs.claim(demo_db, "other", now=start + LATER / 2) is None
    # The lease ran out: the next claim takes it up again, and the first process, were it
    # to wake, can neither renew the lease nor keep an outcome.
    again = report_jobs.claim(demo_db, "dies-2", now=start + LATER)
    assert again is not None and again.id == job_id
    assert not report_jobs.heartbeat(demo_db, job_id, "dies-1")
    assert not report_jobs.finish(demo_db, job_id, "dies-1", [("x.html", b"stale")])
    assert report_jobs.job(demo_db, job_id).attempts == 2
    # Its second process dies too: the job fails, saying so in words.
    assert report_jobs.claim(demo_db, "other", now=start + 2 * LATER) is None
    failed = report_jobs.job(demo_db, job_id)
    assert failed.state == "failed" and failed.message_id == "report_job_lost"
    assert failed.error and "stopped 2 times" in failed.error
    assert failed.files == ()


def test_a_heartbeat_keeps_the_job(demo_db: Database) -> None:
    (job_id,) = _queue(demo_db)
    start = datetime.now(UTC)
    assert report_jobs.claim(demo_db, "alive", now=start) is not None
    assert report_jobs.heartbeat(demo_db, job_id, "alive", now=start + LATER)
    assert report_jobs.claim(demo_db, "other", now=start + LATER + LATER / 2) is None
    assert report_jobs.job(demo_db, job_id).state == "running"


def test_the_worker_builds_and_keeps_every_file(demo_db: Database) -> None:
    job_id = report_jobs.enqueue(demo_db, "ada", "gef", 2021, ["en", "zh"], ["html"])
    assert report_worker.run_waiting(demo_db, "w") == [job_id]
    done = report_jobs.job(demo_db, job_id)
    assert done.state == "done" and done.finished_at is not None
    documents = sorted(f.name for f in done.files if f.name.endswith(".html"))
    assert documents == ["gef-2021-en.html", "gef-2021-zh.html"]
    name, data = report_jobs.job_file(demo_db, job_id, done.files[0].id)
    assert name == done.files[0].name and len(data) == done.files[0].size > 0
    with pytest.raises(NotFoundError):
        report_jobs.job_file(demo_db, job_id + 1, done.files[0].id)


def test_enqueue_checks_definition_and_languages(demo_db: Database) -> None:
    with pytest.raises(NotFoundError):
        report_jobs.enqueue(demo_db, "ada", "../board", 2021, ["en"], ["html"])
    with pytest.raises(ValidationError):
        report_jobs.enqueue(demo_db, "ada", "board", 2021, [], ["html"])
    with pytest.raises(ValidationError):
        report_jobs.enqueue(demo_db, "ada", "board", 2021, ["xx"], ["html"])
    # a year the report goes to no meeting in: refused at once, not a job failing later
    with pytest.raises(NotFoundError, match="has no session for 2031"):
        report_jobs.enqueue(demo_db, "ada", "board", 2031, ["fr"], ["html"])
    assert report_jobs.jobs(demo_db) == []
    web, csrf = browser(demo_db, add_user(demo_db, "yearrep", "reviewer@all"))
    form = {"csrf": csrf, "definition": "board", "year": "2031", "lang": "fr", "format": "pdf"}
    page = web.post("/reports/build?lang=fr", data=form)
    assert page.status_code == 422, page.text[:300]
    assert "Ce rapport n’a pas de session en 2031\u00a0: choisissez" in page.text
    assert "(2021)" in page.text and "definition.yaml" not in page.text
    assert report_jobs.jobs(demo_db) == []


def test_jobs_are_not_audited_and_move_no_change_generation(demo_db: Database) -> None:
    from greenfolio.services.audit_state import NOT_AUDITED

    assert {"report_job", "report_job_file"} <= NOT_AUDITED
    before = accounts_generation(demo_db)
    _queue(demo_db)
    report_worker.run_waiting(demo_db, "w")
    assert accounts_generation(demo_db) == before


def accounts_generation(db: Database) -> int:
    from sqlalchemy import func, select

    from greenfolio.store.tables import AuditEventRow

    with db.transaction() as session:
        return int(session.scalar(select(func.coalesce(func.max(AuditEventRow.id), 0))) or 0)


def test_the_api_queues_at_once_and_serves_the_files(demo_db: Database) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    headers = {"X-CSRF-Token": csrf}
    body = {"definition": "board", "year": 2021, "languages": ["ru"], "formats": ["html"]}
    queued = web.post("/api/v1/report-jobs", json=body, headers=headers)
    assert queued.status_code == 202, queued.text
    assert queued.json()["state"] == "queued" and queued.json()["files"] == []
    where = queued.headers["location"]
    report_worker.run_waiting(demo_db, "w")
    done = web.get(where).json()
    assert done["state"] == "done" and done["message"] is None
    document = next(f for f in done["files"] if f["name"] == "board-2021-ru.html")
    got = web.get(document["href"])
    assert got.status_code == 200 and 'lang="ru"' in got.text
    refused = web.post("/api/v1/report-jobs", json={**body, "formats": ["exe"]}, headers=headers)
    assert refused.status_code == 422, refused.text


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_claim_skips_a_job_another_transaction_holds(demo_db: Database) -> None:
    """PostgreSQL: while another process's transaction holds the oldest queued job (as a
    claim does until it commits), a claim takes the next one at once."""
    from sqlalchemy import text

    first, second = _queue(demo_db, 2)
    with demo_db.engine.connect() as other:
        held = other.execute(
            text("SELECT id FROM report_job WHERE id = :id FOR UPDATE"), {"id": first}
        ).scalar()
        assert held == first
        claimed = report_jobs.claim(demo_db, "worker-b")
        assert claimed is not None and claimed.id == second
        other.rollback()
    again = report_jobs.claim(demo_db, "worker-c")
    assert again is not None and again.id == first


def test_the_same_build_asked_again_while_it_waits_is_one_job(demo_db: Database) -> None:
    first = report_jobs.enqueue(demo_db, "ada", "board", 2021, ["en", "fr"], ["pdf", "html"])
    again = report_jobs.enqueue(demo_db, "ada", "board", 2021, ["fr", "en"], ["html", "pdf"])
    assert again == first
    # another person's, or another build, is a job of its own
    assert report_jobs.enqueue(demo_db, "bea", "board", 2021, ["en", "fr"], ["pdf"]) != first
    other = report_jobs.enqueue(demo_db, "ada", "board", 2021, ["en"], ["html"])
    assert other != first
    # once it runs, asking again queues a new build (the records may have changed)
    report_jobs.claim(demo_db, "w")  # takes the oldest: ``first``
    assert report_jobs.job(demo_db, first).state == "running"
    later = report_jobs.enqueue(demo_db, "ada", "board", 2021, ["en", "fr"], ["pdf", "html"])
    assert later not in (first, other)


def test_one_person_may_have_a_few_builds_waiting(demo_db: Database) -> None:
    langs = ["en", "fr", "es", "ru", "zh", "ar"]
    for lang in langs[: report_jobs.MAX_WAITING]:
        report_jobs.enqueue(demo_db, "ada", "board", 2021, [lang], ["html"])
    with pytest.raises(report_jobs.TooManyJobs) as refused:
        report_jobs.enqueue(demo_db, "ada", "board", 2021, ["ar"], ["html"])
    assert refused.value.message_id == "report_job_busy"
    assert f"already have {report_jobs.MAX_WAITING} report builds" in str(refused.value)
    # others are not held up by it; and once one of ada's is done she may ask again
    report_jobs.enqueue(demo_db, "bea", "board", 2021, ["ar"], ["html"])
    claimed = report_jobs.claim(demo_db, "w")
    assert claimed is not None
    assert report_jobs.finish(demo_db, claimed.id, "w", [("x.html", b"x")])
    report_jobs.enqueue(demo_db, "ada", "board", 2021, ["ar"], ["html"])


def test_the_api_and_the_page_refuse_a_flood_in_words(demo_db: Database) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    headers = {"X-CSRF-Token": csrf}
    for lang in ["en", "fr", "es"]:
        body = {"definition": "board", "year": 2021, "languages": [lang], "formats": ["pdf"]}
        assert web.post("/api/v1/report-jobs", json=body, headers=headers).status_code == 202
    body = {"definition": "board", "year": 2021, "languages": ["ru"], "formats": ["pdf"]}
    refused = web.post("/api/v1/report-jobs", json=body, headers=headers)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "rate_limited"
    page = web.post(
        "/reports/build?lang=fr",
        data={"definition": "board", "year": "2021", "lang": "ru", "format": "pdf", "csrf": csrf},
    )
    assert page.status_code == 429
    assert "Vous avez déjà 3 productions de rapports en attente ou en cours" in page.text


def test_prune_keeps_the_newest_finished_builds_of_each_report(demo_db: Database) -> None:
    """``greenfolio report prune``: older finished builds of the same report, year,
    languages and formats go with their files; another kind of build (other languages)
    is counted on its own, and nothing waiting, running or failed is touched (a build of
    six languages was deleted for a newer one of Chinese alone)."""
    from typer.testing import CliRunner

    from greenfolio.interfaces.cli.app import app

    def built(by: str, langs: list[str], definition: str = "board") -> int:
        job_id = report_jobs.enqueue(demo_db, by, definition, 2021, langs, ["html"])
        claimed = report_jobs.claim(demo_db, "w")
        assert claimed is not None and claimed.id == job_id
        assert report_jobs.finish(demo_db, job_id, "w", [("a.html", b"x" * 1000)])
        return job_id

    every = built("p-all", ["en", "fr", "es", "ru", "zh", "ar"])
    english = [built(f"p-{i}", ["en"]) for i in range(4)]
    chinese = built("p-zh", ["zh"])
    gef = built("q", ["en"], "gef")
    failed = report_jobs.enqueue(demo_db, "f", "board", 2021, ["fr"], ["html"])
    assert report_jobs.claim(demo_db, "w") is not None
    assert report_jobs.fail(demo_db, failed, "w", "stopped")
    waiting = report_jobs.enqueue(demo_db, "r", "board", 2021, ["fr"], ["html"])
    oldest_file = report_jobs.job(demo_db, english[0]).files[0].id
    assert report_jobs.job_file(demo_db, english[0], oldest_file)[1] == b"x" * 1000
    url = demo_db.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["report", "prune", "--keep", "2", "--db", url])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 older report builds" in result.output
    left = {j.id for j in report_jobs.jobs(demo_db)}
    assert left == {every, *english[2:], chinese, gef, failed, waiting}
    with pytest.raises(NotFoundError):
        report_jobs.job_file(demo_db, english[0], oldest_file)
    assert report_jobs.job(demo_db, every).files  # the six-language build keeps its files
    again = CliRunner().invoke(app, ["report", "prune", "--keep", "2", "--db", url])
    assert again.exit_code == 0 and "Nothing to delete" in again.output
    refused = CliRunner().invoke(app, ["report", "prune", "--keep", "0", "--db", url])
    assert refused.exit_code == 2
