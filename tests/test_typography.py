"""Spans a document never breaks inside, whatever the writer."""

from __future__ import annotations

from greenfolio.domain.typography import unbroken_spans


def test_a_short_chinese_aside_is_kept_whole() -> None:
    """A table heading printed "（至" on one line and "少）" on the next."""
    text = "正文只列数目、未列国名的其他国家（至少）"
    assert unbroken_spans(text) == [("正文只列数目、未列国名的其他国家", False), ("（至少）", True)]
    # a long aside may break, as a sentence would
    assert all(not whole for _, whole in unbroken_spans("国家（每国只计一次，即使多项活动提及）"))
