"""The sign-in rate limit, counted in the database so every worker process shares it.

Each attempt is counted *before* its password is checked, by one atomic
``INSERT … ON CONFLICT DO UPDATE … WHERE not blocked RETURNING`` per key, so parallel
guesses cannot slip between a count and a check: past the free allowance the key is
blocked for a delay that doubles with every further attempt (exponential back-off), and
a blocked key gets no row back and is refused without a password check.

Two keys are counted: the account *from this address* and the address alone. There is
deliberately no key for the account alone: whoever guesses at someone's account slows
down only their own address, never the owner signing in from theirs (no lock-out that
others can trigger). Guessing from many addresses is held back by each address's own
back-off and by the password rules (at least ten characters, argon2 hashes).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from greenfolio.domain.errors import GreenfolioError
from greenfolio.services.database import Database
from greenfolio.store.tables import LoginThrottleRow

PAIR_FREE = 5
"""Attempts on one account from one address before the first wait."""
ADDRESS_FREE = 20
"""Attempts from one address (any accounts) before the first wait."""
BASE_DELAY = timedelta(seconds=10)
"""The first wait; each further attempt doubles it."""
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(minutes=15)
"""A key with no attempt for this long, and not blocked, starts counting afresh."""


class RateLimited(GreenfolioError):
    """Too many sign-in attempts; the message says how long to wait."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def keys(username: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """The (key, free attempts) pairs an attempt counts against: address, then account."""
    return (
        (_key("address", address), ADDRESS_FREE),
        (_key("account", address, username.casefold()), PAIR_FREE),
    )


def delay(attempts: int, free: int) -> timedelta:
    """How long a key waits after its ``attempts``-th counted attempt."""
    if attempts < free:
        return timedelta(0)
    wait: timedelta = BASE_DELAY * 2 ** min(attempts - free, 20)
    return min(wait, MAX_DELAY)


def _insert(conn: Connection) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        LoginThrottleRow
    )


def _count(conn: Connection, key: str, free: int, now: datetime) -> int | None:
    """Count one attempt on ``key`` unless it is blocked; the new count, or None."""
    table = LoginThrottleRow
    stmt = _insert(conn).values(key=key, attempts=1, blocked_until=None, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.key],
        set_={
            "attempts": case((table.updated_at < now - FORGET_AFTER, 1), else_=table.attempts + 1),
            "updated_at": now,
        },
        where=or_(table.blocked_until.is_(None), table.blocked_until <= now),
    ).returning(table.attempts)
    attempts = conn.execute(stmt).scalar()
    if attempts is None:
        return None
    wait = delay(attempts, free)
    if wait:
        conn.execute(update(table).where(table.key == key).values(blocked_until=now + wait))
    return int(attempts)


def reserve(db: Database, username: str, address: str) -> None:
    """Count an attempt before its password is checked, or refuse it (``RateLimited``).

    Runs in its own committed transaction on a plain connection: the count stands
    whatever the outcome, and sign-in bookkeeping is not a record for the audit trail.
    """
    now = _now()
    with db.engine.begin() as conn:
        _forget_old(conn, now)
        for key, free in keys(username, address):  # always address first: no lock cycles
            if _count(conn, key, free, now) is None:
                until = conn.scalar(
                    select(LoginThrottleRow.blocked_until).where(LoginThrottleRow.key == key)
                )
                seconds = max(1, int((_aware(until) - now).total_seconds()) + 1) if until else 1
                raise RateLimited(
                    f"too many sign-in attempts from this address; wait {_wait(seconds)} "
                    "and try again",
                    message_id="signin_throttled",
                    params={"seconds": seconds},
                )


def _forget_old(conn: Connection, now: datetime) -> None:
    """Drop keys long idle and not blocked; rows another attempt holds are skipped, so
    the clean-up never waits for, or deadlocks with, a concurrent sign-in."""
    table = LoginThrottleRow
    idle = select(table.key).where(
        table.updated_at < now - MAX_DELAY - FORGET_AFTER,
        or_(table.blocked_until.is_(None), table.blocked_until < now),
    )
    if conn.dialect.name == "postgresql":
        idle = idle.with_for_update(skip_locked=True)
    conn.execute(delete(table).where(table.key.in_(idle)))


def succeeded(db: Database, username: str, address: str) -> None:
    """A correct password: the account's count from this address starts afresh, and the
    attempt is taken off the address's count (only failures count against it)."""
    (address_key, free), (pair_key, _) = keys(username, address)
    with db.engine.begin() as conn:
        conn.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == pair_key))
        table = LoginThrottleRow
        conn.execute(
            update(table)
            .where(table.key == address_key)
            .values(
                attempts=case((table.attempts > 0, table.attempts - 1), else_=0),
                blocked_until=case((table.attempts - 1 < free, None), else_=table.blocked_until),
            )
        )


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{-(-seconds // 60)} minutes"
