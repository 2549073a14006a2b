"""The web pages as a browser meets them: sign-in, sessions and CSRF, languages and
right-to-left layout, the dashboard against the report's figure queries, data entry with
validation, revision with optimistic locking."""

from __future__ import annotations

import math
from datetime import date
from importlib import resources

import lxml.html
import pytest
import yaml

from greenfolio.domain.countries import name_order
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.units import convert
from greenfolio.interfaces.api.deps import CSRF_COOKIE
from greenfolio.interfaces.web import svg
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services import explorer, figures
from greenfolio.services.database import Database
from tests.test_api_support import PASSWORD, add_project, add_user, browser, client

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


@SQLITE
def test_private_server_sends_visitors_to_sign_in(demo_db: Database) -> None:
    web = client(demo_db)
    page = web.get("/projects?programme=pops")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/projects%3Fprogramme%3Dpops"
    public = client(demo_db, public=True).get("/")
    assert public.status_code == 200 and "Public view of verified data" in public.text
    # an officer's review: an Arabic link opened signed out gave an English sign-in page
    arabic = web.get("/projects/idb49-biogas-brazil?lang=ar")
    assert arabic.headers["location"].endswith("&lang=ar")
    signin = web.get(arabic.headers["location"])
    assert _doc(signin.text).xpath("/html/@lang") == ["ar"]
    form = _doc(signin.text).xpath("//form[@action='/login']")[0]
    fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    wrong = web.post("/login", data=fields | {"username": "nobody", "password": "wrong"})
    assert wrong.status_code in (401, 422), wrong.status_code
    said = _doc(wrong.text)
    assert said.xpath("/html/@lang") == ["ar"] and said.xpath("//*[@role='alert']"), wrong.text


@SQLITE
def test_sign_in_sets_a_safe_session_cookie(demo_db: Database) -> None:
    add_user(demo_db, "ana", "editor@all")
    web = client(demo_db)
    web.base_url = web.base_url.copy_with(scheme="https")
    form = web.get("/login")
    csrf = web.cookies[CSRF_COOKIE]
    assert f'value="{csrf}"' in form.text
    assert "httponly" in form.headers["set-cookie"].lower()
    done = web.post(
        "/login", data={"csrf": csrf, "username": "ana", "password": PASSWORD, "next": "/projects"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/projects"
    cookie = done.headers["set-cookie"].lower()
    assert "gf_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" in cookie
    assert "Signed in as ana" in web.get("/projects").text


@SQLITE
def test_the_sign_in_page_does_not_lead_back_to_itself(demo_db: Database) -> None:
    """No "Sign in" link on the sign-in page (it pointed to /login?next=/login), and a
    ``next`` naming the sign-in or sign-out page leads home after signing in."""
    add_user(demo_db, "dee", "viewer@all")
    web = client(demo_db)
    page = _doc(web.get("/login", params={"next": "/login"}).text)
    assert not page.xpath("//a[starts-with(@href, '/login')]")
    assert page.xpath("//form[@action='/login']//input[@name='next']/@value") == ["/"]
    elsewhere = _doc(web.get("/projects", follow_redirects=True).text)  # a page that asks
    assert elsewhere.xpath("//input[@name='next']/@value") == ["/projects"]
    assert _doc(client(demo_db, public=True).get("/").text).xpath("//a[@href='/login?next=/']")
    for target, lands in [
        ("/login", "/"),
        ("/login?next=/login", "/"),
        ("/login/", "/"),
        ("/%6Cogin", "/"),
        ("/projects/../login", "/"),
        ("/logout", "/"),
        ("/projects?programme=pops", "/projects?programme=pops"),
        ("https://elsewhere.example/", "/"),
    ]:
        fresh, csrf = browser(demo_db, None)
        sent = {"csrf": csrf, "username": "dee", "password": PASSWORD, "next": target}
        done = fresh.post("/login", data=sent)
        assert done.status_code == 303 and done.headers["location"] == lands, target


@SQLITE
def test_wrong_passwords_are_refused_then_rate_limited(demo_db: Database) -> None:
    add_user(demo_db, "ben", "viewer@all")
    web, csrf = browser(demo_db, None)
    for _ in range(5):
        bad = web.post("/login", data={"csrf": csrf, "username": "ben", "password": "wrong-one"})
        assert bad.status_code == 401 and "wrong password" in bad.text
    limited = web.post("/login", data={"csrf": csrf, "username": "ben", "password": PASSWORD})
    assert limited.status_code == 429


@SQLITE
def test_forms_without_the_csrf_token_change_nothing(demo_db: Database) -> None:
    user = add_user(demo_db, "cy", "editor@all")
    add_project(demo_db, "web-csrf", "pops", "BRA")
    web, _ = browser(demo_db, user)
    forged = web.post(
        "/projects/web-csrf/results",
        data={"csrf": "guess", "indicator": "pops_destroyed", "value": "5"},
    )
    assert forged.status_code == 403
    assert explorer.project(demo_db, _admin(demo_db), "web-csrf")["results"] == []
    api = web.post(
        "/api/v1/results", json={"work": "web-csrf", "indicator": "pops_destroyed", "value": 5}
    )
    assert api.status_code == 403 and "X-CSRF-Token" in api.json()["error"]["message"]


def _admin(db: Database):  # type: ignore[no-untyped-def]
    from greenfolio.domain.permissions import Grant, Principal, Role, Scope

    return Principal("t", (Grant(Role.ADMIN, Scope.parse("all")),), 0)


@SQLITE
def test_arabic_is_right_to_left_and_chinese_names_countries(demo_db: Database) -> None:
    user = add_user(demo_db, "dee", "viewer@all")
    add_project(demo_db, "web-lang", "pops", "BRA")
    web, _ = browser(demo_db, user)
    switched = web.get("/lang/ar?next=/projects/web-lang")
    assert switched.status_code == 303 and switched.headers["location"] == "/projects/web-lang"
    arabic = _doc(web.get("/projects/web-lang").text)
    assert arabic.get("dir") == "rtl" and arabic.get("lang") == "ar"
    assert "البرازيل" in arabic.text_content()
    assert catalogue("ar")["nav_portfolio"] in arabic.text_content()
    chinese = _doc(web.get("/projects/web-lang?lang=zh").text)
    assert chinese.get("dir") == "ltr" and "巴西" in chinese.text_content()
    assert "测试项目" in chinese.text_content()


@SQLITE
def test_left_to_right_items_are_isolated_in_right_to_left_pages(demo_db: Database) -> None:
    """In Arabic, a project key, an account name or a date set in a sentence is isolated
    (<bdi>, or FSI … PDI inside a history sentence): "· data-entry · 2026/11/30" read as
    "30 · 2026/11/data-entry", and a key wrapped at its hyphen as "-idb49"."""
    key = "idb49-pops-programme"
    web, _ = browser(demo_db, add_user(demo_db, "dee", "viewer@all"))
    project = _doc(web.get(f"/projects/{key}", params={"lang": "ar"}).text)
    assert project.get("dir") == "rtl"
    assert project.xpath("//p[@class='meta']/bdi/code/text()") == [key]
    said = project.xpath("//table[contains(@class, 'history')]//td/text()")  # "Created project KEY"
    assert any(text.endswith(f" \u2068{key}\u2069") for text in said), said
    changes = project.xpath("//table[contains(@class, 'history')]//ul[@class='changes']/li/text()")
    assert any(text.endswith(f"\u2068{key}\u2069") for text in changes), changes
    english = web.get(f"/projects/{key}", params={"lang": "en"}).text
    assert f"Created project {key}<" in english and "\u2068" not in english
    listed = _doc(web.get("/projects", params={"lang": "ar"}).text)
    assert key in listed.xpath("//td[@class='key']/bdi/code/text()")  # beside its title
    where = project.xpath("//a[starts-with(@href, '/results/')]/@href")[0]
    result = _doc(web.get(where, params={"lang": "ar"}).text)
    steps = result.xpath("//ol[@class='steps']/li")
    assert len(steps) >= 2  # the demo's results were submitted, then verified
    for step in steps:
        actor, when = (b.text_content() for b in step.xpath("bdi"))
        assert actor in ("data-entry", "reviewer") and when.endswith("UTC")
    assert result.xpath("//p[@class='meta']/bdi/text()")[0].startswith("#")


@SQLITE
def test_the_portfolio_lists_countries_and_terms_with_each_languages_marks(
    demo_db: Database,
) -> None:
    """A project's countries and terms are separated by the language's own marks: Arabic
    "، " and "؛ ", Chinese "、" and "；", French a thin space before its semicolon."""
    user = add_user(demo_db, "lea", "viewer@all")
    web, _ = browser(demo_db, user)
    marks = {"ar": ("، ", "؛ "), "zh": ("、", "；"), "fr": (", ", "\u202f; "), "en": (", ", "; ")}
    for lang, (between_countries, between_terms) in marks.items():
        page = _doc(web.get(f"/projects?q=planetgold&lang={lang}").text)
        [row] = page.xpath("//tbody/tr")
        countries, terms = (cell.text_content() for cell in row.xpath("./td")[4:6])
        assert countries.count(between_countries) == 2, (lang, countries)  # three countries
        assert between_terms in terms, (lang, terms)
        if lang in ("ar", "zh"):
            assert "," not in countries and ";" not in terms, (lang, countries, terms)


def test_every_catalogue_has_every_message() -> None:
    keys = set(catalogue("en"))
    for lang in UN_LANGUAGES:
        raw = yaml.safe_load(
            (resources.files("greenfolio.interfaces.web") / f"messages/{lang}.yaml").read_text()
        )
        assert set(raw) == keys, lang


@SQLITE
def test_dashboard_shows_the_report_figures(demo_db: Database) -> None:
    user = add_user(demo_db, "eve", "viewer@all")
    web, _ = browser(demo_db, user)
    page = _doc(web.get("/?lang=en").text)
    data = explorer.dashboard(demo_db, _admin(demo_db))
    checked = 0
    with demo_db.transaction() as session:
        for row in data["indicators"]:
            for year in data["years"]:
                spec = figures.FigureSpec(
                    "x",
                    "indicator",
                    row["params"],
                    figures.Window(date(year, 1, 1), date(year, 12, 31)),
                )
                figure = figures.indicator_figure(session, spec)
                shown = row["values"][str(year)]["value"]
                cell = page.xpath(f'//tr[@data-indicator="{row["code"]}"]/td[@data-year="{year}"]')[
                    0
                ]
                if shown is None:  # no verified result that year: a dash, not a zero
                    assert figure.value == 0 and not figure.result_ids
                    assert cell.text_content().strip() == "—"
                else:  # in the unit the row shows (uPOPs: mg TEQ), computed in its own
                    assert math.isclose(shown, convert(figure.value, figure.unit, row["unit"]))
                    assert cell.text_content().strip() not in ("", "—")
                checked += 1
    assert checked >= 10
    # rows by name in the reader's language, as one looks an indicator up
    for lang in ("en", "fr"):
        names = [
            th.text_content().strip()
            for th in _doc(web.get(f"/?lang={lang}").text).xpath(
                '//table[@class="figures stack"]/tbody/tr/th'
            )
        ]
        assert len(names) == len(data["indicators"])
        assert names == sorted(names, key=name_order)  # accents and articles aside
    reached = page.xpath('//svg[@class="map"]/*[local-name()="path"][@class="reached"]')
    assert len(reached) == sum(1 for c in data["countries"] if c in svg.country_paths())
    assert len(svg.country_paths()) > 170


@SQLITE
def test_entry_validation_and_revision(demo_db: Database) -> None:
    user = add_user(demo_db, "fay", "editor@all")
    add_project(demo_db, "web-entry", "pops", "BRA")
    web, csrf = browser(demo_db, user)
    base = {"csrf": csrf, "indicator": "pops_destroyed"}
    wrong = web.post("/projects/web-entry/results", data={**base, "value": "3", "unit": "m"})
    assert wrong.status_code == 422 and "cannot be converted" in wrong.text
    assert explorer.project(demo_db, _admin(demo_db), "web-entry")["results"] == []
    made = web.post("/projects/web-entry/results", data={**base, "value": "3", "unit": "t"})
    assert made.status_code == 303
    rid = int(made.headers["location"].split("/")[2].split("?")[0])
    form = {"csrf": csrf, "value": "4", "unit": "t", "kind": "actual", "qualifier": "exact"}
    revised = web.post(f"/results/{rid}/edit", data={**form, "version": "1"})
    assert revised.status_code == 303
    stale = web.post(f"/results/{rid}/edit", data={**form, "value": "9", "version": "1"})
    assert stale.status_code == 409 and "Someone changed this record" in stale.text
    page = _doc(web.get(f"/results/{rid}").text)
    assert page.xpath('string(//*[@data-testid="result-value"])') == "4"
    assert page.xpath('string(//*[@data-testid="version"])') == "2"
    assert "History (audit trail)" in page.text_content()
    # a result's own page shows every decimal it holds (lists write three): a run's
    # 66.0275 had read 66,028 on the result it made
    precise = {**form, "value": "66.0275", "version": "2"}
    assert web.post(f"/results/{rid}/edit", data=precise).status_code == 303
    french = _doc(web.get(f"/results/{rid}", params={"lang": "fr"}).text)
    assert french.xpath('string(//*[@data-testid="result-value"])') == "66,0275"


@SQLITE
def test_responses_carry_security_headers(demo_db: Database) -> None:
    response = client(demo_db, public=True).get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@SQLITE
def test_register_and_edit_a_project_in_the_browser(demo_db: Database) -> None:
    user = add_user(demo_db, "gil", "editor@country:SEN")
    web, csrf = browser(demo_db, user)
    outside = web.post(
        "/projects/new",
        data={
            "csrf": csrf,
            "key": "web-new",
            "kind": "project",
            "title_en": "Solar pumps",
            "countries": "BRA",
        },
    )
    assert outside.status_code == 403
    bad = web.post(
        "/projects/new",
        data={
            "csrf": csrf,
            "key": "web-new",
            "kind": "project",
            "title_en": "Solar pumps",
            "countries": "SEN XYZ",
        },
    )
    assert bad.status_code == 422 and "“XYZ” is neither a country" in bad.text
    made = web.post(
        "/projects/new",
        data={
            "csrf": csrf,
            "key": "web-new",
            "kind": "project",
            "title_en": "Solar pumps",
            "countries": "SEN",
            "terms": ["programme:mini_grids", "focus_area:b"],
        },
    )
    assert made.status_code == 303, made.text
    project = explorer.project(demo_db, _admin(demo_db), "web-new")
    assert project["countries"] == ["SEN"] and project["version"] == 1
    assert {t["key"] for t in project["terms"]} == {"programme:mini_grids", "focus_area:b"}
    form = {
        "csrf": csrf,
        "kind": "project",
        "title_en": "Solar water pumps",
        "countries": "SEN",
        "terms": ["programme:mini_grids", "focus_area:b"],  # checked, as the form shows them
        "version": "1",
    }
    assert web.post("/projects/web-new/edit", data=form).status_code == 303
    stale = web.post("/projects/web-new/edit", data={**form, "title_en": "Lost"})
    assert stale.status_code == 409
    after = explorer.project(demo_db, _admin(demo_db), "web-new")
    assert after["title"]["en"] == "Solar water pumps" and after["version"] == 2
    assert [e["action"] for e in after["history"]] == ["create", "update"]


def test_the_portfolio_tells_kinds_of_work_apart(demo_db: Database) -> None:
    """A newcomer read "13 Projects" on the dashboard and "33 found" on the portfolio: the
    portfolio lists every kind of work. Each row says its kind, a filter chooses one, and
    the dashboard's count leads to the projects it counts."""
    user = add_user(demo_db, "kim", "viewer@all")
    web, _ = browser(demo_db, user)
    home = _doc(web.get("/").text)
    counted = int(home.xpath('string(//*[@data-testid="projects-total"])'))
    [link] = home.xpath('//*[@data-testid="projects-total"]/ancestor::a/@href')
    assert link == "/projects?kind=project"
    projects = _doc(web.get(link).text)
    kinds = [c.text_content() for c in projects.xpath('//td[@data-testid="kind"]')]
    assert kinds and set(kinds) == {"Project"}
    assert projects.xpath('string(//*[@data-testid="found"])').split()[0] == str(counted)
    every = _doc(web.get("/projects?lang=fr").text)
    listed = {c.text_content() for c in every.xpath('//td[@data-testid="kind"]')}
    assert len(listed) > 1 and "Projet" in listed
    choices = every.xpath('//select[@name="kind"]/option/@value')
    assert "project" in choices and "" in choices
    # the download holds what the page lists
    csv_rows = web.get("/export/projects?kind=project&format=csv").text.strip().splitlines()
    assert len(csv_rows) - 1 == counted


def test_a_projects_budgets_and_transactions_are_shown_as_its_iati_file_gives_them(
    db: Database,
) -> None:
    """An IATI data manager's finding: an import kept budgets and transactions for the
    export, and no page showed them."""
    from greenfolio.services.exchange.iati_import import import_file
    from tests.conftest import DATA

    import_file(db, DATA / "iati" / "files" / "iati-example-v203.xml")
    user = add_user(db, "ana", "viewer@all")
    web, _ = browser(db, user)
    seen = {}
    for lang in ("en", "fr", "zh"):
        page = _doc(web.get(f"/projects/NL-1-PPR-24706?lang={lang}").text)
        rows = page.xpath('//*[@data-testid="finances"]//tbody/tr')
        seen[lang] = [[" ".join(c.text_content().split()) for c in r.xpath("./td")] for r in rows]
    assert [r[0] for r in seen["en"]] == [
        "Budget",
        "Outgoing commitment",
        "Disbursement",
        "Disbursement",
    ]
    assert seen["en"][2][2] == "1,500,000 EUR"  # a no-break space, made plain here
    assert seen["en"][2][1] == "Apr 8, 2014", seen["en"][2]  # as the pages write dates
    assert "2014" in seen["en"][0][1] and "2016" in seen["en"][0][1]
    assert [r[0] for r in seen["fr"]][2] == "Décaissement"
    assert [r[0] for r in seen["zh"]][1] == "对外承付"
    # an amount with cents keeps both digits, in the reader's way of writing numbers
    from greenfolio.interfaces.http.translator import Translator

    assert Translator("en").money(1000000.5) == "1,000,000.50"
    assert Translator("fr").money(1000000.5) == "1\u202f000\u202f000,50"
    assert Translator("en").money(2000000.0) == "2,000,000"
    # a project with none has no such section
    add_project(db, "no-money", "pops", "BRA")
    plain = _doc(web.get("/projects/no-money").text)
    assert not plain.xpath('//*[@data-testid="finances"]')
