"""A newcomer's review: importing the World Bank's 1.0x file warned "16 × country '' is
not in the IATI Country codelist", though its elements read "Malawi" and "Africa". A
recipient country given by name alone is read by that name where it is one country's
(and said so); otherwise the warning quotes what the element reads."""

from __future__ import annotations

from sqlalchemy import select

from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.store.tables import WorkCountryRow, WorkRow
from tests.conftest import DATA


def test_countries_given_by_name_are_read_by_name(db: Database) -> None:
    summary = import_file(db, DATA / "iati" / "files" / "worldbank-v1.xml")
    said = [w.message for w in summary.warnings]
    assert any("read as MWI from its name 'Malawi'" in m for m in said), said[:5]
    assert any("it reads 'Africa', no country's name" in m for m in said)
    assert not any("country ''" in m for m in said)
    with db.transaction() as session:
        found = session.scalars(
            select(WorkRow.key).join(WorkCountryRow).where(WorkCountryRow.country == "MWI")
        ).all()
    assert len(found) == 14
