"""Refusals on the web pages in the visitor's language: the text rule, the key rule,
sign-in throttling, separation of duties, scope refusals and the password rules, each
fetched through the real app in Chinese, Arabic and French, with no English sentence and
no internal code (``editor@country:BRA``, ``text_nul``, enum values) in what is shown.
The API keeps its English messages and its error shape."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.http.context import CSRF_COOKIE, LANG_COOKIE
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services.database import Database
from tests.test_api_support import PASSWORD, User, add_project, add_user, browser, client

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
NBSP, NNBSP = "\u00a0", "\u202f"
INTERNAL = re.compile(r"@|_|\{|\}|None|Role\.|Action\.|forbidden|bad_request|rate_limited")
ENGLISH = re.compile(
    r"\b(the|is|and|you|your|with|must|character|remove|wait|try|again|cannot|"
    r"key|roles?|verify|password|attempts?|editing|project)\b",
    re.IGNORECASE,
)


def _in(web: TestClient, lang: str) -> TestClient:
    web.cookies.set(LANG_COOKIE, lang)
    return web


LRI, PDI = "\u2066", "\u2069"


def _alerts(html: str, isolated: tuple[str, ...] = ()) -> str:
    """The text of the page's alerts; in Arabic the Latin names in ``isolated`` must be
    kept whole by bidi isolation marks, which are then taken out for comparison."""
    doc = lxml.html.fromstring(html)
    said = " ".join(e.text_content().strip() for e in doc.xpath('//*[@role="alert"]'))
    if doc.get("dir") == "rtl":
        for name in isolated:
            assert f"{LRI}{name}{PDI}" in said, (name, said)
    return said.replace(LRI, "").replace(PDI, "")


def _lang_of(html: str) -> str:
    return str(lxml.html.fromstring(html).get("lang"))


def _said_natively(text: str, lang: str, *allowed: str) -> None:
    """``text`` holds no internal code and, beyond the given names (a key, a code
    point), no English: for Chinese and Arabic no Latin word at all."""
    rest = text
    for name in (*allowed, "U+0000"):
        rest = rest.replace(name, "")
    assert rest.strip(), text
    assert not INTERNAL.search(rest), text
    if lang in ("zh", "ar"):
        assert not re.search(r"[A-Za-z]{2,}", rest), text
    else:
        assert not ENGLISH.search(rest), text


def _signed_in(db: Database, user: User, lang: str) -> tuple[TestClient, str]:
    web, csrf = browser(db, user)
    return _in(web, lang), csrf


NUL_SEARCH = {
    "zh": "搜索：第1个字符是空字符（U+0000）。请删除该字符，它无法保存。",
    "ar": "بحث: الحرف رقم 1 حرف فارغ (U+0000). احذفه، فلا يمكن حفظه.",
    "fr": f"Rechercher{NBSP}: le caractère 1 est un caractère nul (U+0000). Supprimez-le"
    f"{NNBSP}; il ne peut pas être enregistré.",
}


@SQLITE
@pytest.mark.parametrize("lang", ["zh", "ar", "fr"])
def test_a_nul_in_the_search_is_refused_in_the_visitors_language(
    demo_db: Database, lang: str
) -> None:
    user = add_user(demo_db, "eve", "viewer@all")
    web, _ = _signed_in(demo_db, user, lang)
    page = web.get("/projects", params={"q": "\x00"})
    assert page.status_code == 400
    assert _lang_of(page.text) == lang
    said = _alerts(page.text, ("U+0000",))
    assert said == NUL_SEARCH[lang]
    _said_natively(said, lang)


WRONG_KEY = {
    "zh": "项目编号“a b”包含空格，编号中不能使用这些字符。",
    "ar": "رمز المشروع «a b» يحتوي على مسافة، وهذا غير مسموح به في الرمز.",
    "fr": f"La clé de projet «{NNBSP}a b{NNBSP}» contient un espace, ce qu’une clé ne peut "
    "pas contenir.",
}
KEY_HINT_START = {
    "zh": "请使用字母、数字及",
    "ar": "استخدم الحروف والأرقام",
    "fr": "Utilisez des lettres",
}


@SQLITE
@pytest.mark.parametrize("lang", ["zh", "ar", "fr"])
def test_a_wrong_key_is_refused_in_the_visitors_language(demo_db: Database, lang: str) -> None:
    user = add_user(demo_db, "ana", "editor@all")
    web, csrf = _signed_in(demo_db, user, lang)
    form = {"csrf": csrf, "key": "a b", "kind": "project", "title_en": "Solar"}
    page = web.post("/projects/new", data=form)
    assert page.status_code == 422
    said = _alerts(page.text, ("a b", "XM-DAC-41123-PROJ/2021:7"))
    assert said.startswith(WRONG_KEY[lang]), said
    joined = "" if lang == "zh" else " "  # no space between Chinese sentences
    assert WRONG_KEY[lang] + joined + KEY_HINT_START[lang] in said
    # The hint lists the characters a key may hold and gives an example key.
    example = "- _ . : / ( ) + ~ @"
    _said_natively(said.replace(example, ""), lang, "a b", "XM-DAC-41123-PROJ/2021:7")


THROTTLED = {  # the wait counts down while a loaded machine runs the test: any number
    "zh": r"^来自此地址的登录尝试次数过多。请等待\d+秒钟后重试。$",
    "ar": r"^محاولات تسجيل الدخول من هذا العنوان كثيرة جدًا\. "
    r"انتظر \d+ (ثوان|ثانية|ثانيتين) ثم حاول مرة أخرى\.$",
    "fr": r"^Trop de tentatives de connexion depuis cette adresse\. Attendez \d+\u00a0secondes?, "
    r"puis réessayez\.$",
}


@SQLITE
@pytest.mark.parametrize("lang", ["zh", "ar", "fr"])
def test_failed_and_throttled_sign_ins_show_the_form_again_with_the_reason(
    demo_db: Database, lang: str
) -> None:
    add_user(demo_db, "ben", "viewer@all")
    web = _in(client(demo_db), lang)
    web.get("/login")
    csrf = web.cookies[CSRF_COOKIE]
    wrong = {"csrf": csrf, "username": "ben", "password": "not the password", "next": "/"}
    for _ in range(5):
        failed = web.post("/login", data=wrong)
        assert failed.status_code == 401
        assert _alerts(failed.text) == catalogue(lang)["err_login_failed"]
        assert lxml.html.fromstring(failed.text).xpath('//form[@action="/login"]')
    right = {**wrong, "password": PASSWORD}
    limited = web.post("/login", data=right)
    assert limited.status_code == 429
    doc = lxml.html.fromstring(limited.text)
    assert doc.xpath('//form[@action="/login"]//input[@name="password"]'), "the form again"
    assert doc.xpath('//input[@name="username"]/@value') == ["ben"]
    said = _alerts(limited.text)
    assert re.match(THROTTLED[lang], said), said
    _said_natively(said, lang)
    assert "gf_session" not in web.cookies


SEPARATION = {
    "zh": "您不能核实成果 {rid}：该成果由您录入和提交。须由他人核实",
    "ar": "لا يمكنك التحقق من النتيجة {rid}، لأنك تولّيت إدخالها وتقديمها.",
    "fr": f"Vous ne pouvez pas vérifier le résultat {{rid}}{NBSP}: vous l’avez saisi et soumis.",
}


def _enter_and_submit(db: Database, user: User) -> int:
    api = client(db)
    body = {"work": "sd-p", "indicator": "pops_destroyed", "value": 2, "period_end": "2021-06-30"}
    made = api.post("/api/v1/results", json=body, headers=user.auth)
    assert made.status_code == 201, made.text
    rid = int(made.json()["id"])
    sent = api.post(
        f"/api/v1/results/{rid}/review",
        json={"action": "submit", "version": made.json()["version"]},
        headers=user.auth,
    )
    assert sent.status_code == 200, sent.text
    return rid


@pytest.mark.parametrize("lang", ["zh", "ar", "fr"])
def test_verifying_ones_own_result_is_refused_in_the_visitors_language(
    db: Database, lang: str
) -> None:
    add_project(db, "sd-p", "pops", "BRA")
    admin = add_user(db, "boss", "admin@all")
    rid = _enter_and_submit(db, admin)
    web, csrf = _signed_in(db, admin, lang)
    refused = web.post(
        f"/results/{rid}/review", data={"csrf": csrf, "action": "verify", "version": "2"}
    )
    assert refused.status_code == 403
    said = _alerts(refused.text)
    assert SEPARATION[lang].format(rid=rid) in said, said
    _said_natively(said, lang, str(rid))
    assert lxml.html.fromstring(refused.text).xpath("//h1"), "the result page, not a bare error"


SCOPE = {
    "zh": "您的角色不允许对项目 scope-khm 进行以下操作：编辑。"
    "您的角色：查阅者（所有项目）和编辑者（巴西）。",
    "ar": "أدوارك لا تسمح بالإجراء التالي في المشروع scope-khm: التعديل. "
    "أدوارك: مطّلع (جميع المشاريع) ومحرر (البرازيل).",
    "fr": f"Vos rôles ne permettent pas l’action suivante sur le projet scope-khm{NBSP}: "
    f"modification. Vos rôles{NBSP}: Lecteur (tous les projets) et Rédacteur (Brésil).",
}


@SQLITE
@pytest.mark.parametrize("lang", ["zh", "ar", "fr"])
def test_a_scope_refusal_names_the_project_and_the_roles_in_words(
    demo_db: Database, lang: str
) -> None:
    add_project(demo_db, "scope-khm", "pops", "KHM")
    user = add_user(demo_db, "ana", "viewer@all", "editor@country:BRA")
    web, _ = _signed_in(demo_db, user, lang)
    page = web.get("/projects/scope-khm/edit")
    assert page.status_code == 403
    said = _alerts(page.text, ("scope-khm",))
    assert said == SCOPE[lang], said
    _said_natively(said.replace("scope-khm", ""), lang)


@SQLITE
def test_the_password_rules_on_the_account_page_in_french(demo_db: Database) -> None:
    user = add_user(demo_db, "dan", "viewer@all")
    web, csrf = _signed_in(demo_db, user, "fr")
    short = web.post("/account/password", data={"csrf": csrf, "current": PASSWORD, "new": "court"})
    assert short.status_code == 422
    assert _alerts(short.text) == "Un mot de passe doit comporter au moins 10 caractères."
    wrong = web.post(
        "/account/password", data={"csrf": csrf, "current": "pas le bon", "new": "x" * 12}
    )
    assert wrong.status_code == 422
    assert _alerts(wrong.text) == "Le mot de passe actuel est erroné."
    same = web.post("/account/password", data={"csrf": csrf, "current": PASSWORD, "new": PASSWORD})
    assert (
        _alerts(same.text) == "Le nouveau mot de passe doit être différent du mot de passe actuel."
    )


@SQLITE
def test_the_api_keeps_english_messages_and_its_error_shape(demo_db: Database) -> None:
    admin = add_user(demo_db, "root", "admin@all")
    api = client(demo_db)
    headers = {**admin.auth, "Accept-Language": "zh"}
    api.cookies.set(LANG_COOKIE, "zh")
    found = api.get("/api/v1/projects", params={"q": "\x00"}, headers=headers)
    assert found.status_code == 400
    error: dict[str, Any] = found.json()["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["code"] == "bad_request"
    assert error["message"].startswith("the search holds a NUL character (U+0000) at character 1")


def _message_ids() -> set[str]:
    """Every message id the code raises with (``message_id="…"`` and the rules' ids)."""
    from importlib import resources

    ids: set[str] = set()
    root = resources.files("greenfolio")
    stack = [root]
    while stack:
        here = stack.pop()
        for item in here.iterdir():
            if item.is_dir():
                stack.append(item)
            elif item.name.endswith(".py"):
                source = item.read_text(encoding="utf-8")
                ids |= set(re.findall(r'message_id\s*=\s*"([a-z_]+)"', source))
                if item.name in ("text.py", "keys.py"):
                    ids |= set(re.findall(r'"((?:text|key)_[a-z]+)"', source))
    return ids


VALIDATE_IDS = ("iati_file_", "iati_ruleset_")
"""Refusals of `validate iati`, said by its own messages file (iati_rules_messages.yaml,
section ``file``), not by the pages' catalogue."""


def test_every_message_id_has_a_text_in_every_language() -> None:
    from greenfolio.services.exchange.iati_rules_text import messages

    ids = _message_ids()
    assert {"text_nul", "key_chars", "signin_throttled", "separation", "denied_project"} <= ids
    said_by_validate = {i for i in ids if i.startswith(VALIDATE_IDS)}
    assert "iati_file_not_well_formed" in said_by_validate
    for lang in UN_LANGUAGES:
        missing = sorted(i for i in ids - said_by_validate if f"err_{i}" not in catalogue(lang))
        assert not missing, (lang, missing)
    words = messages()["file"]
    keys = {
        i.removeprefix("iati_file_") if i.startswith("iati_file_") else i.removeprefix("iati_")
        for i in said_by_validate
    } - {""}  # "iati_file_" + a choice made in the code (doctype_unread, block_unread)
    assert sorted(keys - set(words)) == []


def test_french_messages_put_a_no_break_space_before_high_punctuation() -> None:
    for key, text in catalogue("fr").items():
        if key in ("err_key_hint", "scope_hint"):  # syntax: the characters of keys, scopes
            continue
        for found in re.finditer(r"[;:?!»]", text):
            before = text[found.start() - 1] if found.start() else ""
            assert before in (NBSP, NNBSP), (key, text)
        for found in re.finditer("«", text):
            assert text[found.end() : found.end() + 1] in (NBSP, NNBSP), (key, text)


def test_every_language_fills_the_same_placeholders() -> None:
    """A translation asking for a value the English text does not get would fail the
    page (KeyError) exactly when someone needs the message."""
    english = catalogue("en")
    for lang in UN_LANGUAGES:
        for key, text in catalogue(lang).items():
            wanted = set(re.findall(r"\{(\w*)\}", text))
            assert wanted == set(re.findall(r"\{(\w*)\}", english[key])), (lang, key)
