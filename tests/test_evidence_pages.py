"""Evidence files on the result page, on SQLite and PostgreSQL: listed in the visitor's
language, uploaded with the form's CSRF token, downloaded byte for byte, replaced and
withdrawn only when confirmed, kept in the history, refused outside the scope."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services.database import Database
from tests import evidence_files as files
from tests.evidence_files import Setup, make_setup, stored_files
from tests.test_api_support import browser


@pytest.fixture
def s(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    return make_setup(db, tmp_path, monkeypatch)


def _text(html: str) -> str:
    return str(lxml.html.fromstring(html).xpath("string(//main)") or "")


def _upload(
    web: TestClient, url: str, csrf: str | None, content: bytes, name: str, **fields: str
) -> httpx.Response:
    data = {**({"csrf": csrf} if csrf is not None else {}), **fields}
    return web.post(url, data=data, files={"file": (name, content, "application/pdf")})


def test_the_result_page_lists_uploads_and_serves_the_files(s: Setup) -> None:
    web, csrf = browser(s.db, s.editor)
    page = f"/results/{s.result_id}"
    before = web.get(page, params={"lang": "en"})
    assert "No evidence file yet." in _text(before.text)
    assert 'enctype="multipart/form-data"' in before.text
    # without the form's token nothing is stored
    forged = _upload(web, f"{page}/evidence", None, files.pdf(), "proof.pdf")
    assert forged.status_code == 403
    assert stored_files(s.folder) == []
    done = _upload(web, f"{page}/evidence", csrf, files.pdf(), "Rapport final.pdf", note="signed")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{page}?saved=1#evidence"
    shown = web.get(page, params={"lang": "en"})
    text = _text(shown.text)
    digest = hashlib.sha256(files.pdf()).hexdigest()
    for expected in ("Rapport final.pdf", "PDF document", "ed-khm", digest[:12], "signed"):
        assert expected in text, expected
    assert "Created evidence file Rapport final.pdf" in text  # the result's history
    link = lxml.html.fromstring(shown.text).xpath("//section[@id='evidence']//a/@href")[0]
    got = web.get(link)
    assert got.status_code == 200 and got.content == files.pdf()
    assert got.headers["content-type"] == "application/pdf"
    # in each language the kind and the size are words, never a code or a key
    for lang in UN_LANGUAGES:
        words = catalogue(lang)
        text = _text(web.get(page, params={"lang": lang}).text)
        assert words["file_kind_pdf"] in text and words["evidence_files"] in text, lang
        assert not re.search(r"\bevidence_|\bfile_kind|\bcurrent\b|\bNone\b", text), lang
    # someone outside the scope sees neither the page nor the file: as if missing
    outsider, _ = browser(s.db, s.outsider)
    assert outsider.get(page).status_code == 404
    assert outsider.get(link).status_code == 404


def test_refusals_are_said_on_the_page_and_change_nothing(s: Setup) -> None:
    web, csrf = browser(s.db, s.editor)
    page = f"/results/{s.result_id}"
    refused = _upload(
        web, f"{page}/evidence?lang=fr", csrf, files.exe(), "rapport.pdf", note="liste signée"
    )
    assert refused.status_code == 415
    said = _text(refused.text)
    assert "Le contenu de «\u00a0rapport.pdf\u00a0» n’est pas un type de fichier" in said
    # the note typed with it waits in the form for the right file
    form = lxml.html.fromstring(refused.text).xpath('//form[contains(@class, "upload")]')[0]
    assert form.xpath('string(.//input[@name="note"]/@value)') == "liste signée"
    assert stored_files(s.folder) == []
    made = _upload(web, f"{page}/evidence", csrf, files.pdf(), "a.pdf")
    assert made.status_code == 303
    file_id = s.api.get(f"/api/v1/results/{s.result_id}/evidence",
                        headers=s.editor.auth).json()[0]["id"]  # fmt: skip
    # withdrawing and replacing need the box ticked (said in French: the page was seen so)
    unconfirmed = web.post(f"{page}/evidence/{file_id}/withdraw", data={"csrf": csrf})
    assert unconfirmed.status_code == 422
    assert "Cochez la case pour confirmer la modification." in _text(unconfirmed.text)
    replace = f"{page}/evidence/{file_id}/replace"
    assert _upload(web, replace, csrf, files.png(), "b.png").status_code == 422
    states = s.api.get(f"/api/v1/results/{s.result_id}/evidence", headers=s.editor.auth).json()
    assert [f["state"] for f in states] == ["current"]
    replaced = _upload(web, replace, csrf, files.png(), "b.png", confirm="yes")
    assert replaced.status_code == 303
    new_id = max(f["id"] for f in s.api.get(f"/api/v1/results/{s.result_id}/evidence",
                                            headers=s.editor.auth).json())  # fmt: skip
    gone = web.post(
        f"{page}/evidence/{new_id}/withdraw",
        data={"csrf": csrf, "confirm": "yes", "note": "wrong site"},
    )
    assert gone.status_code == 303, gone.text
    shown = lxml.html.fromstring(web.get(page, params={"lang": "en"}).text)
    past = shown.xpath("string(//table[@data-testid='evidence-past'])")
    assert "a.pdf" in past and "b.png" in past
    assert "replaced" in past and "withdrawn" in past and "wrong site" in past
    assert shown.xpath("//table[@data-testid='evidence-current']") == []
    assert len(stored_files(s.folder)) == 2  # both files kept
