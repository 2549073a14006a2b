"""Pages speak the visitor's language, not the schema's: every main page in all six
languages, as an administrator on the demo database, shows no stored code (units,
statuses, kinds, form choices, classification keys, column names, actor prefixes), and
the audit trail and record histories read as sentences."""

from __future__ import annotations

import re

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.results import Milestone, Qualifier, Sex, ValueKind
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.http.labels import GROUPS, key_of
from greenfolio.refdata.loader import read_yaml, schemes
from greenfolio.services.database import Database
from greenfolio.web.i18n import catalogue
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"
CODES = re.compile(
    r"\b(g_TEQ|mg_TEQ|ng_TEQ|tCO2e|ODP_tonne|value_chain|focus_area|core_function|sdg_target"
    r"|review_state|review_note|submitted_by|entered_by|revised_by|password_hash|argon2"
    r"|indicator_code|work_item|work_org|work_term|work_country|app_user|review_event"
    r"|role_grant|implementation|finalisation|under_way|more_than|period_start)\b"
    r"|\b(programme|convention|user|cli|local|scheme):\S"
    r"|\{'|'\}|\bNone\b"
)
ENUM_VALUES = {
    v.value
    for e in (WorkStatus, WorkKind, ValueKind, Qualifier, Milestone, Sex, OrgRole)
    for v in e
}
SORTS = ("key", "-key", "start", "-start", "-updated", "status")


def _visible(html: str) -> tuple[str, list[str]]:
    doc = lxml.html.fromstring(html)
    for node in doc.xpath("//script|//style|//pre"):
        node.drop_tree()
    options = [o.text_content().strip() for o in doc.xpath("//option")]
    return doc.xpath("string(//body)"), options


def _enter(web: TestClient, csrf: str, value: str) -> int:
    made = web.post(
        f"/projects/{PROJECT}/results",
        data={"csrf": csrf, "indicator": "pops_destroyed", "value": value, "unit": "t"},
    )
    assert made.status_code == 303, made.text
    return int(made.headers["location"].split("/")[2].split("?")[0])


def _review(web: TestClient, csrf: str, rid: int, action: str, version: int) -> None:
    done = web.post(
        f"/results/{rid}/review",
        data={"csrf": csrf, "action": action, "version": str(version), "next": "/review"},
    )
    assert done.status_code == 303, done.text


@pytest.fixture
def worked(demo_db: Database) -> tuple[Database, int]:
    """A result entered, revised (200 → 250 t) and submitted by one person and verified
    by another, plus one left waiting in the review queue."""
    editor = add_user(demo_db, "ed", "editor@all")
    boss = add_user(demo_db, "boss", "reviewer@all")
    web, csrf = browser(demo_db, editor)
    rid = _enter(web, csrf, "200")
    revised = web.post(
        f"/results/{rid}/edit",
        data={"csrf": csrf, "value": "250", "unit": "t", "kind": "actual", "qualifier": "exact",
              "version": "1"},
    )  # fmt: skip
    assert revised.status_code == 303, revised.text
    _review(web, csrf, rid, "submit", 2)
    waiting = _enter(web, csrf, "7")
    _review(web, csrf, waiting, "submit", 1)
    reviewer, rcsrf = browser(demo_db, boss)
    _review(reviewer, rcsrf, rid, "verify", 3)
    return demo_db, rid


@SQLITE
def test_no_stored_code_on_any_page_in_any_language(worked: tuple[Database, int]) -> None:
    db, rid = worked
    admin = add_user(db, "root-admin", "admin@all")
    web, _ = browser(db, admin)
    pages = [
        "/",
        "/projects",
        "/projects?status=implementation&sort=-updated",
        f"/projects/{PROJECT}",
        f"/results/{rid}",
        "/review",
        "/audit",
        "/audit?entity=result&change=update",
        "/reports",
        "/import",
        "/projects/new",
        f"/projects/{PROJECT}/edit",
        f"/projects/{PROJECT}/results/new",
        "/admin/users",
        "/account",
    ]
    found = []
    for lang in UN_LANGUAGES:
        for path in pages:
            page = web.get(path, params={"lang": lang})
            assert page.status_code == 200, (lang, path)
            text, options = _visible(page.text)
            found += [(lang, path, m.group(0)) for m in CODES.finditer(text)]
            found += [(lang, path, o) for o in options if o in ENUM_VALUES or o in SORTS]
    assert sorted(set(found)) == [], "\n".join(map(str, sorted(set(found))))


@SQLITE
def test_history_and_audit_read_as_sentences(worked: tuple[Database, int]) -> None:
    db, rid = worked
    admin = add_user(db, "root-admin", "admin@all")
    web, _ = browser(db, admin)
    result, _ = _visible(web.get(f"/results/{rid}", params={"lang": "en"}).text)
    assert "Changed the value from 200 to 250" in result
    assert "Submitted for review · ed" in result and "Verified · boss" in result
    assert "submitted by: ed" in result and "from —" not in result
    assert f"Created result {rid} — POPs destroyed or phased out, 200 t" in result
    audit, _ = _visible(web.get("/audit", params={"lang": "en"}).text)
    # the demo's results were verified by its reviewer account, not by "the demo loader"
    assert f"Verified result {rid}" in audit and "by: reviewer" in audit
    assert "Created account ed" in audit and "role: Editor" not in audit.split("ed")[0]
    assert "password" not in audit.lower()
    french, _ = _visible(web.get(f"/results/{rid}", params={"lang": "fr"}).text)
    assert "valeur\u00a0: de 200 à 250" in french and "Vérifié · boss" in french
    chinese, _ = _visible(web.get(f"/projects/{PROJECT}", params={"lang": "zh"}).text)
    assert "吨" in chinese and "执行中" in chinese


def test_every_label_is_in_every_catalogue() -> None:
    units = {
        str(i["unit"]) for i in read_yaml("greenfolio.refdata", "indicators.yaml")["indicators"]
    }
    wanted = {key_of(group, code) for group, codes in GROUPS.items() for code in codes}
    wanted |= {key_of("unit", u) for u in units}
    wanted |= {f"event_{a}" for a in GROUPS["review_action"]}
    wanted |= {f"audit_{a}" for a in ("create", "update", "delete")}
    wanted |= {"actor_demo", "actor_cli", "actor_local", "changed_from_to", "set_to"}
    for lang in UN_LANGUAGES:
        missing = sorted(wanted - set(catalogue(lang)))
        assert missing == [], (lang, missing)
    for scheme in schemes().values():
        assert set(scheme.names) >= set(UN_LANGUAGES), scheme.code
        for term in scheme.terms:
            assert set(term.names) >= set(UN_LANGUAGES), (scheme.code, term.code)
