"""The import preview names an indicator once escaped: "couche d'ozone" showed as
"couche d&#39;ozone" on the French page (a programme officer's review, stop 29)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import openpyxl
import pytest
from fastapi.testclient import TestClient
from markupsafe import Markup, escape
from openpyxl.workbook import Workbook

from greenfolio.interfaces.http.translator import Translator
from greenfolio.interfaces.web import import_pages
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_template import write_template
from tests.test_api_support import add_project, add_user, browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _preview(
    web: TestClient, csrf: str, book: Workbook, row: list[Any], folder: Path, page: str
) -> Any:
    """The import page's preview of ``book`` with ``row`` as its first result row."""
    for col, value in enumerate(row, start=1):
        book.worksheets[0].cell(row=2, column=col, value=value)
    book.save(folder / "f.xlsx")
    content = (folder / "f.xlsx").read_bytes()
    return web.post(page, data={"csrf": csrf}, files={"file": ("f.xlsx", content, XLSX)})


def test_a_value_already_html_is_not_escaped_again() -> None:
    tr = Translator("fr")
    said = tr("import_value_of", indicator=Markup(escape("couche d'ozone")), value="<1 t>")
    assert isinstance(said, Markup)
    assert said == "couche d&#39;ozone\u00a0: &lt;1 t&gt;" or "&amp;" not in said
    assert "&amp;#39;" not in said
    assert tr("import_value_of", indicator="a", value="b") == "a\u00a0: b"


def test_the_french_preview_names_the_ozone_indicator_plainly(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))
    add_project(db, "wi-sen", "montreal_protocol", "SEN")
    web, csrf = browser(db, add_user(db, "ed", "editor@country:SEN"))
    book = openpyxl.load_workbook(
        write_template(db, ["ods_phased_out_odp"], tmp_path / "t.xlsx", lang="fr")
    )
    row = ["wi-sen", "ods_phased_out_odp", 0.85, "ODP_tonne", "actual", "exact",
           date(2023, 1, 1), date(2023, 12, 31), "SEN"]  # fmt: skip
    shown = _preview(web, csrf, book, row, tmp_path, "/import?lang=fr")
    assert shown.status_code == 200, shown.text[:500]
    assert "&amp;#39;" not in shown.text and "&amp;" not in shown.text.split("<main", 1)[-1]
    text = lxml.html.fromstring(shown.text).text_content()
    assert "couche d'ozone" in text or "couche d’ozone" in text


def test_an_indicator_an_import_registered_is_named_in_the_preview(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview named indicators an IATI import registered by their code
    ("iati.17b0….1.1: 5 units"): they are named as the project page names them."""
    from sqlalchemy import select

    from greenfolio.services.exchange.iati_import import import_file
    from greenfolio.store.tables import IndicatorRow
    from tests.conftest import DATA

    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))
    assert import_file(db, DATA / "iati" / "files" / "iati-example-v203.xml").created > 0
    with db.transaction() as session:
        code, names = session.execute(
            select(IndicatorRow.code, IndicatorRow.names).where(IndicatorRow.code.like("iati.%"))
        ).first()
    web, csrf = browser(db, add_user(db, "ed", "editor@all"))
    book = openpyxl.load_workbook(write_template(db, [code], tmp_path / "t.xlsx"))
    row = ["NL-1-PPR-24706", code, 5, None, "actual", "exact",
           date(2013, 1, 1), date(2013, 3, 31)]  # fmt: skip
    shown = _preview(web, csrf, book, row, tmp_path, "/import")
    text = lxml.html.fromstring(shown.text).text_content()
    assert next(iter(names.values())) in text
    assert f"{code}:" not in text
