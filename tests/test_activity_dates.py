"""Activity dates as typed: a year, a month or a day, the day also as 30.09.2024."""

from __future__ import annotations

from datetime import date

import pytest

from greenfolio.domain.activity_dates import DateType, parse


@pytest.mark.parametrize(
    ("typed", "day", "stated"),
    [
        ("2021", date(2021, 12, 31), "2021"),
        ("2021-02", date(2021, 2, 28), "2021-02"),
        ("2021-03-15", date(2021, 3, 15), "2021-03-15"),
        ("15.03.2021", date(2021, 3, 15), "2021-03-15"),
        (" 5.3.2021 ", date(2021, 3, 5), "2021-03-05"),
    ],
)
def test_a_date_is_read_as_stated(typed: str, day: date, stated: str) -> None:
    found = parse(DateType.PLANNED_END, typed)
    assert (found.day, found.stated) == (day, stated)


@pytest.mark.parametrize("typed", ["03/15/2021", "15.03.21", "31.04.2021", "2021-3", "soon"])
def test_a_date_read_one_way_only_or_not_at_all_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse(DateType.ACTUAL_START, typed)
