"""The Montreal Protocol report states a year's phase-out recorded only in ODP tonnes
(a programme officer verified 0.85 ODP t with no weight in metric tonnes, and the report
said that nothing was phased out), in every language."""

from __future__ import annotations

from datetime import date

import pytest

from greenfolio.services import portfolio, reporting, results
from greenfolio.services.database import Database

SAID = {
    "en": ("0.85 ODP tonnes", "their weight in metric tonnes was not recorded"),
    "fr": ("0,85", "leur poids en tonnes métriques n’a pas été enregistré"),
    "es": ("0,85", "no se registró su peso en toneladas métricas"),
    "ru": ("0,85", "их масса в метрических тоннах не зарегистрирована"),
    "zh": ("0.85", "其公吨重量未作记录"),
    "ar": ("0.85", "ولم يسجل وزنها بالأطنان المترية"),
}
NOTHING = {
    "en": "No phase-out of ozone-depleting substances was reported",
    "fr": "Aucune élimination",
    "es": "No se notificó ninguna eliminación",
    "ru": "Сведений о выводе",
    "zh": "未报告消耗臭氧层物质的淘汰量",
    "ar": "لم يبلغ عن أي تخلص",
}


@pytest.fixture
def odp_only(db: Database) -> Database:
    portfolio.register_work(
        db,
        portfolio.WorkSpec(
            key="fr-hcfc", kind="project", title={"en": "HCFC phase-out"},
            terms=["convention:montreal"],
        ),
    )  # fmt: skip
    rid = results.record(
        db,
        results.ResultSpec(
            work="fr-hcfc", indicator="ods_phased_out_odp", value=0.85, unit="ODP_tonne",
            period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), country="SEN",
        ),
    )  # fmt: skip
    results.apply_review(db, [rid], "submit")
    results.apply_review(db, [rid], "verify", actor="user:checker")
    return db


@pytest.mark.parametrize("lang", sorted(SAID))
def test_phase_out_in_odp_tonnes_alone_is_reported(odp_only: Database, lang: str) -> None:
    text = reporting.build(odp_only, "montreal", 2023, lang).document
    body = " ".join(p.text for p in text.paragraphs()).replace("\u00a0", " ").replace("\u202f", " ")
    amount, note = SAID[lang]
    assert amount in body
    assert note in body
    assert NOTHING[lang] not in body


def test_a_year_with_nothing_still_says_so(odp_only: Database) -> None:
    text = reporting.build(odp_only, "montreal", 2022, "en").document
    assert NOTHING["en"] in " ".join(p.text for p in text.paragraphs())
