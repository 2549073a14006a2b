"""schemathesis against the OpenAPI document: requests generated from it, valid ones and
invalid ones, sent as an admin, never make the server fail (no 5xx).

Each operation is driven through hypothesis directly (schemathesis' own pytest plugin
does not load under this pytest), with a fixed seed so a failure repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from greenfolio.api.app import create_app
from greenfolio.services import demo, reference
from greenfolio.services.database import Database
from tests.test_api_support import add_user

pytestmark = pytest.mark.slow  # end to end; CI runs it, `-m "not slow"` skips it

EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
SLOW = {"GET /api/v1/reports/{definition}": 3, "POST /api/v1/users": 3}
"""Operations that build whole reports or hash passwords get fewer examples."""


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_generated_requests_never_get_a_server_error(db: Database, tmp_path: Path) -> None:
    demo.load(db)
    reference.sync(db)
    admin = add_user(db, "fuzzer", "admin@all")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(db))
    failures: list[str] = []
    tried: dict[str, int] = {}
    for found in schema.get_all_operations():
        operation = found.ok()
        for mode, examples in EXAMPLES.items():
            _fuzz(
                operation,
                mode,
                min(examples, SLOW.get(operation.label, examples)),
                admin.auth,
                failures,
                tried,
            )
    assert not failures, "\n".join(failures[:20])
    assert len(tried) >= 25, sorted(tried)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    limit: int,
    auth: dict[str, str],
    failures: list[str],
    tried: dict[str, int],
) -> None:
    """Send up to ``limit`` generated requests; a mode with nothing to vary is skipped."""
    label = operation.label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=limit,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        response = case.call(headers=auth)
        tried[label] = tried.get(label, 0) + 1
        if response.status_code >= 500:
            failures.append(
                f"{label} {case.path_parameters} {case.query} {case.body}: "
                f"{response.status_code} {response.text[:300]}"
            )

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise  # an operation with no valid request would be a broken document
