"""Issue 12, item 2: separation of duties. Nobody, reviewer or admin, verifies a result they
entered, submitted or revised (at any time), or whose evidence they added or changed;
returning one's own result is allowed (it only sends
it back for a fix and never makes it count). Through the API, the pages and the CLI, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from tests import evidence_files
from tests.evidence_files import make_setup
from tests.test_api_support import User, add_project, add_user, browser, client


def _review(api: TestClient, user: User, rid: int, action: str, **extra: Any) -> Any:
    version = api.get(f"/api/v1/results/{rid}", headers=user.auth).json()["version"]
    body = {"action": action, "version": version, **extra}
    return api.post(f"/api/v1/results/{rid}/review", json=body, headers=user.auth)


def _refused_to(
    db: Database, api: TestClient, user: User, rid: int, deed: str, query: str = ""
) -> TestClient:
    """``user`` may not verify result ``rid`` (the refusal names ``deed``) and its page
    offers them no Verify button; their browser, for more checks."""
    refused = _review(api, user, rid, "verify")
    assert refused.status_code == 403 and deed in refused.text, refused.text
    web, _ = browser(db, user)
    page = lxml.html.fromstring(web.get(f"/results/{rid}{query}").text)
    assert not page.xpath('//button[@value="verify"]'), "no verify button for them"
    return web


def _enter(api: TestClient, user: User) -> int:
    body = {"work": "sd-p", "indicator": "pops_destroyed", "value": 2, "period_end": "2021-06-30"}
    made = api.post("/api/v1/results", json=body, headers=user.auth)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_nobody_verifies_what_they_entered_submitted_or_revised(db: Database) -> None:
    add_project(db, "sd-p", "pops", "BRA")
    admin = add_user(db, "boss", "admin@all")
    both = add_user(db, "both", "editor@all", "reviewer@all")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)

    # an admin's own result: submitted by them, refused to them, verified by another
    rid = _enter(api, admin)
    assert _review(api, admin, rid, "submit").status_code == 200
    own = _review(api, admin, rid, "verify")
    assert own.status_code == 403
    message = own.json()["error"]["message"]
    assert message.startswith(f"result {rid} cannot be verified by boss, who entered and submitted")
    assert "user:" not in message
    assert _review(api, reviewer, rid, "verify").json()["review_state"] == "verified"

    # someone holding both roles enters a result: they may not verify it
    rid = _enter(api, both)
    assert _review(api, both, rid, "submit").status_code == 200
    assert _review(api, both, rid, "verify").status_code == 403
    # returning one's own result is harmless: it goes back for a fix
    back = _review(api, both, rid, "return", note="wrong period")
    assert back.status_code == 200 and back.json()["review_state"] == "returned"

    # an admin who revised someone's result is its last reviser, and the submitter may
    # not verify either; a third person may
    rid = _enter(api, editor)
    version = api.get(f"/api/v1/results/{rid}", headers=admin.auth).json()["version"]
    revised = api.patch(
        f"/api/v1/results/{rid}", json={"value": 3, "version": version}, headers=admin.auth
    )
    assert revised.status_code == 200, revised.text
    assert _review(api, both, rid, "submit").status_code == 200
    refused = _review(api, admin, rid, "verify")
    assert refused.status_code == 403 and "who revised it" in refused.text
    assert _review(api, both, rid, "verify").status_code == 403  # submitted it
    assert _review(api, reviewer, rid, "verify").status_code == 200


def test_the_pages_hide_and_refuse_verifying_ones_own_result(db: Database) -> None:
    add_project(db, "sd-p", "pops", "BRA")
    admin = add_user(db, "boss", "admin@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)
    rid = _enter(api, admin)
    assert _review(api, admin, rid, "submit").status_code == 200
    web, csrf = browser(db, admin)
    page = lxml.html.fromstring(web.get(f"/results/{rid}").text)
    assert not page.xpath('//button[@value="verify"]') and page.xpath('//button[@value="return"]')
    queue = lxml.html.fromstring(web.get("/review").text)
    assert not queue.xpath(f'//tr[@data-result="{rid}"]//button[@value="verify"]')
    form = {"csrf": csrf, "action": "verify", "version": "2"}
    refused = web.post(f"/results/{rid}/review", data=form)
    assert refused.status_code == 403 and "Someone else must verify it" in refused.text
    other, other_csrf = browser(db, reviewer)
    assert lxml.html.fromstring(other.get(f"/results/{rid}").text).xpath(
        '//button[@value="verify"]'
    )
    done = other.post(f"/results/{rid}/review", data={**form, "csrf": other_csrf})
    assert done.status_code == 303
    # the next page says what the step did, in the reviewer's language
    assert done.headers["location"] == f"/results/{rid}?saved=verify"
    for lang, words in (("en", "Verified: the result now counts in reports."),
                        ("fr", "Vérifié\u00a0: le résultat compte désormais")):  # fmt: skip
        shown = other.get(f"/results/{rid}?saved=verify&lang={lang}").text
        flash = lxml.html.fromstring(shown).xpath('string(//p[@class="flash"])')
        assert flash.startswith(words), flash
    # a link cannot make a result read as a step it has not been through
    mine = _enter(api, admin)
    shown = other.get(f"/results/{mine}?saved=verify").text
    assert not lxml.html.fromstring(shown).xpath('//p[@class="flash"]')
    assert api.get(f"/api/v1/results/{rid}", headers=admin.auth).json()["review_state"] == (
        "verified"
    )


def test_the_command_line_applies_the_same_rule(db: Database) -> None:
    add_project(db, "sd-p", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    url = db.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        done = runner.invoke(app, [*args, "--db", url])
        return done.exit_code, done.output

    code, output = run(
        "results", "add", "--work", "sd-p", "--indicator", "pops_destroyed", "--value", "4",
        "--json",
    )  # fmt: skip
    assert code == 0, output
    mine = output.split('"id": ')[1].split(",")[0].split("}")[0].strip()
    assert run("results", "submit", mine)[0] == 0
    code, output = run("results", "verify", mine)
    assert code == 2 and "who entered and submitted it" in output, output
    assert "Traceback" not in output
    # a result entered and submitted by a web user is the command line's to verify
    api = client(db)
    theirs = _enter(api, editor)
    assert _review(api, editor, theirs, "submit").status_code == 200
    code, output = run("results", "verify", str(theirs))
    assert code == 0 and "verified" in output, output
    # results an IATI file brought: whoever imported it entered and submitted them
    iati = Path(__file__).parent / "data" / "iati" / "files" / "iati-example-v203.xml"
    assert run("import", "iati", str(iati))[0] == 0
    code, output = run("results", "list", "--state", "submitted", "--json")
    imported = [r["id"] for r in json.loads(output) if r["indicator"].startswith("iati.")]
    assert imported, output
    code, output = run("results", "verify", str(imported[0]))
    assert code == 2 and "who entered and submitted it" in output, output
    # the operating-system account is read from the process, not from USER or LOGNAME
    spoofed = runner.invoke(
        app,
        ["results", "verify", str(imported[0]), "--db", url],
        env={"USER": "someoneelse", "LOGNAME": "someoneelse"},
    )
    assert spoofed.exit_code == 2 and "who entered and submitted it" in spoofed.output


def test_the_upgrade_names_the_authors_of_existing_results(db: Database) -> None:
    """Results entered before migration 0005_auth get their authors from the audit trail,
    the review events and the kept revisions, so the rule holds for them too."""
    from sqlalchemy import text

    from greenfolio.store import migrate

    add_project(db, "sd-p", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    admin = add_user(db, "boss", "admin@all")
    api = client(db)
    rid = _enter(api, editor)
    version = api.get(f"/api/v1/results/{rid}", headers=admin.auth).json()["version"]
    body = {"value": 5, "version": version}
    assert api.patch(f"/api/v1/results/{rid}", json=body, headers=admin.auth).status_code == 200
    assert _review(api, editor, rid, "submit").status_code == 200
    migrate.downgrade(db.engine, "0004")
    assert db.upgrade() == migrate.head_revision()
    with db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT entered_by, revised_by, submitted_by FROM result WHERE id = :id"),
            {"id": rid},
        ).one()
    assert tuple(row) == ("user:ed", "user:boss", "user:ed")
    assert _review(api, admin, rid, "verify").status_code == 403


def test_taking_turns_does_not_get_round_the_rule(db: Database) -> None:
    """Two people may not each change a result and then verify it in turn: a revision
    made before someone else's later one still counts (it was "last revised" only)."""
    add_project(db, "sd-p", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    both = add_user(db, "er", "editor@all", "reviewer@all")
    other = add_user(db, "rev2", "reviewer@all")
    api = client(db)
    rid = _enter(api, editor)
    assert _review(api, editor, rid, "submit").status_code == 200
    assert _review(api, other, rid, "return", note="check the value").status_code == 200
    for who, change in ((both, {"value": 999}), (editor, {"citation": "annual report"})):
        version = api.get(f"/api/v1/results/{rid}", headers=who.auth).json()["version"]
        changed = api.patch(
            f"/api/v1/results/{rid}", json={**change, "version": version}, headers=who.auth
        )
        assert changed.status_code == 200, changed.text
    assert _review(api, editor, rid, "submit").status_code == 200
    web = _refused_to(db, api, both, rid, "who revised it")
    queue = lxml.html.fromstring(web.get("/review").text)
    assert not queue.xpath(f'//tr[@data-result="{rid}"]//button[@value="verify"]')
    assert _review(api, other, rid, "verify").json()["review_state"] == "verified"


def test_whoever_ran_the_calculation_behind_a_value_does_not_verify_it(db: Database) -> None:
    """Choosing a method run's inputs makes the figure as much as typing it: a reviewer who
    ran the calculation another person turned into a result may not verify that result."""
    add_project(db, "sd-p", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    both = add_user(db, "er", "editor@all", "reviewer@all")
    other = add_user(db, "rev2", "reviewer@all")
    api = client(db)
    inputs = {"quantity": 5000, "substance": "HCFC-22", "to": "co2e"}
    ran = api.post(
        "/api/v1/method-runs",
        json={"method": "montreal.convert", "inputs": inputs},
        headers=both.auth,
    )
    assert ran.status_code == 201, ran.text
    body = {"output": "value", "work": "sd-p", "indicator": "ghg_avoided", "country": "BRA"}
    body |= {"period_start": "2021-01-01", "period_end": "2021-06-30"}
    made = api.post(
        f"/api/v1/method-runs/{ran.json()['run_id']}/results", json=body, headers=editor.auth
    )
    assert made.status_code == 201, made.text
    rid = int(made.json()["id"])
    assert _review(api, editor, rid, "submit").status_code == 200
    _refused_to(db, api, both, rid, "who computed it", "?lang=es")
    assert _review(api, both, rid, "verify").json()["error"]["code"] == "forbidden"
    assert _review(api, other, rid, "verify").json()["review_state"] == "verified"


def test_whoever_changed_the_evidence_does_not_verify(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = make_setup(db, tmp_path, monkeypatch)
    both = add_user(db, "er", "editor@all", "reviewer@all")
    sent = s.api.post(
        f"/api/v1/results/{s.result_id}/evidence",
        files={"file": ("report.pdf", evidence_files.pdf(), "application/pdf")},
        headers=both.auth,
    )
    assert sent.status_code == 201, sent.text
    assert _review(s.api, s.editor, s.result_id, "submit").status_code == 200
    refused = _review(s.api, both, s.result_id, "verify")
    assert refused.status_code == 403, refused.text
    assert "who added or changed evidence for it" in refused.text
    web, csrf = browser(db, both)
    version = s.api.get(f"/api/v1/results/{s.result_id}", headers=both.auth).json()["version"]
    form = {"csrf": csrf, "action": "verify", "version": str(version)}
    said = web.post(f"/results/{s.result_id}/review?lang=fr", data=form)
    shown = lxml.html.fromstring(said.text).text_content()
    assert said.status_code == 403 and "vous l’avez documenté" in shown, shown[-800:]
    assert _review(s.api, s.reviewer, s.result_id, "verify").status_code == 200
