"""Pages speak the visitor's language, not the schema's: every page in all six languages
(signed in as an administrator on the demo database, or not signed in; error pages,
refusals and forms with errors included) shows no stored code (units, statuses, kinds,
form choices, classification keys, column names, actor prefixes, message keys), and the
audit trail and record histories read as sentences. A test checks that every page of the
web application is among those scanned."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import lxml.html
import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.results import Milestone, Qualifier, Sex, ValueKind
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.interfaces.http import labels
from greenfolio.interfaces.http.labels import GROUPS, key_of
from greenfolio.interfaces.web import account_pages, evidence_pages, link_pages
from greenfolio.interfaces.web import pages as web_pages
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.refdata.loader import read_yaml, schemes
from greenfolio.services import methods
from greenfolio.services.database import Database
from tests import evidence_files as files
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
KEYS = {key for key in catalogue("en") if "_" in key}
"""Message keys: one shown on a page is a text left untranslated."""
KEYLIKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


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


SIGNED_IN = (
    "/",
    "/projects",
    "/projects?status=implementation&sort=-updated",
    "/projects?q=mercury",
    "/projects?q=%E6%B1%9E",  # 汞
    "/projects?q=no-such-word-anywhere",
    f"/projects/{PROJECT}",
    "/results/{rid}",
    "/results/{draft}",  # a draft holding an evidence file
    "/results/{from_run}",  # a result made by a method run
    "/method-runs/{run}",
    "/review",
    "/audit",
    "/audit?entity=result&actor=reviewer",
    "/audit?entity=result&change=update",
    "/import",
    "/audit?page=2",
    "/reports",
    "/projects/new",
    f"/projects/{PROJECT}/edit",
    f"/projects/{PROJECT}/results/new",
    f"/projects/{PROJECT}/results/new?indicator=pops_destroyed",
    f"/projects/{PROJECT}/results/new?indicator=participants",
    "/admin/users",
    "/admin/invitations",
    "/account",
    "/results/999999999",  # error pages: not found
    "/no/such/page",
    "/projects?page=0",  # a value out of range
)
"""The pages scanned as an administrator, in every language ({…}: made by the fixture)."""
ANONYMOUS = ("/login", "/welcome/{secret}", "/welcome/no-such-link")
"""The pages scanned without signing in."""
NOT_OK = {
    "/results/999999999": 404,
    "/no/such/page": 404,
    "/projects?page=0": 422,
    "/welcome/no-such-link": 404,
    "/admin/users (viewer)": 403,
    "four eyes": 403,
    "field errors": 422,
}
"""The error pages among them, with their status; every other page answers 200."""


@dataclass
class Pages:
    db: Database
    web: TestClient
    csrf: str
    signed_in: list[str]
    anonymous: list[str]


@pytest.fixture
def pages(worked: tuple[Database, int]) -> Pages:
    """The pages of every kind with something on them: a draft result holding an evidence file,
    a result made by a method run, an invitation waiting, a refusal and field errors."""
    db, rid = worked
    admin = add_user(db, "root-admin", "admin@all")
    web, csrf = browser(db, admin)
    draft = _enter(web, csrf, "3")
    sent = web.post(
        f"/results/{draft}/evidence",
        data={"csrf": csrf, "note": "signed copy"},
        files={"file": ("Certificat de destruction.pdf", files.pdf(), "application/pdf")},
    )
    assert sent.status_code == 303, sent.text
    run = methods.run(
        db, "montreal.convert", {"quantity": 100, "substance": "HCFC-22", "to": "co2e"}
    )
    from_run = methods.result_from_run(
        db,
        methods.FromRun(
            run_id=run["run_id"], output="value", work="idb49-montreal-portfolio",
            indicator="ghg_avoided", period_start="2020-01-01", period_end="2020-12-31",
        ),
    )  # fmt: skip
    invited = web.post(
        "/admin/invitations",
        data={"csrf": csrf, "email": "new.officer@example.org", "role": "editor", "scope": "all"},
    )
    assert invited.status_code == 201, invited.text
    found = re.search(r"/welcome/([A-Za-z0-9_-]+)", invited.text)
    assert found, invited.text
    ids = {"rid": rid, "draft": draft, "from_run": from_run, "run": run["run_id"]}
    signed_in = [path.format(**ids) for path in SIGNED_IN]
    anonymous = [path.format(secret=found.group(1)) for path in ANONYMOUS]
    return Pages(db, web, csrf, signed_in, anonymous)


def _in(lang: str, path: str) -> str:
    """The address with ``lang=`` added to its query (httpx's ``params=`` would replace
    the query instead)."""
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def _scan(lang: str, path: str, html: str) -> list[tuple[str, str, str]]:
    """The stored codes, enum values, sort keys and message keys the page shows."""
    _, options = _visible(html)
    doc = lxml.html.fromstring(html)
    for node in doc.xpath("//script|//style|//pre"):
        node.drop_tree()
    text = "\n".join(doc.xpath("//body//text()"))  # cells apart, so that \b sees their ends
    found = [(lang, path, m.group(0)) for m in CODES.finditer(text)]
    found += [(lang, path, o) for o in options if o in ENUM_VALUES or o in SORTS]
    found += [(lang, path, m.group(0)) for m in KEYLIKE.finditer(text) if m.group(0) in KEYS]
    return found


@SQLITE
def test_no_stored_code_on_any_page_in_any_language(pages: Pages) -> None:
    web, csrf = pages.web, pages.csrf
    anonymous, _ = browser(pages.db, None)
    viewer, _ = browser(pages.db, add_user(pages.db, "looker", "viewer@all"))
    author, author_csrf = browser(
        pages.db, add_user(pages.db, "both", "editor@all", "reviewer@all")
    )
    mine = _enter(author, author_csrf, "11")
    _review(author, author_csrf, mine, "submit", 1)
    found = []
    for lang in UN_LANGUAGES:
        shown: list[tuple[str, httpx.Response]] = []
        for path in pages.signed_in:
            shown.append((path, web.get(_in(lang, path))))
        for path in pages.anonymous:
            shown.append((path, anonymous.get(_in(lang, path))))
        shown.append(("/admin/users (viewer)", viewer.get(_in(lang, "/admin/users"))))
        refused = author.post(
            f"/results/{mine}/review?lang={lang}",
            data={"csrf": author_csrf, "action": "verify", "version": "2"},
        )  # the author may not verify (four eyes)
        assert refused.status_code == 403, refused.text
        shown.append(("four eyes", refused))
        wrong = web.post(
            f"/projects/{PROJECT}/results?lang={lang}",
            data={"csrf": csrf, "indicator": "participants", "value": "2.5", "unit": "person",
                  "period_start": "2021-06-30", "period_end": "2021-01-01"},
        )  # fmt: skip
        assert wrong.status_code == 422, wrong.text
        shown.append(("field errors", wrong))
        for path, page in shown:
            wanted = NOT_OK.get(path, 200)
            assert page.status_code == wanted, (lang, path, page.status_code)
            assert page.headers["content-type"].startswith("text/html"), (lang, path)
            found += _scan(lang, path, page.text)
    assert sorted(set(found)) == [], "\n".join(map(str, sorted(set(found))))


def test_the_scan_covers_every_page() -> None:
    """Each page of the web application (a GET route answering HTML) is among those
    scanned above: a new page must be added there."""
    routes = [
        r
        for router in (
            web_pages.router,
            account_pages.router,
            link_pages.router,
            evidence_pages.router,
        )
        for r in router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods and r.response_class is HTMLResponse
    ]
    examples = [re.sub(r"\{[^}]*\}", "1", p.split("?")[0]) for p in SIGNED_IN + ANONYMOUS]
    missing = [
        r.path for r in routes if not any(r.path_regex.match(example) for example in examples)
    ]
    assert missing == [], f"pages not scanned in every language: {missing}"


@SQLITE
def test_history_and_audit_read_as_sentences(worked: tuple[Database, int]) -> None:
    db, rid = worked
    admin = add_user(db, "root-admin", "admin@all")
    web, _ = browser(db, admin)
    result, _ = _visible(web.get(f"/results/{rid}", params={"lang": "en"}).text)
    assert "Changed the value from 200 to 250" in result
    assert "Submitted for review · ed" in result and "Verified · boss" in result
    assert "Submitted by: ed" in result and "from —" not in result
    assert f"Created result {rid} — POPs destroyed or phased out: 200 t" in result
    audit, _ = _visible(web.get("/audit", params={"lang": "en"}).text)
    # the demo's results were verified by its reviewer account, not by "the demo loader"
    assert f"Verified result {rid}" in audit and "By: reviewer" in audit
    assert "Created account ed" in audit and "Role: Editor" not in audit.split("ed")[0]
    assert "password" not in audit.lower()
    french, _ = _visible(web.get(f"/results/{rid}", params={"lang": "fr"}).text)
    assert "Valeur\u00a0: de 200 à 250" in french and "Vérifié · boss" in french
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


def test_a_term_is_written_after_its_label_as_a_un_list_item() -> None:
    """Letters and roman numerals in brackets, numbers as they are."""
    assert labels.labelled("i", "technical cooperation") == "(i) technical cooperation"
    assert labels.labelled("c", "national commitments") == "(c) national commitments"
    assert labels.labelled("12.4", "sound management") == "12.4 sound management"
    assert labels.labelled(None, "mercury") == "mercury"
    # as the Board report's templates write them: Arabic letters in abjad order, Russian
    # with one bracket; roman numerals stay as written
    assert labels.labelled("c", "الالتزامات", "ar") == "(ج) الالتزامات"
    assert labels.labelled("a", "البنى", "ar") == "(أ) البنى"
    assert labels.labelled("ii", "research", "ar") == "(ii) research"
    assert labels.labelled("b", "нейтральность", "ru") == "b) нейтральность"


def test_a_focus_areas_letter_in_a_chart_title_is_the_readers() -> None:
    from greenfolio.interfaces.web.group_charts import group_title
    from greenfolio.interfaces.web.i18n import Translator

    chart = {"scheme": "focus_area", "label": "c", "names": {"ar": "الالتزامات", "en": "x"}}
    assert group_title(chart, Translator("ar")) == "مجال التركيز (ج): الالتزامات"
    assert group_title(chart, Translator("en")) == "Focus area (c): x"
