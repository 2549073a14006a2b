"""Partners read from real IATI files: a ref that is not an organisation identifier does
not merge different organisations, and a narrative is in the language its enclosing
element declares. The Spanish file gives ref "61" to FAO in one activity and to the
Ministry of Employment (MESS) in another, with ``<participating-org xml:lang="es">``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from greenfolio.domain.iati import OrgRef, is_org_identifier
from greenfolio.domain.work import OrgRole
from greenfolio.services.database import Database
from greenfolio.services.exchange import iati_parse
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.services.exchange.iati_load import load_activities
from greenfolio.store.tables import OrganisationRow, WorkRow
from tests.conftest import DATA

SPANISH = DATA / "iati" / "files" / "es-maec-indonesia-v201.xml"
MESS = "MESS - Ministerio de Empleo y Seguridad Social"


@pytest.mark.parametrize(
    ("ref", "identifier"),
    [
        ("XM-DAC-41123", True),
        ("ES-DIR3-E04585801", True),
        ("GB-COH-01234567", True),
        ("61", False),
        ("1", False),
        ("41123", False),
        ("GB-1", False),
    ],
)
def test_organisation_identifiers_by_shape(ref: str, identifier: bool) -> None:
    assert is_org_identifier(ref) is identifier


def test_a_publishers_own_number_keys_with_the_name() -> None:
    fao = OrgRef(ref="61", names={"es": "FAO"})
    mess = OrgRef(ref="61", names={"es": MESS})
    assert fao.key() != mess.key()
    assert (
        OrgRef(ref="XM-DAC-41123", names={"en": "A"}).key()
        == OrgRef(ref="XM-DAC-41123", names={"fr": "B"}).key()
    )
    assert OrgRef(ref="61").key() == "iati:61"


def _partners(db: Database, key: str) -> dict[OrgRole, dict[str, str]]:
    with db.transaction() as session:
        wid = session.scalar(select(WorkRow.id).where(WorkRow.key == key))
        assert wid is not None
        (record,) = load_activities(session, [wid])
    return {p.role: p.org.names for p in record.participants}


def test_ref_61_stays_two_organisations_in_spanish(db: Database, iati_reader: str) -> None:
    summary = import_file(db, Path(SPANISH))
    assert summary.created > 0
    partners = _partners(db, "ES-DIR3-E04585801-009-066055")
    assert partners[OrgRole.ACCOUNTABLE] == {"es": MESS}
    assert partners[OrgRole.EXTENDING] == {"es": MESS}
    with db.transaction() as session:
        names = [
            dict(n or {})
            for n in session.scalars(
                select(OrganisationRow.names).where(OrganisationRow.iati_ref == "61")
            )
        ]
    assert {"es": MESS} in names
    assert len(names) > 1  # FAO, named by the same ref elsewhere, is another row
    assert all(len(n) == 1 for n in names)  # no organisation carries another's name


def test_a_narrative_language_must_be_a_language(tmp_path: Path, iati_reader: str) -> None:
    """A hostile file gave a title narratives in '"><img …>' and 20,000 made-up
    languages: a narrative whose xml:lang is no language code is left out with a warning,
    and one element keeps at most fifty narratives."""
    many = "".join(f'<narrative xml:lang="{code}">t</narrative>' for code in _codes(60))
    path = tmp_path / "langs.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity><iati-identifier>XM-X-1'
        '</iati-identifier><title><narrative xml:lang="en">Pumps</narrative>'
        '<narrative xml:lang="&quot;&gt;&lt;img src=x&gt;">bad</narrative></title>'
        f"<description>{many}</description></iati-activity></iati-activities>",
        "utf-8",
    )
    (parsed,) = list(iati_parse.ActivityReader(path))
    assert parsed.activity is not None
    assert parsed.activity.title == {"en": "Pumps"}
    assert len(parsed.activity.description) == 50
    said = [p.message for p in parsed.problems]
    assert any("is not a language code" in m for m in said)
    assert any("more than 50 narratives" in m for m in said)


def _codes(n: int) -> list[str]:
    import pycountry

    return [lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")][:n]


ONE_REF_TWO_NAMES = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity xml:lang="en"><iati-identifier>XM-DAC-41123-A</iati-identifier>
  <reporting-org ref="XM-DAC-41123" type="40"><narrative>UNIDO</narrative></reporting-org>
  <title><narrative>A</narrative></title>
 </iati-activity>
 <iati-activity xml:lang="en"><iati-identifier>XM-DAC-41123-B</iati-identifier>
  <reporting-org ref="XM-DAC-41123" type="40">
   <narrative>United Nations Industrial Development Organization</narrative></reporting-org>
  <title><narrative>B</narrative></title>
 </iati-activity>
</iati-activities>
"""


def test_a_name_other_than_the_stored_one_is_said(db: Database, tmp_path: Path) -> None:
    """A data manager's finding: an organisation's name in the file was replaced by the
    stored name for the same identifier without a word."""
    path = tmp_path / "orgs.xml"
    path.write_text(ONE_REF_TWO_NAMES, "utf-8")
    summary = import_file(db, path)
    assert summary.created == 2
    said = [p.message for p in summary.warnings if "is named" in p.message]
    assert said == [
        "the organisation 'XM-DAC-41123' is named 'United Nations Industrial Development "
        "Organization' here and 'UNIDO' in the store (or earlier in this file); the stored "
        "name is kept"
    ]
    with db.transaction() as session:
        names = session.scalars(
            select(OrganisationRow.names).where(OrganisationRow.iati_ref == "XM-DAC-41123")
        ).all()
    assert names == [{"en": "UNIDO"}]
