"""Copy the packaged classifications and indicators into a database."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.indicators import Aggregation, Disaggregation, Indicator
from greenfolio.refdata import loader
from greenfolio.services.database import Database
from greenfolio.store.tables import IndicatorRow, TermRow


def _store_indicator(session: Session, ind: Indicator) -> None:
    row = session.get(IndicatorRow, ind.code) or IndicatorRow(code=ind.code)
    row.names = dict(ind.names)
    row.unit = ind.unit
    row.aggregation = ind.aggregation.value
    row.disaggregations = sorted(d.value for d in ind.disaggregations)
    row.gef_core_indicator = ind.gef_core_indicator
    row.source = ind.source
    session.add(row)


def sync(db: Database) -> tuple[int, int]:
    """Insert or update every packaged term and indicator; returns their counts."""
    terms = 0
    with db.transaction() as session:
        for scheme in loader.schemes().values():
            for term in scheme.terms:
                row = session.get(TermRow, term.key) or TermRow(key=term.key)
                row.scheme, row.code, row.label = term.scheme, term.code, term.label
                row.ordinal, row.names = term.ordinal, dict(term.names)
                session.add(row)
                terms += 1
        inds = loader.indicators()
        for ind in inds.values():
            _store_indicator(session, ind)
    return terms, len(inds)


def indicators(session: Session, codes: Iterable[str]) -> dict[str, Indicator]:
    """The stored indicators among ``codes`` (an unknown code is left out), read in one
    query of plain columns, no ORM objects."""
    wanted = sorted(set(codes))
    found = session.execute(
        select(
            IndicatorRow.code,
            IndicatorRow.names,
            IndicatorRow.unit,
            IndicatorRow.aggregation,
            IndicatorRow.disaggregations,
            IndicatorRow.gef_core_indicator,
            IndicatorRow.source,
        ).where(IndicatorRow.code.in_(wanted))
    )
    return {str(row.code): _indicator_of(row) for row in found}


def _indicator_of(row: Any) -> Indicator:
    return Indicator(
        code=row.code,
        names=row.names,
        unit=row.unit,
        aggregation=Aggregation(row.aggregation),
        disaggregations=frozenset(Disaggregation(d) for d in row.disaggregations),
        gef_core_indicator=row.gef_core_indicator,
        source=row.source,
        shown_in=_shown_in(row.code, row.unit),
    )


def _shown_in(code: str, unit: str) -> str | None:
    """The unit the packaged registry shows ``code``'s figures in, if it names one for
    the unit stored (a presentation choice, read from the package, not stored)."""
    packaged = loader.indicators().get(code)
    if packaged is None or packaged.shown_in is None or packaged.unit != unit:
        return None
    return packaged.shown_in


def indicator(session: Session, code: str) -> Indicator:
    """The stored indicator ``code``, or an error that lists close codes."""
    row = session.get(IndicatorRow, code)
    if row is None:
        codes = list(session.scalars(select(IndicatorRow.code)))
        near = difflib.get_close_matches(code, codes, n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise NotFoundError(
            f"unknown indicator {code!r}{hint}; `greenfolio indicators list` shows them all"
        )
    return _indicator_of(row)


def indicator_rows(session: Session) -> list[dict[str, Any]]:
    """Every stored indicator as plain data, by code."""
    return [
        {
            "code": row.code,
            "names": row.names,
            "unit": row.unit,
            "aggregation": row.aggregation,
            "disaggregations": row.disaggregations,
            "gef_core_indicator": row.gef_core_indicator,
            "source": row.source,
            "shown_in": _shown_in(row.code, row.unit),
        }
        for row in session.scalars(select(IndicatorRow).order_by(IndicatorRow.code))
    ]


def listing(db: Database) -> list[dict[str, Any]]:
    """Service call: every stored indicator as plain data."""
    with db.transaction() as session:
        return indicator_rows(session)
