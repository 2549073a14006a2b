"""Numbers typed as text in a spreadsheet: read alike whoever typed them, or refused with
both readings (a programme officer's "1.200" t had been stored as 1.2 t, "2,5" as 25)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.number_text import AmbiguousNumber, read_number
from greenfolio.domain.work import WorkKind
from greenfolio.refdata.catalogue import catalogue
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.services.portfolio import WorkSpec, register_work
from greenfolio.store.tables import ResultRow

CLEAR = {
    "12": 12.0,
    "12.5": 12.5,
    "2,5": 2.5,
    "0.125": 0.125,
    "0,125": 0.125,
    ".5": 0.5,
    "1.2345": 1.2345,
    "1234.567": 1234.567,
    "1.200.000": 1_200_000.0,
    "1,200,000": 1_200_000.0,
    "3.400,75": 3400.75,
    "1,200.5": 1200.5,
    "1 200": 1200.0,
    "1\u00a0200,5": 1200.5,
    "1\u202f234,5": 1234.5,
    "1 200.000": 1200.0,
    "1'200": 1200.0,
    "-3": -3.0,
    "\u22124,5": -4.5,
    "\u0661 \u0662\u0663\u0664": 1234.0,  # Arabic-Indic digits, grouped by a space
    "\u0663": 3.0,
    "\u0661\u0662\u066b\u0665": 12.5,  # ARABIC DECIMAL SEPARATOR
    "\u0661\u066c\u0662\u0660\u0660": 1200.0,  # ARABIC THOUSANDS SEPARATOR
    "\uff11\uff12": 12.0,  # full-width digits
}
UNCLEAR = {"1.200": (1200.0, 1.2), "1,200": (1200.0, 1.2), "-7.500": (-7500.0, -7.5)}
NO_NUMBER = ["", "abc", "1.2.3", "1,2,3", "12 5", "1 2000", "1.", "1,", "1.200,5.3", "1e5", "1_000"]


@pytest.mark.parametrize(("text", "value"), CLEAR.items())
def test_a_text_every_convention_reads_alike_is_read(text: str, value: float) -> None:
    assert read_number(text) == pytest.approx(value)


@pytest.mark.parametrize(("text", "readings"), UNCLEAR.items())
def test_a_text_conventions_read_differently_is_refused_with_both_readings(
    text: str, readings: tuple[float, float]
) -> None:
    with pytest.raises(AmbiguousNumber) as found:
        read_number(text)
    assert (found.value.whole, found.value.decimal) == pytest.approx(readings)


@pytest.mark.parametrize("text", NO_NUMBER)
def test_a_text_that_is_no_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        read_number(text)


@given(
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False),
    st.sampled_from([*UN_LANGUAGES, "de_CH", "es_MX", "pt_BR"]),
)
def test_a_number_as_any_language_writes_it_is_read_as_itself_or_refused(
    number: object, locale: str
) -> None:
    """Whatever a language's own number format writes reads back to that number, or is
    refused naming it as one of its two readings: never read as a third number."""
    text = format_decimal(number, locale=locale.replace("zh", "zh_Hans"))
    expected = float(str(number))
    try:
        assert read_number(text) == pytest.approx(expected)
    except AmbiguousNumber as unclear:
        assert expected in (pytest.approx(unclear.whole), pytest.approx(unclear.decimal))


def test_text_numbers_in_a_spanish_template_store_what_was_meant_or_nothing(
    db: Database, tmp_path: Path
) -> None:
    register_work(db, WorkSpec(key="wi-es", kind=WorkKind.PROJECT, title={"es": "COP"}))
    template = write_template(db, ["pops_destroyed"], tmp_path / "es.xlsx", "es")
    year = [date(2025, 1, 1), date(2025, 12, 31)]

    def filled(values: list[str], stated: bool = True) -> Path:
        book = openpyxl.load_workbook(template)
        sheet = book.worksheets[0]
        for n, value in enumerate(values, start=2):
            for col, cell in enumerate(
                ["wi-es", "pops_destroyed", value, "t", None, None, *year], 1
            ):
                sheet.cell(row=n, column=col, value=cell)
        if not stated:  # a workbook that does not say its language (no Lists sheet)
            del book["Lists"]
        out = io.BytesIO()
        book.save(out)
        path = tmp_path / f"{len(values)}-{values[0]}-{stated}.xlsx"
        path.write_bytes(out.getvalue())
        return path

    # not knowing the language, "1.200" is 1200 or 1,2: refused, and nothing is stored
    refused = import_results(db, filled(["2,5", "1.200", "3.400,75"], stated=False))
    assert [(p.row, p.message_id, dict(p.params)["as_whole"]) for p in refused.errors] == [
        (3, "cell_number_ambiguous", 1200.0)
    ]
    with db.transaction() as session:
        assert session.scalars(select(ResultRow.value)).all() == []  # all or nothing
    # the Spanish template says it is Spanish: "1.200" is 1200, as Spanish pages write it
    done = import_results(db, filled(["2,5", "1.200", "3.400,75"]))
    assert done.errors == [] and done.created == 3
    with db.transaction() as session:
        stored = session.scalars(select(ResultRow.value).order_by(ResultRow.id)).all()
    assert stored == [2.5, 1200.0, 3400.75]
    words = catalogue("es")["err_cell_number_ambiguous"]
    assert "{as_whole}" in words and "{as_decimal}" in words
