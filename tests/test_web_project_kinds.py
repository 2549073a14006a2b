"""A project's results say which values are baselines and targets: a target of 1.3 ODP
tonnes read like a tonne and a half phased out (a data manager's review, stop 29)."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest

from greenfolio.domain.results import ValueKind
from greenfolio.services import portfolio, results
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

WORDS = {
    "en": ("Kind of value", "Target", "Actual"),
    "fr": ("Nature de la valeur", "Cible", "Réel"),
}


def _project(db: Database, key: str, kinds: list[ValueKind]) -> None:
    portfolio.register_work(db, portfolio.WorkSpec(key=key, kind="project", title={"en": key}))
    for kind, value in zip(kinds, (10.0, 12.0, 11.0), strict=False):
        results.record(
            db,
            results.ResultSpec(
                work=key, indicator="ods_phased_out_odp", value=value, unit="ODP_tonne",
                kind=kind, period_start=date(2021, 1, 1), period_end=date(2021, 12, 31),
            ),
        )  # fmt: skip


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_targets_and_baselines_are_named(db: Database, lang: str) -> None:
    _project(db, "with-target", [ValueKind.BASELINE, ValueKind.TARGET, ValueKind.ACTUAL])
    _project(db, "actual-only", [ValueKind.ACTUAL])
    web, _ = browser(db, add_user(db, "reader", "viewer@all"))
    heading, target, actual = WORDS[lang]
    page = web.get(f"/projects/with-target?lang={lang}")
    assert page.status_code == 200
    root = lxml.html.fromstring(page.text)
    heads = [th.text_content() for th in root.xpath("//table[contains(@class,'results')]//th")]
    assert heading in heads
    cells = root.xpath("//table[contains(@class,'results')]//td[@data-kind]")
    assert [c.get("data-kind") for c in cells] == ["baseline", "target", "actual"]
    assert [c.text_content() for c in cells][1:] == [target, actual]
    plain = lxml.html.fromstring(web.get(f"/projects/actual-only?lang={lang}").text)
    assert not plain.xpath("//td[@data-kind]")
    assert heading not in plain.text_content()
