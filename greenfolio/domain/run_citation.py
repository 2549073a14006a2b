"""The source a result made from a method run is stored with when none is given: "method
run 7 (ghg.mitigation)", in English, as the command line and the API read it back. Pages
and documents do not show these words: they name the run in the reader's language from
the run's reference, which :func:`cited_run` reads back out of the text."""

from __future__ import annotations

import re

_CITED = re.compile(r"method run (\d+) \(([a-z0-9_]+(?:\.[a-z0-9_]+)+)\)")


def run_citation(run_id: int, method: str) -> str:
    """The source stored with a result made from run ``run_id`` of ``method``."""
    return f"method run {run_id} ({method})"


def cited_run(citation: str | None) -> tuple[int, str] | None:
    """The run (its id and method) a source written by :func:`run_citation` names; None
    for any other source."""
    found = _CITED.fullmatch((citation or "").strip())
    return (int(found.group(1)), found.group(2)) if found else None
