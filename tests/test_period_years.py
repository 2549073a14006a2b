"""A period date outside the years results may have (0001, 9999: slips of the keyboard)
is refused where it is typed, in the reader's language, and a stored one (from before
that rule, or written by SQL) never stops the dashboard for everyone."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from greenfolio.domain.results import FIRST_YEAR, LAST_YEAR, ReviewState
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow
from tests.test_api_support import add_project, add_user, client


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("0001-01-01", "0001-06-30", "period_start"), ("2021-01-01", "9999-12-31", "period_end")],
)
def test_the_api_refuses_a_period_outside_the_years(
    demo_db: Database, start: str, end: str, field: str
) -> None:
    admin = add_user(demo_db, "root", "admin@all")
    add_project(demo_db, "years-pops", "pops", "BRA")
    web = client(demo_db)
    made = web.post(
        "/api/v1/results",
        json={
            "work": "years-pops",
            "indicator": "participants",
            "value": 3,
            "unit": "person",
            "period_start": start,
            "period_end": end,
            "country": "BRA",
        },
        headers=admin.auth,
    )
    assert made.status_code == 422, made.text
    error = made.json()["error"]
    assert f"between the years {FIRST_YEAR} and {LAST_YEAR}" in error["message"]
    assert field.replace("_", " ") in error["message"]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "La date 0001-01-01 n’est pas comprise entre les années 1946 et 2200\u00a0:"),
        ("ru", "Дата 0001-01-01 не входит в период с 1946 по 2200 год"),
        ("ar", "التاريخ \u20660001-01-01\u2069 لا يقع بين عامي 1946 و2200"),
    ],
)
def test_the_refusal_is_said_in_the_readers_language(lang: str, said: str) -> None:
    from greenfolio.domain.results import period_years_problem
    from greenfolio.interfaces.web.i18n import Translator
    from greenfolio.interfaces.web.refusal_text import refusal_text

    problem = period_years_problem("participants", date(1, 1, 1), date(2021, 6, 30))
    assert problem is not None and problem.field == "period_start"
    assert said in refusal_text(Translator(lang), problem)


def test_a_stored_date_far_out_leaves_the_dashboard_standing(demo_db: Database) -> None:
    """A verified result ending in 9999 (or beginning in year 1) is left out of the
    dashboard's report years; the page answers, with the years it had before."""
    admin = add_user(demo_db, "root", "admin@all")
    web = client(demo_db)
    before = web.get("/", headers=admin.auth)
    assert before.status_code == 200
    with demo_db.transaction() as session:
        first, second = session.scalars(
            select(ResultRow.id)
            .where(ResultRow.review_state == ReviewState.VERIFIED.value)
            .order_by(ResultRow.id)
            .limit(2)
        ).all()
        session.execute(
            update(ResultRow)
            .where(ResultRow.id == first)
            .values(period_start=date(2021, 1, 1), period_end=date(9999, 12, 31))
        )
        session.execute(
            update(ResultRow)
            .where(ResultRow.id == second)
            .values(period_start=date(1, 1, 1), period_end=date(1, 6, 30))
        )
    after = web.get("/", headers=admin.auth)
    assert after.status_code == 200, after.text[-2000:]
    assert "9999" not in after.text and "10000" not in after.text
