"""Rows the database derives from others, written in one statement after a bulk load.

Triggers keep ``result_term`` (migrations 0014_figure_terms, 0015_figure_terms_wide) row
by row. A bulk load that drops the secondary indexes turns those triggers off too
(``TRIGGERS``): each would otherwise look up its project's terms without the index on
``work_term`` and the load would grow with the square of its size. The loader then fills
the rows of the projects it added here, in one join, as the triggers would have.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from greenfolio.store.tables import CARRIED_SCHEMES, RESULT_TERM_OF_RESULT

RESULT_TERM_COLUMNS = ", ".join(("result_id", "term_key", *RESULT_TERM_OF_RESULT))
TRIGGERED_TABLES = ("result", "work_term")
"""The tables whose triggers write ``result_term``."""
TRIGGERS = "result_term_"
"""The prefix of those triggers' names (the only ones a bulk load turns off)."""


def _carried(column: str) -> str:
    return "(" + " OR ".join(f"{column} LIKE '{scheme}:%'" for scheme in CARRIED_SCHEMES) + ")"


FILL = text(
    f"INSERT INTO result_term ({RESULT_TERM_COLUMNS}) SELECT r.id, t.term_key, "
    f"{', '.join(f'r.{c}' for c in RESULT_TERM_OF_RESULT)} FROM result r "
    "JOIN work_term t ON t.work_id = r.work_id WHERE r.work_id BETWEEN :first AND :last "
    f"AND {_carried('t.term_key')}"
)
"""As ``text`` (not the driver's own SQL): psycopg would read LIKE's % as a placeholder."""


def fill_result_terms(conn: Connection, first_work_id: int, last_work_id: int) -> int:
    """Write the ``result_term`` rows of the results of the projects whose ids run from
    ``first_work_id`` to ``last_work_id`` (those a bulk load added with the triggers off,
    all of them new, so no result of theirs has its rows yet); returns the rows written.
    Chosen by project, not by result id: a result another writer committed between the
    load's first read and its locks has its rows from its own triggers already."""
    found = conn.execute(FILL, {"first": first_work_id, "last": last_work_id})
    return int(found.rowcount or 0)
