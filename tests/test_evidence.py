"""Evidence files on results through the API, on SQLite and PostgreSQL: stored and served
back byte for byte, the kind told from the content, the size limit, who may read and
change them, the history kept through replace and withdraw, the audit trail, and the
provenance of figures."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from greenfolio.services import audit, evidence, explain, figures
from greenfolio.services.database import Database
from greenfolio.services.evidence_store import ENV_DIR, ENV_MAX_MB, store_for
from greenfolio.services.figures import FigureSpec
from tests import evidence_files as files
from tests.evidence_files import Setup, make_setup, stored_files
from tests.test_api_support import client

OFFICE = "application/vnd.openxmlformats-officedocument."
WORD, EXCEL = OFFICE + "wordprocessingml.document", OFFICE + "spreadsheetml.sheet"


@pytest.fixture
def s(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    return make_setup(db, tmp_path, monkeypatch)


def _send(
    s: Setup, content: bytes, name: str, who: dict[str, str], claimed: str = ""
) -> httpx.Response:
    kind = claimed or "application/octet-stream"
    return s.api.post(
        f"/api/v1/results/{s.result_id}/evidence",
        files={"file": (name, content, kind)},
        headers=who,
    )


def _listed(s: Setup) -> list[dict[str, object]]:
    found = s.api.get(f"/api/v1/results/{s.result_id}/evidence", headers=s.editor.auth)
    assert found.status_code == 200, found.text
    rows: list[dict[str, object]] = found.json()
    return rows


def test_files_come_back_byte_for_byte_with_their_type_and_name(s: Setup) -> None:
    sent = {
        "Rapport d'activité «final» 2021.pdf": (files.pdf(), "application/pdf", "pdf"),
        "شهادة الإتلاف.png": (files.png(), "image/png", "png"),
        'cert"ificate; 1.docx': (files.docx(), WORD, "docx"),
        "tonnes.xlsx": (files.xlsx(), EXCEL, "xlsx"),
    }
    ids = {}
    for name, (content, media, kind) in sent.items():
        made = _send(s, content, name, s.editor.auth)
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
        assert (body["size"], body["kind"], body["media_type"]) == (len(content), kind, media)
        assert body["state"] == "current" and body["uploaded_by"] == "user:ed-khm"
        ids[name] = body["id"]
    for name, (content, media, _) in sent.items():
        got = s.api.get(
            f"/api/v1/results/{s.result_id}/evidence/{ids[name]}", headers=s.viewer.auth
        )
        assert got.status_code == 200, got.text
        assert got.content == content
        assert got.headers["content-type"] == media
        assert got.headers["x-content-type-options"] == "nosniff"
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment; ")
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == name
        fallback = disposition.split('filename="')[1].split('"')[0]
        assert fallback.isascii() and '"' not in fallback and "\\" not in fallback
    assert [r["filename"] for r in _listed(s)] == list(sent)
    # each file is kept once, under its hash, beside the SQLite file or in the set folder
    kept = stored_files(s.folder)
    assert sorted(p.name for p in kept) == sorted(
        hashlib.sha256(c).hexdigest() for c, _, _ in sent.values()
    )


def test_the_kind_is_read_from_the_content_not_the_name(s: Setup) -> None:
    refused = _send(s, files.exe(), "report.pdf", s.editor.auth, claimed="application/pdf")
    assert refused.status_code == 415, refused.text
    error = refused.json()["error"]
    assert error["code"] == "unsupported_media_type" and "report.pdf" in error["message"]
    html = b"<!doctype html><script>alert(1)</script>"
    assert _send(s, html, "photo.png", s.editor.auth).status_code == 415
    assert _send(s, b"PK\x03\x04broken", "a.zip", s.editor.auth).status_code == 415
    assert _listed(s) == [] and stored_files(s.folder) == []
    # a Word file named .zip is a Word file; an OpenDocument text and a plain archive too
    kinds = []
    for content, name in (
        (files.docx(), "archive.zip"),
        (files.odt(), "C:\\Users\\ana\\minutes.odt"),
        (files.plain_zip(), "photos.zip"),
    ):
        made = _send(s, content, name, s.editor.auth)
        assert made.status_code == 201, made.text
        kinds.append(made.json()["kind"])
    assert kinds == ["docx", "odt", "zip"]
    # and its name ends so (tests/test_security_review.py)
    names = ["archive.zip.docx", "minutes.odt", "photos.zip"]
    assert [r["filename"] for r in _listed(s)] == names


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    s: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_MAX_MB, str(2048 / (1024 * 1024)))  # 2 KiB
    at_limit = b"%PDF-1.4\n" + b"0" * (2048 - 9)
    over = at_limit + b"0"
    refused = _send(s, over, "big.pdf", s.editor.auth)
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"]["code"] == "too_large"
    assert _listed(s) == [] and stored_files(s.folder) == []
    incoming = s.folder / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []
    assert _send(s, at_limit, "fits.pdf", s.editor.auth).status_code == 201


def test_only_readers_of_the_result_see_its_files_and_only_its_editors_change_them(
    s: Setup,
) -> None:
    made = _send(s, files.pdf(), "proof.pdf", s.editor.auth).json()
    base = f"/api/v1/results/{s.result_id}/evidence"
    # someone who may not read the result is answered as if it did not exist
    for who in (s.outsider,):
        assert s.api.get(base, headers=who.auth).status_code == 404
        assert s.api.get(f"{base}/{made['id']}", headers=who.auth).status_code == 404
        assert _send(s, files.png(), "x.png", who.auth).status_code == 404
        withdrawn = s.api.post(f"{base}/{made['id']}/withdraw", json={}, headers=who.auth)
        assert withdrawn.status_code == 404
    # a viewer of the country reads and downloads, but may not add nor withdraw
    assert s.api.get(base, headers=s.viewer.auth).status_code == 200
    assert _send(s, files.png(), "x.png", s.viewer.auth).status_code == 403
    refused = s.api.post(f"{base}/{made['id']}/withdraw", json={}, headers=s.viewer.auth)
    assert refused.status_code == 403
    # no session or token: 401; a public server's anonymous visitors see no files
    assert s.api.get(base).status_code == 401
    public = client(s.db, public=True)
    assert public.get(f"{base}/{made['id']}").status_code == 401
    # a file of another result is not found through this one
    other = s.api.post(
        "/api/v1/results",
        json={"work": "ev-khm", "indicator": "pops_destroyed", "value": 1},
        headers=s.editor.auth,
    ).json()["id"]
    assert s.api.get(f"/api/v1/results/{other}/evidence/{made['id']}",
                     headers=s.editor.auth).status_code == 404  # fmt: skip
    assert [r["id"] for r in _listed(s)] == [made["id"]]
    assert [p.name for p in stored_files(s.folder)] == [made["sha256"]]


def test_replace_and_withdraw_keep_the_old_files_in_the_history(s: Setup) -> None:
    base = f"/api/v1/results/{s.result_id}/evidence"
    first = _send(s, files.pdf(), "draft.pdf", s.editor.auth).json()
    second = s.api.put(
        f"{base}/{first['id']}",
        files={"file": ("signed.pdf", files.pdf() + b"% signed\n", "application/pdf")},
        data={"note": "the signed copy"},
        headers=s.editor.auth,
    )
    assert second.status_code == 201, second.text
    assert second.json()["replaces_id"] == first["id"]
    # a replaced file cannot be replaced or withdrawn again
    again = s.api.post(f"{base}/{first['id']}/withdraw", json={}, headers=s.editor.auth)
    assert again.status_code == 422, again.text
    gone = s.api.post(
        f"{base}/{second.json()['id']}/withdraw", json={"note": "wrong site"}, headers=s.editor.auth
    )
    assert gone.status_code == 200, gone.text
    listed = _listed(s)
    assert [(r["filename"], r["state"]) for r in listed] == [
        ("draft.pdf", "replaced"),
        ("signed.pdf", "withdrawn"),
    ]
    assert listed[0]["replaced_by_id"] == second.json()["id"]
    assert listed[1]["note"] == "wrong site" and listed[1]["ended_by"] == "user:ed-khm"
    old = s.api.get(f"{base}/{first['id']}", headers=s.editor.auth)
    assert old.status_code == 200 and old.content == files.pdf()
    # every change is in the audit trail, and the trail matches the stored records
    events, _ = audit.listing(s.db, entity="evidence_file")
    assert sorted((e["action"], e["entity_id"]) for e in events) == sorted(
        [
            ("create", str(first["id"])),
            ("update", str(first["id"])),
            ("create", str(second.json()["id"])),
            ("update", str(second.json()["id"])),
        ]
    )
    assert all(e["actor"] == "user:ed-khm" for e in events)
    assert audit.verify(s.db).intact
    # once submitted, the evidence is what the reviewer sees: no more changes
    result = s.api.get(f"/api/v1/results/{s.result_id}", headers=s.editor.auth).json()
    submit = {"action": "submit", "version": result["version"]}
    assert s.api.post(f"/api/v1/results/{s.result_id}/review", json=submit,
                      headers=s.editor.auth).status_code == 200  # fmt: skip
    locked = _send(s, files.png(), "late.png", s.editor.auth)
    assert locked.status_code == 422, locked.text
    assert len(_listed(s)) == 2


def test_figures_and_explanations_name_the_evidence_of_each_result(s: Setup) -> None:
    made = _send(s, files.pdf(), "proof.pdf", s.editor.auth).json()
    withdrawn = _send(s, files.png(), "old.png", s.editor.auth).json()
    s.api.post(f"/api/v1/results/{s.result_id}/evidence/{withdrawn['id']}/withdraw", json={},
               headers=s.editor.auth)  # fmt: skip
    for who, action, version in ((s.editor, "submit", 1), (s.reviewer, "verify", 2)):
        done = s.api.post(
            f"/api/v1/results/{s.result_id}/review",
            json={"action": action, "version": version},
            headers=who.auth,
        )
        assert done.status_code == 200, done.text  # fmt: skip
    spec = FigureSpec("pops", "indicator", {"indicator": "pops_destroyed", "work": "ev-khm"})
    with s.db.transaction() as session:
        figure = figures.compute(session, spec)
    provenance = figure.provenance()
    assert provenance["result_ids"] == [s.result_id]
    assert provenance["evidence"] == [
        {"result_id": s.result_id, "evidence_id": made["id"], "sha256": made["sha256"]}
    ]
    explained = explain.explanations(s.db, [figure])["pops"]["results"][0]
    assert explained["evidence_files"] == [
        {"id": made["id"], "sha256": made["sha256"], "filename": "proof.pdf", "kind": "pdf"}
    ]


def test_postgresql_needs_the_evidence_folder_setting(
    s: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    if s.db.engine.dialect.name == "sqlite":
        pytest.skip("an SQLite database keeps its files beside itself")
    monkeypatch.delenv(ENV_DIR)
    refused = _send(s, files.pdf(), "proof.pdf", s.editor.auth)
    assert refused.status_code == 503, refused.text
    assert ENV_DIR in refused.json()["error"]["message"]
    monkeypatch.setenv(ENV_DIR, str(s.folder))
    assert _listed(s) == []


def test_the_store_check_finds_a_changed_or_missing_file(s: Setup) -> None:
    one = _send(s, files.pdf(), "one.pdf", s.editor.auth).json()
    two = _send(s, files.png(), "two.png", s.editor.auth).json()
    store = store_for(s.db)
    assert evidence.check_store(s.db, store) == evidence.StoreCheck(2, [])
    first, second = stored_files(s.folder)
    by_name = {first.name: first, second.name: second}
    by_name[one["sha256"]].write_bytes(files.pdf() + b"tampered")
    by_name[two["sha256"]].unlink()
    found = evidence.check_store(s.db, store)
    assert found.checked == 2
    assert found.problems == [
        f"file {one['id']} of result {s.result_id}: the stored file no longer hashes to "
        f"{one['sha256']}",
        f"file {two['id']} of result {s.result_id}: missing from the store ({two['sha256']})",
    ]
    gone = s.api.get(f"/api/v1/results/{s.result_id}/evidence/{two['id']}", headers=s.editor.auth)
    assert gone.status_code == 404 and "restore" in gone.json()["error"]["message"]
