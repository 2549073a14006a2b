"""A user as the account services return it (``UserInfo``), read from its rows, and
ending a user's access: shared by accounts and account links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.services.credentials import digest, utc_now
from greenfolio.store.tables import ApiTokenRow, RoleGrantRow, UserRow, UserSessionRow


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    active: bool
    grants: tuple[Grant, ...]
    version: int
    email: str | None = None
    language: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "active": self.active,
            "roles": [{"role": g.role.value, "scope": str(g.scope)} for g in self.grants],
            "version": self.version,
            "email": self.email,
            "language": self.language,
        }


def grants_of(session: Session, user_id: int) -> tuple[Grant, ...]:
    rows = session.scalars(
        select(RoleGrantRow).where(RoleGrantRow.user_id == user_id).order_by(RoleGrantRow.id)
    )
    return tuple(Grant(Role(r.role), Scope.parse(r.scope)) for r in rows)


def user_info(session: Session, row: UserRow) -> UserInfo:
    return UserInfo(
        row.id,
        row.username,
        row.display_name,
        row.active,
        grants_of(session, row.id),
        row.version,
        row.email,
        row.language,
    )


def find_user(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise NotFoundError(f"no user {username!r}")
    return row


def end_access(session: Session, user_id: int, keep_session: str | None) -> dict[str, int]:
    """End the user's sessions (but one) and revoke their API tokens."""
    ended = delete(UserSessionRow).where(UserSessionRow.user_id == user_id)
    if keep_session:
        ended = ended.where(UserSessionRow.id != digest(keep_session))
    sessions = session.execute(ended)
    revoked = session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    return {"sessions": rowcount(sessions), "tokens": rowcount(revoked)}


def rowcount(done: Any) -> int:
    return int(getattr(done, "rowcount", 0) or 0)
