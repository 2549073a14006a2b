"""The GEF report's POPs chart counts 30 years back: its note says the totals are
cumulative, as the Board report's does (it said "verified results for the period from
1 January 2021 to 31 December 2021", a year it does not cover alone)."""

from __future__ import annotations

from greenfolio.services import reporting
from greenfolio.services.database import Database


def test_the_gef_pops_chart_says_its_totals_are_cumulative(demo_db_module: Database) -> None:
    doc = reporting.build(demo_db_module, "gef", 2021, "en").document
    (chart,) = [c for c in doc.charts if c.id == "pops_by_fate"]
    assert chart.notes[0].startswith("Cumulative totals as reported in 2021")
    assert not any("verified results for the period" in note for note in chart.notes)


def test_french_elides_before_an_approximate_amount(demo_db_module: Database) -> None:
    """ "des émissions de environ 72 millions" read wrong: the sentence takes any amount."""
    doc = reporting.build(demo_db_module, "montreal", 2020, "fr").document
    text = " ".join(p.text for p in doc.paragraphs())
    assert "de environ" not in text and "de plus de" not in text
    assert "émissions s’élevant à" in text
