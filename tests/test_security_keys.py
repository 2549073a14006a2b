"""Issue 12, item 7: one rule for project keys (``domain/keys.py``). Every key accepted
works in every project route, API and pages (encoded with ``quote(key, safe='')``, decoded
once); keys that could not are refused wherever keys enter: API, pages, IATI import (also
the path of MLF and the CLI's ``import iati``). On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from typer.testing import CliRunner

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.keys import check_key
from greenfolio.interfaces.cli.app import app
from greenfolio.services import methods
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from tests.test_api_support import add_user, browser, client

GOOD = [
    "XM-DAC-41123-PROJ/2021:7",
    "mlf:KUW/SEV/92/INS/47",
    "a/b",
    "GB-COH-123(a)~b@c+d.e_f",
]
"""Real IATI identifiers hold "/" and ":"; all of these must work everywhere."""
BAD = {
    "../../etc/passwd": "'.' or '..'",
    "x?y=1#z": "'#', '=', '?'",
    "x<script>y": "'<', '>'",
    "new": "new, edit, results",
    "a/edit": "new, edit, results",
    "Results/2021": "new, edit, results",
    "x y": "a space",
    "x\x00y": "U+0000",
    "x\ty": "white space",
    "a//b": "'.' or '..'",
    "-x": "start and end",
    "x/": "an empty, '.' or '..' part",
    "a%2Fb": "'%'",
    "ключ": "which a key cannot hold",
    "k" * 161: "at most 160",
}


def test_the_rule() -> None:
    for key in GOOD:
        assert check_key(key) == key
    for key, why in BAD.items():
        with pytest.raises(ValidationError) as refused:
            check_key(key)
        assert why in str(refused.value), (key, str(refused.value))
        assert "use letters, digits" in str(refused.value)


def _body(
    key: str, version: int | None = None, countries: list[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": key,
        "kind": "project",
        "title": {"en": f"Project {key}"},
        "countries": countries or ["BRA"],
        "terms": ["programme:pops", "focus_area:b"],
    }
    return body | ({"version": version} if version else {})


def test_every_project_route_works_with_every_accepted_key(db: Database) -> None:
    admin = add_user(db, "root", "admin@all")
    api = client(db)
    web, csrf = browser(db, admin)
    run = methods.run(db, "montreal.convert", {"quantity": 1, "substance": "HCFC-22", "to": "co2e"})
    for n, key in enumerate(GOOD):
        path = quote(key, safe="")
        made = api.post("/api/v1/projects", json=_body(key), headers=admin.auth)
        assert made.status_code == 201, (key, made.text)
        got = api.get(f"/api/v1/projects/{path}", headers=admin.auth)
        assert got.status_code == 200 and got.json()["key"] == key, (key, got.text)
        assert api.get(f"/api/v1/projects/{key}", headers=admin.auth).json()["key"] == key
        put = api.put(
            f"/api/v1/projects/{path}", json=_body(key, 1, ["BRA", "ARG"]), headers=admin.auth
        )
        assert put.status_code == 200 and put.json()["version"] == 2, (key, put.text)
        body = {"work": key, "indicator": "pops_destroyed", "value": n + 1}
        assert api.post("/api/v1/results", json=body, headers=admin.auth).status_code == 201
        from_run = {"output": "value", "work": key, "indicator": "ghg_avoided"}
        url = f"/api/v1/method-runs/{run['run_id']}/results"
        assert api.post(url, json=from_run, headers=admin.auth).status_code == 201
        listed = api.get("/api/v1/results", params={"project": key}, headers=admin.auth).json()
        assert listed["total"] == 2, key
        found = api.get("/api/v1/projects", params={"q": key}, headers=admin.auth).json()
        assert key in [p["key"] for p in found["items"]], key

        # pages: every link the project page shows, followed as a browser would
        page = web.get(f"/projects/{path}")
        assert page.status_code == 200 and key in page.text, key
        links = lxml.html.fromstring(page.text).xpath("//a/@href")
        assert f"/projects/{path}/edit" in links and f"/projects/{path}/results/new" in links
        assert web.get(f"/projects/{path}/edit").status_code == 200
        chooser = web.get(f"/projects/{path}/results/new")
        action = lxml.html.fromstring(chooser.text).xpath("//form[@class='entry']/@action")
        assert action == [f"/projects/{path}/results/new"], key
        new_result = web.get(action[0], params={"indicator": "pops_destroyed"})
        action = lxml.html.fromstring(new_result.text).xpath("//form[@class='entry']/@action")
        assert action == [f"/projects/{path}/results"], key
        form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "7"}
        added = web.post(f"/projects/{path}/results", data=form)
        assert added.status_code == 303 and added.headers["location"].startswith("/results/")
        edit = {"csrf": csrf, "kind": "project", "title_en": "Renamed", "version": "2"}
        saved = web.post(f"/projects/{path}/edit", data={**edit, "countries": "BRA"})
        assert saved.status_code == 303, (key, saved.text[:300])
        assert saved.headers["location"] == f"/projects/{path}?saved=1"
        result_page = web.get(added.headers["location"])
        assert f'href="/projects/{path}"' in result_page.text
        assert api.get(f"/api/v1/projects/{path}", headers=admin.auth).json()["version"] == 3
    listing = lxml.html.fromstring(web.get("/projects").text).xpath("//td/a/@href")
    assert {f"/projects/{quote(k, safe='')}" for k in GOOD} <= set(listing)
    created = web.post(
        "/projects/new",
        data={"csrf": csrf, "key": "XM-1/new-ish:2", "kind": "project", "title_en": "Made"},
    )
    assert created.status_code == 303
    assert created.headers["location"] == f"/projects/{quote('XM-1/new-ish:2', safe='')}?saved=1"


def test_a_scope_on_a_key_with_slashes_works(db: Database) -> None:
    admin = add_user(db, "root", "admin@all")
    key = "mlf:KUW/SEV/92/INS/47"
    api = client(db)
    assert api.post("/api/v1/projects", json=_body(key), headers=admin.auth).status_code == 201
    scoped = add_user(db, "kuw", f"editor@project:{key}")
    path = quote(key, safe="")
    changed = api.put(f"/api/v1/projects/{path}", json=_body(key, 1, ["KWT"]), headers=scoped.auth)
    assert changed.status_code == 200, changed.text


def test_unusable_keys_are_refused_wherever_keys_enter(db: Database, tmp_path: Path) -> None:
    admin = add_user(db, "root", "admin@all")
    api = client(db)
    web, csrf = browser(db, admin)
    for key, why in BAD.items():
        refused = api.post("/api/v1/projects", json=_body(key), headers=admin.auth)
        assert refused.status_code == 422, (key, refused.text)
        # control characters meet the text rule first, which names the character
        control = any(ord(c) < 32 for c in key)
        hint = "at character 2" if control else "use letters, digits"
        why = "key holds" if control else why
        assert why in refused.text and hint in refused.text, (key, refused.text)
        form = {"csrf": csrf, "key": key, "kind": "project", "title_en": "X"}
        page = web.post("/projects/new", data=form)
        shown = "character 2 is" if control else "Use letters, digits"
        assert page.status_code == 422 and shown in page.text, (key, page.text[-500:])
    assert api.get("/api/v1/projects", headers=admin.auth).json()["total"] == 0

    # an IATI file: the activities with unusable identifiers are left out, with the reason
    activities = "".join(
        f"<iati-activity><iati-identifier>{ident}</iati-identifier>"
        f"<title><narrative>T</narrative></title></iati-activity>"
        for ident in ("XM-DAC-1-A/1", "../../etc/passwd", "x?y=1#z", "XM-DAC-1-new")
    )
    path = tmp_path / "keys.xml"
    path.write_text(f'<iati-activities version="2.03">{activities}</iati-activities>', "utf-8")
    summary = import_file(db, path)
    assert summary.created == 2
    messages = " | ".join(p.message for p in summary.problems)
    assert "'.' or '..'" in messages and "'#', '=', '?'" in messages, messages
    keys = [p["key"] for p in api.get("/api/v1/projects", headers=admin.auth).json()["items"]]
    assert keys == ["XM-DAC-1-A/1", "XM-DAC-1-new"]  # "new" only refused as a whole part
    url = db.engine.url.render_as_string(hide_password=False)
    cli = CliRunner().invoke(app, ["import", "iati", str(path), "--db", url])
    assert "'.' or '..'" in cli.output, cli.output
