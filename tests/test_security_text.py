"""Control characters are refused wherever text enters (issue 12, items 5 and 12): API
bodies, web forms, review notes, the command line and the project search, on SQLite and
PostgreSQL alike, with a message naming the field and the position; nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.text import TextError, check_text, first_problem
from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow, WorkRow
from tests.test_api_support import add_project, add_user, browser, client


def test_the_rule_names_the_character_and_its_position() -> None:
    assert check_text("Solar pumps", "title") == "Solar pumps"
    with pytest.raises(TextError, match=r"title holds a NUL character \(U\+0000\) at character 3"):
        check_text("ab\x00c", "title")
    with pytest.raises(TextError, match=r"U\+0007\) at character 1"):
        check_text("\x07", "title")
    with pytest.raises(TextError, match="U\\+0085"):
        check_text("a\x85", "title", multiline=True)
    with pytest.raises(TextError, match="one line"):
        check_text("two\nlines", "title")
    assert check_text("two\r\nlines\tand a tab", "description", multiline=True)
    assert first_problem({"en": "ok", "fr": "non\x1b"}, "title") == (
        "title.fr holds a control character (U+001B) at character 4; remove it (it cannot be "
        "stored)"
    )
    assert first_problem([{"x": ["fine", "b\ufffe"]}], "rows") is not None
    assert first_problem({"en": "Ünïcödé 项目 ✓"}, "title") is None


def test_direction_overrides_are_refused_and_isolates_kept() -> None:
    """ "‮fdp.exe" shows as "exe.pdf": a title could show a reviewer something else than
    it holds. Embeddings and isolates, which pasted Arabic text carries, stay."""
    with pytest.raises(TextError, match=r"direction override \(U\+202E\) at character 1"):
        check_text("\u202efdp.exe", "title")
    with pytest.raises(TextError, match=r"U\+202D"):
        check_text("line one\nline \u202dtwo", "description", multiline=True)
    kept = "مشروع \u2067Solar\u2069 و\u202bنص\u202c"
    assert check_text(kept, "title") == kept


def test_pages_refuse_a_direction_override_in_each_language(demo_db: Database) -> None:
    user = add_user(demo_db, "rlo", "editor@all")
    web, csrf = browser(demo_db, user)
    works = _count(demo_db, WorkRow)
    seen = {}
    for lang in ("en", "ar", "zh"):
        bad = web.post(
            f"/projects/new?lang={lang}",
            data={"csrf": csrf, "key": "rlo-1", "kind": "project", "title_en": "a\u202eb"},
        )
        assert bad.status_code == 422
        seen[lang] = bad.text
    assert "character 2 is a direction override (U+202E)" in seen["en"]
    assert "يفرض اتجاه الكتابة" in seen["ar"] and "强制书写方向" in seen["zh"]
    assert "text_override" not in "".join(seen.values())
    assert _count(demo_db, WorkRow) == works


def _count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_api_refuses_control_characters_and_stores_nothing(demo_db: Database) -> None:
    admin = add_user(demo_db, "root", "admin@all")
    web = client(demo_db)
    works, results = _count(demo_db, WorkRow), _count(demo_db, ResultRow)
    bad = web.post(
        "/api/v1/projects",
        json={"key": "ctl-1", "kind": "project", "title": {"en": "Sol\x07ar"}},
        headers=admin.auth,
    )
    assert bad.status_code == 422, bad.text
    (detail,) = bad.json()["error"]["details"]
    assert detail["msg"].startswith("title.en holds a control character (U+0007) at character 4")
    made = web.post(
        "/api/v1/projects",
        json={
            "key": "ctl-1",
            "kind": "project",
            "title": {"en": "Solar"},
            "description": {"en": "first line\nsecond line\twith a tab"},
        },
        headers=admin.auth,
    )
    assert made.status_code == 201, made.text
    bad = web.post(
        "/api/v1/results",
        json={"work": "ctl-1", "indicator": "pops_destroyed", "value": 1, "evidence": "a\x00b"},
        headers=admin.auth,
    )
    assert bad.status_code == 422 and "evidence holds a NUL" in bad.text
    assert _count(demo_db, WorkRow) == works + 1 and _count(demo_db, ResultRow) == results
    # The search: a NUL matched everything on SQLite and failed on PostgreSQL; now both refuse.
    for path, params in (
        ("projects", {"q": "\x00"}),
        ("projects", {"q": "abc\x07"}),
        ("projects", {"programme": "\x00"}),
        ("results", {"indicator": "\x00"}),
        ("results", {"project": "a\x00"}),
    ):
        found = web.get(f"/api/v1/{path}", params=params, headers=admin.auth)
        assert found.status_code == 400, (params, found.text)
        error = found.json()["error"]
        assert error["code"] == "bad_request" and "at character" in error["message"]
    assert (
        web.get("/api/v1/projects", params={"q": "ctl-"}, headers=admin.auth).json()["total"] == 1
    )


def test_pages_refuse_control_characters(demo_db: Database) -> None:
    user = add_user(demo_db, "eve", "editor@all", "reviewer@all")
    add_project(demo_db, "ctl-web", "pops", "BRA")
    web, csrf = browser(demo_db, user)
    works, results = _count(demo_db, WorkRow), _count(demo_db, ResultRow)
    bad = web.post(
        "/projects/new",
        data={"csrf": csrf, "key": "ctl-web-2", "kind": "project", "title_en": "Sol\x07ar"},
    )
    assert (
        bad.status_code == 422
        and "Title (English): character 4 is an invisible control character (U+0007)" in bad.text
    )
    assert _count(demo_db, WorkRow) == works
    base = {"csrf": csrf, "indicator": "pops_destroyed", "value": "3", "unit": "t"}
    bad = web.post("/projects/ctl-web/results", data={**base, "citation": "x\x00"})
    assert bad.status_code == 422 and "Source: character 2 is a null character (U+0000)" in bad.text
    assert _count(demo_db, ResultRow) == results
    made = web.post("/projects/ctl-web/results", data={**base, "citation": "p.\n12"})
    assert made.status_code == 303, made.text
    rid = int(made.headers["location"].split("/")[2].split("?")[0])
    note = web.post(
        f"/results/{rid}/review",
        data={"csrf": csrf, "action": "submit", "version": "1", "note": "ok\x1b[31m"},
    )
    assert (
        note.status_code == 422 and "Reason for returning: character 3 is an invisible" in note.text
    )
    search = web.get("/projects", params={"q": "\x00"})
    assert search.status_code == 400 and "Search: character 1 is a null character" in search.text


def test_cli_refuses_control_characters(db: Database) -> None:
    add_project(db, "ctl-cli", "pops", "BRA")
    url = db.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        [
            "results", "add", "--work", "ctl-cli", "--indicator", "pops_destroyed",
            "--value", "2", "--evidence", "see\x07", "--db", url,
        ],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "evidence holds a control character (U+0007) at character 4" in result.output
    assert _count(db, ResultRow) == 0


def test_a_quoted_value_shows_what_a_reader_cannot_see() -> None:
    """Messages quote values from files: a tab, a zero-width space or a no-break space is
    written as its code point ("15220<U+200B>" looked like a valid code), never as
    Python's escapes; letters of any script and quotes stay as they are."""
    from greenfolio.domain.text import quoted

    assert quoted("1522\t0") == "'1522<U+0009>0'"
    assert quoted("15220\u200b") == "'15220<U+200B>'"
    assert quoted("id\u00a0") == "'id<U+00A0>'"
    assert quoted("a\u202eb") == "'a<U+202E>b'"
    assert quoted("Z'Z") == "'Z'Z'"
    assert quoted("مشروع 2") == "'مشروع 2'"
    assert quoted(None) == "''"
