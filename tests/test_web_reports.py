"""Issue 10 and 11, reports page: any installed definition (board, montreal, gef and
folders the administrator configured; never a path typed in the page), languages and
formats; the build is queued as a job, run by a worker, and its documents and provenance
files are listed and downloadable from the database. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import resources
from pathlib import Path

import lxml.html
import pytest

from greenfolio.interfaces import report_archive, report_worker
from greenfolio.services import report_catalogue, report_jobs
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of definitions the administrator configured, holding one copied from the
    shipped Montreal example under another name."""
    folder = tmp_path / "definitions"
    shipped = Path(str(resources.files("greenfolio.reports.montreal")))
    shutil.copytree(shipped, folder / "ozone_unit", ignore=shutil.ignore_patterns("__*"))
    monkeypatch.setenv(report_catalogue.ENV_FOLDERS, str(folder))
    monkeypatch.setenv(report_archive.ENV_ARCHIVE, str(tmp_path / "archive"))
    return folder


def _job_page(web: object, location: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(web.get(location).text)  # type: ignore[attr-defined]


def test_queue_run_and_download_with_provenance(demo_db: Database, configured: Path) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    page = lxml.html.fromstring(web.get("/reports").text)
    offered = page.xpath('//select[@name="definition"]/option/@value')
    assert offered == ["board", "montreal", "gef", "ozone_unit"]
    assert "(installed by the administrator)" in page.xpath('string(//option[@value="ozone_unit"])')
    assert page.xpath('//*[@data-testid="report-jobs"]') == []
    form = {"csrf": csrf, "definition": "board", "year": "2021", "lang": ["fr", "ar"]}
    done = web.post("/reports/build", data={**form, "format": ["html", "docx"]})
    assert done.status_code == 303, done.text
    location = done.headers["location"]
    job_id = int(location.rsplit("/", 1)[1])
    # Answered at once: the job waits, and its page says so and reloads itself.
    waiting = _job_page(web, location)
    assert waiting.xpath('//*[@data-testid="report-job"]/@data-state') == ["queued"]
    assert "Waiting" in waiting.text_content()
    assert waiting.xpath('//meta[@http-equiv="refresh"]')
    listed = lxml.html.fromstring(web.get("/reports").text)
    rows = listed.xpath('//*[@data-testid="report-jobs"]//tbody/tr')
    assert [(r.get("data-job"), r.get("data-state")) for r in rows] == [(str(job_id), "queued")]
    assert "Français" in rows[0].text_content() and "boss" in rows[0].text_content()
    # A worker (here this test's process) runs it; the page then lists the files.
    assert report_worker.run_waiting(demo_db, "test-worker") == [job_id]
    ready = _job_page(web, location)
    assert ready.xpath('//*[@data-testid="report-job"]/@data-state') == ["done"]
    assert ready.xpath('//meta[@http-equiv="refresh"]') == []
    links = ready.xpath('//*[@data-testid="report-job-files"]//a')
    names = [a.text_content() for a in links]
    assert sorted(n for n in names if not n.endswith(".json")) == [
        "board-2021-ar.docx",
        "board-2021-ar.html",
        "board-2021-fr.docx",
        "board-2021-fr.html",
    ]
    assert len(names) == 8  # each document with its provenance file
    by_name = {a.text_content(): a.get("href") for a in links}
    document = web.get(by_name["board-2021-fr.html"])
    assert document.status_code == 200 and document.headers["content-type"].startswith("text/html")
    assert 'lang="fr"' in document.text
    provenance_name = next(
        n for n in names if n.startswith("board-2021-fr.html") and n != "board-2021-fr.html"
    )
    data = json.loads(web.get(by_name[provenance_name]).content)
    assert data["document"]["sha256"] == hashlib.sha256(document.content).hexdigest()
    assert data["document"]["file"] == "board-2021-fr.html"
    # a definition the administrator configured builds the same way
    mine = {**form, "definition": "ozone_unit", "lang": "zh", "format": "docx"}
    assert web.post("/reports/build", data=mine).status_code == 303
    assert len(report_worker.run_waiting(demo_db, "test-worker")) == 1
    history = lxml.html.fromstring(web.get("/reports").text)
    states = history.xpath('//*[@data-testid="report-jobs"]//tbody/tr/@data-state')
    assert states == ["done", "done"]


def test_a_failed_build_says_why_in_words(demo_db: Database, configured: Path) -> None:
    """The configured definition is removed after the build was queued: the job fails,
    and its page says why in the visitor's language."""
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    form = {"csrf": csrf, "definition": "ozone_unit", "year": "2021", "lang": "en"}
    location = web.post("/reports/build", data={**form, "format": "html"}).headers["location"]
    shutil.rmtree(configured / "ozone_unit")
    report_worker.run_waiting(demo_db, "test-worker")
    page = _job_page(web, location + "?lang=fr")
    assert page.xpath('//*[@data-testid="report-job"]/@data-state') == ["failed"]
    why = page.xpath('string(//*[@data-testid="report-job-why"])')
    assert "ozone_unit" in why and "n’est installé" in why, why
    assert "Échec" in page.text_content()
    assert page.xpath('//*[@data-testid="report-job-files"]') == []


@pytest.mark.parametrize(
    "typed", ["../definitions/ozone_unit", "/etc", "definitions", "ozone_unit/", "BOARD"]
)
def test_a_path_or_unknown_name_is_never_queued(
    demo_db: Database, configured: Path, typed: str
) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    form = {"csrf": csrf, "definition": typed, "year": "2021", "lang": "fr", "format": "html"}
    refused = web.post("/reports/build?lang=fr", data=form)
    assert refused.status_code == 422
    assert "n’est installé" in refused.text
    assert report_jobs.jobs(demo_db) == []
    api_refused = web.get(f"/reports/download?year=2021&definition={typed}")
    assert api_refused.status_code in (404, 422)


def test_languages_and_formats_are_checked(demo_db: Database, configured: Path) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    base = {"csrf": csrf, "definition": "board", "year": "2021"}
    no_language = web.post("/reports/build", data={**base, "format": "html"})
    assert no_language.status_code == 422 and "one or more of the languages" in no_language.text
    bad_format = web.post("/reports/build", data={**base, "lang": "en", "format": "exe"})
    assert bad_format.status_code == 422
    assert report_jobs.jobs(demo_db) == []


def test_job_files_are_found_by_ids_only(demo_db: Database, configured: Path) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    viewer = add_user(demo_db, "vi", "viewer@all")
    web, csrf = browser(demo_db, boss)
    form = {"csrf": csrf, "definition": "gef", "year": "2021", "lang": "en", "format": "html"}
    location = web.post("/reports/build", data=form).headers["location"]
    report_worker.run_waiting(demo_db, "test-worker")
    other_job = report_jobs.enqueue(demo_db, "boss", "board", 2021, ["en"], ["html"])
    href = _job_page(web, location).xpath('//*[@data-testid="report-job-files"]//a/@href')[0]
    file_id = href.rsplit("/", 1)[1]
    assert web.get(href).status_code == 200
    for bad in (
        f"/reports/jobs/{other_job}/files/{file_id}",
        "/reports/jobs/999/files/1",
        f"{location}/files/..%2F..%2Fetc",
    ):
        assert web.get(bad).status_code in (404, 422), bad
    other, _ = browser(demo_db, viewer)
    assert other.get(href).status_code == 403
    assert other.get(location).status_code == 403
    assert other.get("/reports").status_code == 403
    # the refusal names the roles that may, not only the scope (an editor of everything
    # read "needs a role covering all projects. Your roles: Editor (all projects)")
    editor, _ = browser(demo_db, add_user(demo_db, "ed-all", "editor@all"))
    refused = editor.get("/reports", params={"lang": "fr"})
    assert refused.status_code == 403
    said = " ".join(lxml.html.fromstring(refused.text).text_content().split())
    assert "le rôle Examinateur ou Administrateur sur tous les projets" in said, said
