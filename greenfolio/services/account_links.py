"""One-time links that let someone set a password: an invitation (an admin invites an
email address with a role on a scope; the invitee chooses a user name and a password)
and a password reset (an admin resets a user's password; the user chooses a new one).

The link's secret is shown once, to the admin who made it (and mailed to the person when
mail is configured); only its SHA-256 is stored. A link expires, and is used once: it is
claimed by one ``UPDATE … WHERE used_at IS NULL AND expires_at > now``, so two requests
racing with the same link cannot both succeed. A reset takes effect at once: the old
password stops working and the user's sessions and API tokens end, as with any new
password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.contact import check_email
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.languages import UN_LANGUAGES, check_language
from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.domain.text import check_text
from greenfolio.services import audit, credentials, mail_text, mailer
from greenfolio.services.audit_state import stamp
from greenfolio.services.database import Database
from greenfolio.services.user_records import (
    RESET_LINK,
    UserInfo,
    admin_transaction,
    check_display_name,
    check_scope,
    end_access,
    find_user,
    rowcount,
    user_info,
)
from greenfolio.store.tables import AccountLinkRow, RoleGrantRow, UserRow

INVITE, RESET = "invite", RESET_LINK
LIFETIME = {INVITE: timedelta(days=7), RESET: timedelta(days=2)}
LINK_PATH = "/welcome/"
"""Where a link leads on the web application (the secret follows)."""


class LinkInvalid(NotFoundError):
    """A link that is unknown, expired or used already (deliberately not saying which)."""


@dataclass(frozen=True)
class Link:
    """A link just made: its secret (shown once) and what it is for."""

    id: int
    purpose: str
    secret: str
    expires_at: datetime
    email: str | None
    username: str | None
    mailed: bool = False

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + LINK_PATH + self.secret

    def as_dict(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "purpose": self.purpose,
            "email": self.email,
            "username": self.username,
            "link": self.url(base_url),
            "token": self.secret,
            "expires_at": stamp(self.expires_at) + "Z",
            "mailed": self.mailed,
        }


@dataclass(frozen=True)
class Pending:
    """What a valid link is for, as its page shows it (never the secret's hash)."""

    purpose: str
    email: str | None
    username: str | None
    grant: Grant | None
    expires_at: datetime
    language: str | None


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, credentials.digest(secret)


def _language(lang: str | None) -> str | None:
    return check_language(lang) if lang else None


def invite(
    db: Database,
    by: Principal | None,
    email: str,
    grant: Grant,
    *,
    username: str | None = None,
    language: str | None = None,
    base_url: str | None = None,
) -> Link:
    """Service call (admins; ``by`` None is the local CLI): an invitation for ``email`` to
    hold ``grant``; the invitee picks a user name (``username`` proposes one) and a
    password. Mailed to the address when mail is configured and ``base_url`` (the web
    application's address) is known."""
    address = check_email(email)
    lang = _language(language)
    name = credentials.check_username(username) if username else None
    secret, digest = _new_secret()
    with admin_transaction(db, by) as session:
        check_scope(session, grant.scope)
        if name and session.scalar(
            select(UserRow.id).where(func.lower(UserRow.username) == name.lower())
        ):
            raise ValidationError(f"user {name!r} exists already", message_id="user_exists")
        row = AccountLinkRow(
            purpose=INVITE,
            token_hash=digest,
            email=address,
            username=name,
            role=grant.role.value,
            scope=str(grant.scope),
            language=lang,
            created_by=audit.current_actor(),
            expires_at=credentials.utc_now() + LIFETIME[INVITE],
        )
        session.add(row)
        session.flush()
        link = Link(row.id, INVITE, secret, row.expires_at, address, name)
        mailed = base_url is not None and mailer.queue(
            session,
            address,
            mail_text.invitation(lang or "en", grant, link.url(base_url), row.expires_at),
        )
        return Link(row.id, INVITE, secret, row.expires_at, address, name, mailed)


def reset(db: Database, by: Principal | None, username: str, base_url: str | None = None) -> Link:
    """Service call (admins; ``by`` None is the local CLI): reset a user's password. The
    old one stops working now, the user's sessions end and API tokens are revoked, and
    any earlier reset link of theirs is spent; the new link lets them choose one."""
    secret, digest = _new_secret()
    with admin_transaction(db, by) as session:
        user = find_user(session, username)
        now = credentials.utc_now()
        session.execute(
            update(AccountLinkRow)
            .where(
                AccountLinkRow.user_id == user.id,
                AccountLinkRow.purpose == RESET,
                AccountLinkRow.used_at.is_(None),
            )
            .values(used_at=now)
        )
        user.password_hash = credentials.password_hasher.hash(secrets.token_urlsafe(32))
        user.version += 1
        end_access(session, user.id, None)
        row = AccountLinkRow(
            purpose=RESET,
            token_hash=digest,
            user_id=user.id,
            username=user.username,
            created_by=audit.current_actor(),
            expires_at=now + LIFETIME[RESET],
        )
        session.add(row)
        session.flush()
        link = Link(row.id, RESET, secret, row.expires_at, user.email, user.username)
        mailed = (
            bool(user.email)
            and base_url is not None
            and mailer.queue(
                session,
                str(user.email),
                mail_text.reset(
                    user.language or "en", user.username, link.url(base_url), row.expires_at
                ),
            )
        )
        return Link(row.id, RESET, secret, row.expires_at, user.email, user.username, mailed)


def _valid(session: Session, secret: str) -> AccountLinkRow:
    row = session.scalar(
        select(AccountLinkRow).where(AccountLinkRow.token_hash == credentials.digest(secret))
    )
    if (
        row is None
        or row.used_at is not None
        or credentials.as_utc(row.expires_at) <= credentials.utc_now()
    ):
        raise LinkInvalid(
            "this link is unknown, expired or used already; ask an administrator for a new one",
            message_id="link_invalid",
        )
    return row


def pending(db: Database, secret: str) -> Pending:
    """Service call: what a link is for, if it can still be used (``LinkInvalid`` if not)."""
    check_text(secret, "the link")
    with db.transaction() as session:
        row = _valid(session, secret)
        grant = None
        if row.role and row.scope:
            grant = Grant(Role(row.role), Scope.parse(row.scope))
        return Pending(row.purpose, row.email, row.username, grant, row.expires_at, row.language)


def use(
    db: Database,
    secret: str,
    password: str,
    *,
    username: str | None = None,
    display_name: str = "",
) -> UserInfo:
    """Service call: set a password with a link, once. An invitation makes the account
    (the invitee's chosen ``username``, the invited email and grant); a reset sets the
    user's new password. Nothing is spent unless the whole change is made."""
    check_text(secret, "the link")
    check_text(display_name, "the display name")
    credentials.check_password(password)
    with db.transaction() as session:  # who acts: the trail names the invitee or the user
        row = _valid(session, secret)
        if row.purpose == INVITE:
            name = credentials.check_username(username or row.username or "")
        else:
            user = session.get(UserRow, row.user_id)
            if user is None or not user.active:
                raise LinkInvalid("this account is disabled", message_id="link_invalid")
            name = user.username
    with audit.acting_as(f"user:{name}"), db.transaction() as session:
        row = _valid(session, secret)
        claimed = session.execute(
            update(AccountLinkRow)
            .where(
                AccountLinkRow.id == row.id,
                AccountLinkRow.used_at.is_(None),
                AccountLinkRow.expires_at > credentials.utc_now(),
            )
            .values(used_at=credentials.utc_now())
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) != 1:
            raise LinkInvalid("this link was used already", message_id="link_invalid")
        if row.purpose == RESET:
            user = session.get(UserRow, row.user_id)
            assert user is not None
            user.password_hash = credentials.password_hasher.hash(password)
            user.version += 1
            end_access(session, user.id, None)
            return user_info(session, user)
        if (
            session.scalar(select(UserRow.id).where(func.lower(UserRow.username) == name.lower()))
            is not None
        ):
            raise ValidationError(f"user {name!r} exists already", message_id="user_exists")
        check_display_name(session, display_name, name)
        made = UserRow(
            username=name,
            display_name=display_name.strip(),
            password_hash=credentials.password_hasher.hash(password),
            email=row.email,
            language=row.language if row.language in UN_LANGUAGES else None,
        )
        session.add(made)
        session.flush()
        if row.role and row.scope:
            session.add(RoleGrantRow(user_id=made.id, role=row.role, scope=row.scope))
            session.flush()
        return user_info(session, made)


def invitations(db: Database, by: Principal) -> list[dict[str, Any]]:
    """Service call (admins): invitations not yet used nor expired (never their secrets)."""
    with admin_transaction(db, by) as session:
        rows = session.scalars(
            select(AccountLinkRow)
            .where(
                AccountLinkRow.purpose == INVITE,
                AccountLinkRow.used_at.is_(None),
                AccountLinkRow.expires_at > credentials.utc_now(),
            )
            .order_by(AccountLinkRow.id)
        )
        return [
            {
                "id": r.id,
                "email": r.email,
                "username": r.username,
                "role": r.role,
                "scope": r.scope,
                "language": r.language,
                "created_by": r.created_by,
                "expires_at": stamp(r.expires_at) + "Z",
            }
            for r in rows
        ]
