"""Optimistic locking: a write names the version it read, and loses nothing if stale.

``claim`` bumps nothing; it checks the version in an UPDATE of the row to itself, which
takes the row's write lock (PostgreSQL) or the database's (SQLite) before anything is
read for the change, so two writers that read the same version cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError, NotFoundError, ValidationError

MAX_VERSION = 2**31 - 1
"""The largest version a record can hold (a 32-bit integer column on PostgreSQL): a
claimed version beyond it, or below 1, is no version the record ever had."""


class StaleVersionError(GreenfolioError):
    """The record changed since the client read it (HTTP 409)."""

    def __init__(self, message: str, current: int) -> None:
        super().__init__(message, message_id="stale_version", params={"version": current})
        self.current = current


class VersionRequired(GreenfolioError):
    """A write to an existing record must say which version it read (HTTP 428)."""


def claim(session: Session, row_class: Any, pk: Any, expected: int | None, what: str) -> None:
    """Lock ``row_class[pk]`` for this transaction if it is still at ``expected``."""
    if expected is None:
        raise VersionRequired(
            f"say which version of {what} you are changing (If-Match header or 'version')",
            message_id="version_required",
        )
    if not 1 <= expected <= MAX_VERSION:
        # Refused before the database sees it: 2**63 overflowed SQLite's integers (a 500)
        # and PostgreSQL's ("integer out of range", a 400 saying nothing of the field).
        raise ValidationError(
            f"'version' {expected} is not a version of {what}: send the version you read "
            f"(a whole number from 1 to {MAX_VERSION}, in the record or its ETag)",
            message_id="version_invalid",
            field="version",
        )
    table = row_class.__table__
    pk_col = next(iter(table.primary_key.columns))
    done = session.execute(
        update(row_class)
        .where(pk_col == pk, table.c.version == expected)
        .values(version=table.c.version)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) == 1:
        return
    row = session.get(row_class, pk)
    if row is None:
        raise NotFoundError(f"no {what}")
    session.refresh(row)
    raise StaleVersionError(
        f"{what} is at version {row.version}, not {expected}: someone changed it since you "
        "read it; reload, reapply your change and try again",
        row.version,
    )
