"""The public (a server in ``--public`` mode, nobody signed in) reads verified figures and
nothing of how they came to be: not the values a result held as a draft (its kept
revisions), not the review steps with their notes and names, not the method run's
inputs. Before, a verified
result's page and API answer listed every earlier draft value with its state and author
and every review note, though the audit history beside them was already withheld."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from greenfolio.services.database import Database
from tests.test_api_support import User, add_project, add_user, client

NOTE = "Ministry figure disputed, internal only"


def _step(api: TestClient, user: User, rid: int, version: int, **body: Any) -> int:
    got = api.post(
        f"/api/v1/results/{rid}/review", json={**body, "version": version}, headers=user.auth
    )
    assert got.status_code == 200, got.text
    return int(got.json()["version"])


def test_the_public_reads_a_verified_result_without_its_drafts_or_notes(db: Database) -> None:
    add_project(db, "pu-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@all")
    rev = add_user(db, "rev", "reviewer@all")
    api = client(db, public=True)
    made = api.post(
        "/api/v1/results",
        json={"work": "pu-bra", "indicator": "pops_destroyed", "value": 987654},
        headers=ed.auth,
    ).json()
    rid, version = made["id"], made["version"]
    revised = api.patch(
        f"/api/v1/results/{rid}",
        json={"value": 876543},
        headers={**ed.auth, "If-Match": f'"{version}"'},
    )
    assert revised.status_code == 200, revised.text
    version = _step(api, ed, rid, revised.json()["version"], action="submit")
    version = _step(api, rev, rid, version, action="return", note=NOTE)
    again = api.patch(
        f"/api/v1/results/{rid}",
        json={"value": 12},
        headers={**ed.auth, "If-Match": f'"{version}"'},
    )
    version = _step(api, ed, rid, again.json()["version"], action="submit")
    _step(api, rev, rid, version, action="verify")
    # signed in, the trail is there
    inside = api.get(f"/api/v1/results/{rid}", headers=rev.auth).json()
    assert {r["data"]["value"] for r in inside["revisions"]} >= {987654, 876543}
    assert NOTE in {e["note"] for e in inside["review_events"]}
    # the public reads the verified figure, and nothing of the drafts before it
    public = api.get(f"/api/v1/results/{rid}")
    assert public.status_code == 200, public.text
    assert public.json()["value"] == 12
    for leaked in ("987654", "876543", "user:ed", "user:rev", NOTE):
        assert leaked not in public.text, leaked
    assert public.json()["revisions"] == public.json()["review_events"] == []
    # nor the reviewer's reason for returning it, which stays on the row: in the listing,
    # the result's page and its project's page neither
    listed = api.get("/api/v1/results?per_page=100")
    assert listed.status_code == 200 and str(rid) in listed.text
    assert NOTE not in listed.text
    page = api.get(f"/results/{rid}")
    assert page.status_code == 200
    for leaked in ("987", "876", "user:ed", NOTE):
        assert leaked not in page.text, leaked
    project = inside["project"]
    assert NOTE not in api.get(f"/projects/{project}").text
    assert NOTE not in api.get(f"/api/v1/projects/{project}").text
