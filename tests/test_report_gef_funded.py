"""A delegate's review of the GEF report: its core indicators counted the whole portfolio
(the Montreal Protocol's 72 million tonnes of CO2-equivalent, which the Board report
gives to the Multilateral Fund's projects, appeared as a GEF contribution), and where
nothing was reported it printed "0 metric tonnes … removed" beside an empty chart with an
axis from 0 to 1. Now each figure counts the projects the GEF funds (``funder``), a
year with nothing says so in words, and a chart of nothing is left out."""

from __future__ import annotations

import pytest

from greenfolio.services import figures, reporting
from greenfolio.services.database import Database
from greenfolio.services.figures import FigureSpec

SAID_NONE = {
    "en": "Core indicator 9: no removal, disposal or safeguarding",
    "fr": "aucun retrait, aucune élimination ni aucune sécurisation",
    "ru": "сведений об удалении, ликвидации или взятии под надежное хранение",
    "zh": "未报告持久性有机污染物的清除、处置或防护",
    "ar": "لم يبلغ حتى عام 2020 عن أي إزالة",
    "es": "no se notificó ningún retiro, eliminación ni protección",
}


def test_the_gef_figures_count_only_what_the_gef_funds(demo_db_module: Database) -> None:
    built = reporting.compute(demo_db_module, reporting_definition(), 2020)
    whole = reporting.compute(demo_db_module, reporting_definition(funder=False), 2020)
    assert whole.figures["ci6_ghg"].value > 70e6  # the Montreal Protocol's, portfolio-wide
    assert built.figures["ci6_ghg"].value == 0
    year = reporting.compute(demo_db_module, reporting_definition(), 2021).figures
    assert year["ci9_destroyed"].value == 13194 and year["ci11_people"].value == 0


def reporting_definition(funder: bool = True) -> object:
    from dataclasses import replace

    from greenfolio.services.report_definition import load_definition

    defn = load_definition("gef")
    if funder:
        return defn
    figs = {k: {p: v for p, v in f.items() if p != "funder"} for k, f in defn.figures.items()}
    return replace(defn, figures=figs)


@pytest.mark.parametrize("lang", sorted(SAID_NONE))
def test_a_year_with_nothing_says_so_and_draws_no_chart(
    demo_db_module: Database, lang: str
) -> None:
    doc = reporting.build(demo_db_module, "gef", 2020, lang).document
    text = " ".join(p.text for p in doc.paragraphs())
    assert SAID_NONE[lang] in text
    values = [r.text for p in doc.paragraphs() for r in p.runs if r.figure and r.part == "value"]
    assert values == []  # no "0 metric tonnes" printed as a result
    assert not doc.charts
    kept = reporting.build(demo_db_module, "gef", 2021, lang).document
    assert [c.id for c in kept.charts] == ["pops_by_fate"]


def test_a_funder_is_named_by_key_or_iati_identifier(demo_db_module: Database) -> None:
    """An organisation none of whose names is stored funds nothing here: its figure is
    nothing (the report says none was reported), not an error."""
    nobody = FigureSpec("x", "indicator", {"indicator": "participants", "funder": ["nobody"]})
    by_ref = FigureSpec("y", "indicator", {"indicator": "pops_destroyed", "funder": "XM-DAC-47044"})
    by_key = FigureSpec("z", "indicator", {"indicator": "pops_destroyed", "funder": "gef"})
    with demo_db_module.transaction() as session:
        assert figures.compute(session, nobody).value == 0
        assert figures.compute(session, by_ref).value == figures.compute(session, by_key).value > 0


def test_a_teq_symbol_is_never_cut_at_a_lines_end() -> None:
    """A delegate's review: the DOCX cut "11,705 mg / TEQ" at a line's end."""
    from greenfolio.services.report_units import quantity

    for lang in ("en", "fr", "ru", "ar", "zh", "es"):
        text = quantity(11705, "mg_TEQ", lang)
        assert text.endswith("mg\xa0TEQ") and " " not in text, (lang, text)
