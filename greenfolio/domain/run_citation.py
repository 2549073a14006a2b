"""The sources Greenfolio writes itself, in English, as the command line and the API read
them back: "method run 7 (ghg.mitigation)" for a result a method run made when none is
given, "IATI activity XM-DAC-41123-PRJ-1" for a result an IATI file brought. Pages and
documents do not show these words: they read the reference back out of the text
(:func:`cited_run`, :func:`cited_activity`) and name it in the reader's language."""

from __future__ import annotations

import re

_CITED = re.compile(r"method run (\d+) \(([a-z0-9_]+(?:\.[a-z0-9_]+)+)\)")
_ACTIVITY = "IATI activity "


def run_citation(run_id: int, method: str) -> str:
    """The source stored with a result made from run ``run_id`` of ``method``."""
    return f"method run {run_id} ({method})"


def cited_run(citation: str | None) -> tuple[int, str] | None:
    """The run (its id and method) a source written by :func:`run_citation` names; None
    for any other source."""
    found = _CITED.fullmatch((citation or "").strip())
    return (int(found.group(1)), found.group(2)) if found else None


def activity_citation(identifier: str) -> str:
    """The source stored with a result read from the IATI activity ``identifier``."""
    return f"{_ACTIVITY}{identifier}"


def cited_activity(citation: str | None) -> str | None:
    """The activity identifier a source written by :func:`activity_citation` names; None
    for any other source."""
    text = (citation or "").strip()
    if not text.startswith(_ACTIVITY):
        return None
    identifier = text[len(_ACTIVITY) :]
    return identifier if identifier and " " not in identifier else None
