"""A user as the account services return it (``UserInfo``), read from its rows, the
check of a grant's scope, ending a user's access and the transaction of an
administrator's service call: shared by accounts and account links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from confusable_homoglyphs import confusables
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.countries import check_country
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    Grant,
    Principal,
    Role,
    Scope,
    ScopeKind,
    require,
)
from greenfolio.domain.text import folded
from greenfolio.services import audit
from greenfolio.services.credentials import digest, utc_now
from greenfolio.services.database import Database
from greenfolio.store.tables import (
    AccountLinkRow,
    ApiTokenRow,
    RoleGrantRow,
    TermRow,
    UserRow,
    UserSessionRow,
    WorkRow,
)


@contextmanager
def admin_transaction(db: Database, by: Principal | None) -> Iterator[Session]:
    """The transaction of a service call for administrators: what it changes is recorded
    as done by ``by``, who must administer everything (checked first, inside the
    transaction). ``by`` None is the local CLI: recorded as whoever runs it, unchecked."""
    with audit.acting_as(by.actor if by else audit.current_actor()), db.transaction() as session:
        if by is not None:
            require(by, Action.ADMIN, SYSTEM)
        yield session


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


RESET_LINK = "reset"
"""The purpose of a password-reset link (``account_links``)."""


def end_access(session: Session, user_id: int, keep_session: str | None) -> dict[str, int]:
    """End the user's sessions (but one), revoke their API tokens and spend their unused
    password-reset links: a link mailed before the password was set (by an admin, or by
    the user) would otherwise still choose a new one for whoever holds it."""
    session.execute(
        update(AccountLinkRow)
        .where(
            AccountLinkRow.user_id == user_id,
            AccountLinkRow.purpose == RESET_LINK,
            AccountLinkRow.used_at.is_(None),
        )
        .values(used_at=utc_now())
    )
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


def check_scope(session: Session, scope: Scope) -> None:
    """Refuse a scope that names nothing stored: a role on a mistyped country, programme
    or project would give its holder nothing now and, should a project be registered
    later under that key, access that nobody chose."""
    if scope.kind is ScopeKind.ALL:
        return
    value = str(scope.value)
    params = {"key": str(scope)}
    if scope.kind is ScopeKind.COUNTRY:
        try:
            check_country(value)
        except ValidationError as exc:
            message = f"scope {scope}: {exc}"
            raise ValidationError(message, message_id="scope_unknown", params=params) from exc
        return
    if scope.kind is ScopeKind.PROGRAMME:
        term = select(TermRow.key).where(TermRow.key == f"programme:{value}")
        stored = session.scalar(term) is not None
        fix = "a programme's code as the classifications list it (programme:gcip …)"
    else:
        stored = session.scalar(select(WorkRow.id).where(WorkRow.key == value)) is not None
        fix = "the key of a registered project"
    if not stored:
        raise ValidationError(
            f"scope {scope}: no {scope.kind.value} {value!r} is stored; write {fix}",
            message_id="scope_unknown",
            params=params,
        )


def _disguised(name: str) -> bool:
    """Whether ``name`` hides something from a reader: an invisible or direction-changing
    character (zero-width space, right-to-left override), or a word mixing scripts with
    letters that look alike ("revіewer" with a Cyrillic і). Words in different scripts
    side by side ("Ана Петрова (UNIDO)") are fine."""
    if any(unicodedata.category(c) in ("Cf", "Cc", "Co") for c in name):
        return True
    return any(confusables.is_dangerous(word) for word in re.findall(r"\w+", name))


def check_display_name(session: Session, display_name: str, username: str) -> None:
    """Refuse a display name another user has, as their display name or user name, or one
    disguised to look like another's: pages and the audit trail name people by it, so a
    newcomer calling themselves "Demo reviewer" would have read as the reviewer."""
    wanted = folded(display_name)
    if not wanted:
        return
    if _disguised(display_name):
        raise ValidationError(
            f"{display_name.strip()!r} mixes look-alike letters of different scripts in one "
            "word, or holds invisible characters; type it in one script",
            message_id="display_name_disguised",
            params={"shown": display_name.strip()},
        )
    others = session.execute(
        select(UserRow.username, UserRow.display_name).where(UserRow.username != username)
    )
    if any(wanted in (folded(name), folded(shown or "")) for name, shown in others):
        raise ValidationError(
            f"{display_name.strip()!r} is another user's name; choose a display name that "
            "tells you apart (for example with your organisation)",
            message_id="display_name_taken",
            params={"shown": display_name.strip()},
        )


def username_taken(session: Session, name: str) -> bool:
    """Whether an account has user name ``name``, in any case ("Reviewer" is "reviewer")."""
    found = select(UserRow.id).where(func.lower(UserRow.username) == name.lower())
    return session.scalar(found) is not None


def principal_of(
    session: Session, row: UserRow, via: str, token: ApiTokenRow | None = None
) -> Principal:
    """The principal a signed-in user (by session or API ``token``) acts as: their roles
    as stored now."""
    return Principal(
        row.username,
        grants_of(session, row.id),
        row.id,
        via=via,
        token_expires=token.expires_at if token is not None else None,
        token_id=token.id if token is not None else None,
    )
