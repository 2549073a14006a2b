"""What the report-language test modules share: the Chinese stops a footnote call never
follows, and the printed runs of one figure's value."""

from __future__ import annotations

from greenfolio.domain.document import Document

ZH_STOPS = "。，、；：！？"
"""A footnote call may follow 》 ” ）, never these."""


def value_runs(doc: Document, fid: str) -> list[str]:
    """The text of each run that prints figure ``fid``'s value."""
    return [
        r.text for p in doc.paragraphs() for r in p.runs if r.figure == fid and r.part == "value"
    ]
