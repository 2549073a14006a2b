"""Accounts: users with argon2 password hashes, scoped roles, browser sessions, API tokens
and a limit on sign-in attempts (``throttle``).

Secrets are never stored: a session cookie or an API token is a random string of which
only the SHA-256 is kept, so a copy of the database lets nobody sign in. A session's CSRF
token is an HMAC keyed by the session's secret, so it is tied to that session, changes
with every sign-in and cannot be derived from the database. A new password ends every
other session of the user and revokes their API tokens.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from greenfolio.domain.contact import check_email
from greenfolio.domain.errors import GreenfolioError, NotFoundError, ValidationError
from greenfolio.domain.languages import check_language
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    Grant,
    PermissionDenied,
    Principal,
    Role,
    Scope,
    ScopeKind,
    require,
)
from greenfolio.domain.text import check_text
from greenfolio.services import audit, throttle
from greenfolio.services.credentials import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from greenfolio.services.credentials import (
    as_utc,
    check_password,
    check_username,
    digest,
    password_hasher,
    utc_now,
)
from greenfolio.services.database import Database
from greenfolio.services.user_records import (
    UserInfo,
    admin_transaction,
    check_display_name,
    check_scope,
    end_access,
    find_user,
    grants_of,
    principal_of,
    user_info,
)
from greenfolio.store.tables import (
    LoginAttemptRow,
    RoleGrantRow,
    UserRow,
    UserSessionRow,
)

SESSION_LIFETIME = timedelta(hours=12)
KEEP_ATTEMPTS = timedelta(days=7)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random secret that no one knows, checked in place of an unknown user's
    so that "no such user" costs one argon2 verification like "wrong password" does.

    Made on first need, not on import: hashing takes a tenth of a second, which every
    ``greenfolio`` command and every import of this module would otherwise pay. The server
    makes it at start (``prepare``), so no sign-in request pays it either.
    """
    return password_hasher.hash(secrets.token_urlsafe(16))


def prepare() -> None:
    """Make the dummy hash now (the web server calls this at start)."""
    _dummy_hash()


RateLimited = throttle.RateLimited


class BadCredentials(GreenfolioError):
    """Unknown user or wrong password (deliberately not saying which)."""


def generate_password() -> str:
    """A random password of about 120 bits, easy to copy from a terminal."""
    return secrets.token_urlsafe(15)


# --- administration (service calls) -----------------------------------------------------


def create_user(
    db: Database,
    by: Principal | None,
    username: str,
    password: str,
    grants: list[Grant] | None = None,
    display_name: str = "",
    email: str | None = None,
    language: str | None = None,
) -> UserInfo:
    """Service call: a new user with the given roles. ``by`` None means the local CLI."""
    check_text(username, "the user name")
    check_text(display_name, "the display name")
    name = check_username(username)
    check_password(password)
    address = check_email(email) if email else None
    lang = check_language(language) if language else None
    with admin_transaction(db, by) as session:
        if (
            session.scalar(select(UserRow.id).where(func.lower(UserRow.username) == name.lower()))
            is not None
        ):
            raise ValidationError(
                f"user {name!r} exists already", message_id="user_exists", params={"key": name}
            )
        check_display_name(session, display_name, name)
        for grant in grants or []:  # before the (deliberately slow) password hash
            check_scope(session, grant.scope)
        row = UserRow(
            username=name,
            display_name=display_name,
            password_hash=password_hasher.hash(password),
            email=address,
            language=lang,
        )
        session.add(row)
        session.flush()
        for grant in grants or []:
            session.add(RoleGrantRow(user_id=row.id, role=grant.role.value, scope=str(grant.scope)))
        session.flush()
        return user_info(session, row)


def set_password(
    db: Database,
    by: Principal | None,
    username: str,
    password: str,
    keep_session: str | None = None,
) -> dict[str, int]:
    """Service call: a new password. Every session of the user ends (but ``keep_session``,
    the secret of the one that made the change) and every API token of theirs is revoked:
    whoever held the old password may have made them. Returns how many of each ended."""
    check_password(password)
    with audit.acting_as(by.actor if by else audit.current_actor()), db.transaction() as session:
        row = find_user(session, username)
        if by is not None and by.user_id != row.id:
            require(by, Action.ADMIN, SYSTEM)
        row.password_hash = password_hasher.hash(password)
        row.version += 1
        return end_access(session, row.id, keep_session)


def change_own_password(
    db: Database, by: Principal, current: str, new: str, keep_session: str | None, address: str
) -> dict[str, int]:
    """Service call: a signed-in user changes their password, giving the current one
    (checked under the same rate limit as signing in)."""
    if by.user_id is None:
        raise BadCredentials("sign in to change your password", message_id="password_sign_in")
    throttle.reserve(db, by.name, address)
    with db.transaction() as session:
        row = session.get(UserRow, by.user_id)
        stored = row.password_hash if row is not None else _dummy_hash()
    if not _verify(stored, current):
        raise BadCredentials("the current password is wrong", message_id="password_wrong")
    throttle.succeeded(db, by.name, address)
    if current == new:
        raise ValidationError(
            "the new password must differ from the current one", message_id="password_same"
        )
    return set_password(db, by, by.name, new, keep_session)


def set_contact(
    db: Database, by: Principal, username: str, email: str | None, language: str | None
) -> UserInfo:
    """Service call: where a user's notifications go and in which language (their own, or
    anyone's for admins); an empty email stops them."""
    address = check_email(email) if email else None
    lang = check_language(language) if language else None
    with audit.acting_as(by.actor), db.transaction() as session:
        row = find_user(session, username)
        if by.user_id != row.id:
            require(by, Action.ADMIN, SYSTEM)
        elif by.via == "token" and address != row.email:
            # where account mail goes is changed signed in: a stolen token cannot divert it
            raise PermissionDenied(
                "the email address of an account is changed signed in (My account), not "
                "with an API token",
                message_id="contact_by_token",
            )
        row.email, row.language, row.version = address, lang, row.version + 1
        return user_info(session, row)


def me(db: Database, by: Principal) -> UserInfo:
    """Service call: the caller's own account (email and language included)."""
    with db.transaction() as session:
        row = session.get(UserRow, by.user_id) if by.user_id is not None else None
        if row is None:
            raise NotFoundError("sign in to see your account")
        return user_info(session, row)


def grant(db: Database, by: Principal | None, username: str, new: Grant) -> UserInfo:
    """Service call: give a user a role on a scope (no-op if held already)."""
    with admin_transaction(db, by) as session:
        row = find_user(session, username)
        check_scope(session, new.scope)
        if new not in grants_of(session, row.id):
            session.add(RoleGrantRow(user_id=row.id, role=new.role.value, scope=str(new.scope)))
            session.flush()
        return user_info(session, row)


def revoke(db: Database, by: Principal | None, username: str, old: Grant) -> UserInfo:
    """Service call: take a role on a scope away from a user; never the last
    administrator's (nobody could then manage accounts on the pages or the API)."""
    with admin_transaction(db, by) as session:
        row = find_user(session, username)
        for g in session.scalars(select(RoleGrantRow).where(RoleGrantRow.user_id == row.id)):
            if g.role == old.role.value and g.scope == str(old.scope):
                session.delete(g)
        session.flush()
        if old.role is Role.ADMIN and old.scope.kind is ScopeKind.ALL:
            _keep_an_administrator(session, username)
        return user_info(session, row)


def _keep_an_administrator(session: Session, username: str) -> None:
    """Refuse a change (in its transaction, before it is committed) that leaves no active
    account administering everything."""
    left = session.scalar(
        select(func.count())
        .select_from(RoleGrantRow)
        .join(UserRow, UserRow.id == RoleGrantRow.user_id)
        .where(
            RoleGrantRow.role == Role.ADMIN.value,
            RoleGrantRow.scope == str(Scope(ScopeKind.ALL)),
            UserRow.active.is_(True),
        )
    )
    if not left:
        raise ValidationError(
            f"{username} is the last administrator of everything: give another account the "
            "administrator role on all projects first, then change this one",
            message_id="last_admin",
            params={"username": username},
        )


def set_active(db: Database, by: Principal, username: str, active: bool) -> UserInfo:
    """Service call: disable or re-enable an account; disabling ends its sessions."""
    with admin_transaction(db, by) as session:
        row = find_user(session, username)
        row.active, row.version = active, row.version + 1
        if not active:
            session.execute(delete(UserSessionRow).where(UserSessionRow.user_id == row.id))
            session.flush()
            if any(
                g.role is Role.ADMIN and g.scope.kind is ScopeKind.ALL
                for g in grants_of(session, row.id)
            ):
                _keep_an_administrator(session, username)
        return user_info(session, row)


def users(db: Database, by: Principal | None) -> list[UserInfo]:
    with admin_transaction(db, by) as session:
        return [
            user_info(session, r) for r in session.scalars(select(UserRow).order_by(UserRow.id))
        ]


def admins(db: Database) -> list[str]:
    """Names of active users holding admin on everything."""
    with db.transaction() as session:
        rows = session.scalars(
            select(UserRow.username)
            .join(RoleGrantRow, RoleGrantRow.user_id == UserRow.id)
            .where(RoleGrantRow.role == Role.ADMIN.value, RoleGrantRow.scope == "all")
            .where(UserRow.active.is_(True))
            .order_by(UserRow.id)
        )
        return list(dict.fromkeys(rows))


# --- signing in -------------------------------------------------------------------------


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(password_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: Database, username: str, password: str, address: str) -> Principal:
    """Service call: check a password. The attempt is counted first, atomically and for
    all workers (``throttle.reserve``), so parallel guesses get no more checks than
    serial ones; past the allowance it is refused (``RateLimited``) unchecked."""
    throttle.reserve(db, username, address)
    with db.transaction() as session:
        found = session.scalar(select(UserRow).where(UserRow.username == username))
        stored = found.password_hash if found is not None else _dummy_hash()
    ok = _verify(stored, password) and found is not None and found.active
    now = utc_now()
    principal = None
    with db.transaction() as session:
        if ok and found is not None:
            row = session.get(UserRow, found.id)
            if row is not None and row.active:
                if password_hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = password_hasher.hash(password)
                principal = principal_of(session, row, "session")
        session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < now - KEEP_ATTEMPTS))
        session.add(
            LoginAttemptRow(
                username=username[:80],
                address=address[:64],
                succeeded=principal is not None,
                at=now,
            )
        )
    if principal is None:
        raise BadCredentials("unknown user name or wrong password", message_id="login_failed")
    throttle.succeeded(db, username, address)
    return principal


def csrf_token(session_secret: str) -> str:
    """The CSRF token of a session: an HMAC keyed by the session's secret."""
    mac = hmac.new(session_secret.encode("utf-8"), b"greenfolio csrf v1", hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def start_session(db: Database, user_id: int) -> str:
    """Service call: a new session; returns the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    with db.transaction() as session:
        session.execute(delete(UserSessionRow).where(UserSessionRow.expires_at < utc_now()))
        session.add(
            UserSessionRow(
                id=digest(secret), user_id=user_id, expires_at=utc_now() + SESSION_LIFETIME
            )
        )
    return secret


def end_session(db: Database, secret: str) -> None:
    with db.transaction() as session:
        session.execute(delete(UserSessionRow).where(UserSessionRow.id == digest(secret)))


def session_principal(db: Database, secret: str) -> Principal | None:
    """Service call: who holds this session cookie, if it is valid and unexpired.

    One query (session, user and grants joined): it runs on every page view.
    """
    with db.transaction() as session:
        rows = session.execute(
            select(
                UserRow.id,
                UserRow.username,
                UserRow.active,
                UserSessionRow.expires_at,
                RoleGrantRow.role,
                RoleGrantRow.scope,
            )
            .join(UserSessionRow, UserSessionRow.user_id == UserRow.id)
            .outerjoin(RoleGrantRow, RoleGrantRow.user_id == UserRow.id)
            .where(UserSessionRow.id == digest(secret))
            .order_by(RoleGrantRow.id)
        ).all()
    if not rows or not rows[0].active or as_utc(rows[0].expires_at) < utc_now():
        return None
    grants = tuple(Grant(Role(r.role), Scope.parse(r.scope)) for r in rows if r.role is not None)
    return Principal(rows[0].username, grants, rows[0].id, via="session")
