"""What a newcomer met on the web pages, fetched through the real app: an unknown country
on the result form and a missing record said in the visitor's language (the API keeps its
English message and machine code), the review queue's empty line only under a heading
whose lists are all empty, and French typography (a no-break space before the colon,
"aucune" agreeing with "Source")."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services import explorer
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser, client

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"
NBSP, NNBSP, LRI, PDI = "\u00a0", "\u202f", "\u2066", "\u2069"


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def _alert(html: str) -> str:
    """The text of the page's alerts."""
    return " ".join(e.text_content().strip() for e in _doc(html).xpath('//*[@role="alert"]'))


def _signed_in(db: Database) -> tuple[TestClient, str]:
    return browser(db, add_user(db, "newcomer", "admin@all"))


def _enter(web: TestClient, csrf: str, lang: str, **fields: str) -> Any:
    form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "3", "unit": "t", **fields}
    return web.post(f"/projects/{PROJECT}/results?lang={lang}", data=form)


UNKNOWN_COUNTRY = {
    "en": "“XXX” is neither a country's name nor its code: write the name (Senegal) or the "
    "ISO 3166-1 alpha-3 code (SEN).",
    "fr": f"«{NNBSP}XXX{NNBSP}» n’est ni le nom ni le code d’un pays{NBSP}: écrivez son nom "
    "(Sénégal) ou son code ISO 3166-1 alpha-3 (SEN).",
    "es": "«XXX» no es el nombre ni el código de un país: escriba su nombre (Senegal) o su "
    "código ISO 3166-1 alfa-3 (SEN).",
    "ru": "«XXX» — не название и не код страны: укажите название (Сенегал) или трехбуквенный "
    "код ISO 3166-1 (SEN).",
    "zh": "“XXX”既不是国家名称，也不是国家代码：请填写名称（塞内加尔）或 "
    "ISO 3166-1 三字母代码（SEN）。",
    "ar": f'"{LRI}XXX{PDI}" ليس اسم بلد ولا رمزه: اكتب اسم البلد (السنغال) أو رمزه الثلاثي الأحرف '
    "وفق ISO 3166-1 (SEN).",
}


@SQLITE
def test_an_unknown_country_on_the_result_form_is_said_in_each_language(
    demo_db: Database,
) -> None:
    web, csrf = _signed_in(demo_db)
    for lang in UN_LANGUAGES:
        page = _enter(web, csrf, lang, country="XXX")
        assert page.status_code == 422, (lang, page.status_code)
        said = _alert(page.text)
        assert said == UNKNOWN_COUNTRY[lang], (lang, said)
        assert "unknown country code" not in said
    near = _alert(_enter(web, csrf, "fr", country="Brazil").text)
    assert near == (
        f"«{NNBSP}Brazil{NNBSP}» n’est pas un code de pays. Vouliez-vous dire BRA (Brésil){NNBSP}? "
        "Les pays sont indiqués par leur code ISO 3166-1 alpha-3."
    )


MISSING = (
    ("/projects/idb49-nonexistent", "err_project_missing", {"project": "idb49-nonexistent"}),
    ("/results/999999", "err_result_missing", {"result": "999999"}),
    ("/method-runs/999999", "err_method_run_missing", {"run": "999999"}),
)


@SQLITE
def test_a_missing_record_is_said_in_each_language_on_its_page(demo_db: Database) -> None:
    web, _ = _signed_in(demo_db)
    for lang in UN_LANGUAGES:
        for path, key, params in MISSING:
            page = web.get(f"{path}?lang={lang}")
            assert page.status_code == 404, (lang, path)
            if lang == "ar":
                params = {k: f"{LRI}{v}{PDI}" if k == "project" else v for k, v in params.items()}
            said = _alert(page.text)
            assert said == catalogue(lang)[key].format(**params), (lang, path, said)
            assert "no project" not in said and "no result" not in said and "no method" not in said
    french = _alert(web.get("/results/999999?lang=fr").text)
    assert french == "Le résultat 999999 n’existe pas."
    # The API keeps its English message and its machine code.
    admin = add_user(demo_db, "api-user", "admin@all")
    found = client(demo_db).get("/api/v1/projects/idb49-nonexistent", headers=admin.auth)
    assert found.status_code == 404
    error = found.json()["error"]
    assert error["code"] == "not_found"
    assert error["message"] == "no project or work item 'idb49-nonexistent'"


@SQLITE
def test_a_missing_record_without_words_of_its_own_shows_the_404_line(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*_: Any) -> None:
        raise NotFoundError("no method run 5")

    monkeypatch.setattr(explorer, "method_run", missing)
    web, _ = _signed_in(demo_db)
    for lang in UN_LANGUAGES:
        page = web.get(f"/method-runs/5?lang={lang}")
        assert page.status_code == 404
        assert _alert(page.text) == catalogue(lang)["err_http_404"], lang


def _sections(html: str) -> dict[str, tuple[int, bool]]:
    """Each heading of the review queue: the rows listed under it and whether it says
    that nothing is waiting."""
    doc = _doc(html)
    empty = catalogue("en")["nothing_waiting"]
    out: dict[str, tuple[int, bool]] = {}
    for heading in doc.xpath("//main//h2"):
        rows, said_empty = 0, False
        for node in heading.itersiblings():
            if node.tag == "h2":
                break
            rows += len(node.xpath("self::table//tbody/tr"))
            said_empty = said_empty or (node.tag == "p" and node.text_content().strip() == empty)
        out[heading.text_content().strip()] = (rows, said_empty)
    return out


@SQLITE
def test_the_review_queue_says_nothing_waits_only_under_an_empty_heading(
    demo_db: Database,
) -> None:
    web, csrf = _signed_in(demo_db)
    words = catalogue("en")
    waiting, drafts = words["waiting_review"], words["waiting_submit"]
    made = _enter(web, csrf, "en")
    assert made.status_code == 303, made.text
    rid = int(made.headers["location"].split("/")[2].split("?")[0])
    shown = _sections(web.get("/review?lang=en").text)
    assert shown[drafts][0] >= 1 and shown[drafts][1] is False, shown
    for rows, said_empty in shown.values():
        assert said_empty == (rows == 0), shown
    sent = web.post(
        f"/results/{rid}/review", data={"csrf": csrf, "action": "submit", "version": "1"}
    )
    assert sent.status_code == 303, sent.text
    shown = _sections(web.get("/review?lang=en").text)
    assert shown[waiting][0] >= 1 and shown[waiting][1] is False, shown
    for rows, said_empty in shown.values():
        assert said_empty == (rows == 0), shown


def _told(html: str) -> dict[str, str]:
    """The result page's provenance: each term with its value."""
    doc = _doc(html)
    return {
        dt.text_content().strip(): dt.getnext().text_content().strip()
        for dt in doc.xpath("//dl/dt")
    }


@SQLITE
def test_french_puts_a_no_break_space_before_the_colon_and_agrees_with_source(
    demo_db: Database,
) -> None:
    web, csrf = _signed_in(demo_db)
    form = f"/projects/{PROJECT}/results/new?indicator=pops_destroyed"
    french = _doc(web.get(f"{form}&lang=fr").text).xpath("string(//h1)")
    assert french == f"Saisir un résultat{NBSP}: POP détruits ou éliminés"
    chinese = _doc(web.get(f"{form}&lang=zh").text).xpath("string(//h1)")
    assert chinese == "录入成果：销毁或停止使用的持久性有机污染物"
    made = _enter(web, csrf, "fr")
    assert made.status_code == 303, made.text
    path = made.headers["location"].split("?")[0]
    told = _told(web.get(f"{path}?lang=fr").text)
    assert told["Source"] == "aucune" and told["Justificatif"] == "aucun", told
    assert told["Calcul"] == "aucun", told
    spanish = _told(web.get(f"{path}?lang=es").text)
    assert spanish["Fuente"] == "ninguna" and spanish["Cálculo"] == "ninguno", spanish
