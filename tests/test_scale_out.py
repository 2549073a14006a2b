"""Two real ``greenfolio serve`` processes against one PostgreSQL database behave as one:
a session started on one is valid on the other, a write made through one is seen by the
other's next request (dashboard, lists), and signing out on one ends the session on both;
a report build queued on one is run by the other and its files fetched through both.
"""

from __future__ import annotations

import time

import pytest

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.services import accounts
from greenfolio.services.database import Database
from tests.live_servers import PASSWORD, as_user, server, sign_in

pytestmark = pytest.mark.slow  # starts two servers; CI runs it, `-m "not slow"` skips it


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_servers_share_sessions_and_see_each_others_writes(demo_db: Database) -> None:
    accounts.create_user(demo_db, None, "ada", PASSWORD, [Grant(Role.EDITOR, Scope.parse("all"))])
    url = demo_db.engine.url.render_as_string(hide_password=False)
    with server(url) as first, server(url) as second:
        secret = sign_in(first)
        with as_user(first, secret) as a, as_user(second, secret) as b:
            assert b.get("/api/v1/me").json()["name"] == "ada"  # signed in on the first
            before = b.get("/api/v1/dashboard").json()
            listed = b.get("/api/v1/projects", params={"country": "KEN"}).json()["total"]
            made = a.post(
                "/api/v1/projects",
                json={
                    "key": "scale-out-1",
                    "kind": "project",
                    "title": {"en": "Made on the first server"},
                    "countries": ["KEN"],
                },
                headers={"X-CSRF-Token": accounts.csrf_token(secret)},
            )
            assert made.status_code == 201, made.text
            # The second server's next requests see the write (its caches were stale).
            after = b.get("/api/v1/dashboard").json()
            assert after["projects"] == before["projects"] + 1
            assert after["countries"]["KEN"] == before["countries"].get("KEN", 0) + 1
            assert b.get("/api/v1/projects", params={"country": "KEN"}).json()["total"] == (
                listed + 1
            )
            page = b.get("/projects/scale-out-1")
            assert page.status_code == 200 and "Made on the first server" in page.text
            # Signing out on the second ends the session on the first as well.
            out = b.post("/logout", data={"csrf": accounts.csrf_token(secret)})
            assert out.status_code == 303
            me = a.get("/api/v1/me")
            assert me.status_code == 401 or not me.json()["signed_in"], me.text


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_report_queued_on_one_server_is_built_by_the_other(demo_db: Database) -> None:
    accounts.create_user(demo_db, None, "ada", PASSWORD, [Grant(Role.ADMIN, Scope.parse("all"))])
    url = demo_db.engine.url.render_as_string(hide_password=False)
    # The first server runs no jobs: only the second one can build.
    with server(url, "--no-jobs") as first, server(url) as second:
        secret = sign_in(first)
        with as_user(first, secret) as a, as_user(second, secret) as b:
            body = {"definition": "gef", "year": 2021, "languages": ["ar"], "formats": ["html"]}
            queued = a.post(
                "/api/v1/report-jobs",
                json=body,
                headers={"X-CSRF-Token": accounts.csrf_token(secret)},
            )
            assert queued.status_code == 202, queued.text
            where = queued.headers["location"]
            deadline = time.monotonic() + 120
            while (job := a.get(where).json())["state"] in ("queued", "running"):
                assert time.monotonic() < deadline, f"the build did not finish: {job}"
                time.sleep(0.5)
            assert job["state"] == "done", job["message"]
            document = next(f for f in job["files"] if f["name"] == "gef-2021-ar.html")
            through_first = a.get(document["href"])
            through_second = b.get(document["href"])
            assert through_first.status_code == through_second.status_code == 200
            assert through_first.content == through_second.content
            assert 'lang="ar"' in through_first.text
            # The page of the job, on the first server, lists the files the second built.
            page = a.get(f"/reports/jobs/{job['id']}")
            assert page.status_code == 200 and "gef-2021-ar.html" in page.text
