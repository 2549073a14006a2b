"""Secrets and the rules for them, shared by accounts and account links: passwords are
kept as argon2 hashes, session cookies, API tokens and link secrets only as SHA-256
digests (a copy of the database lets nobody sign in); expiry times compare in UTC."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from argon2 import PasswordHasher

from greenfolio.domain.errors import ValidationError

MIN_PASSWORD_LENGTH = 10

password_hasher = PasswordHasher()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            message_id="password_short",
            params={"min": MIN_PASSWORD_LENGTH},
        )


def check_username(username: str) -> str:
    name = username.strip()
    # ASCII only: a sign-in name is typed on any keyboard, and Latin, Cyrillic and Greek
    # letters that look alike ("reviewer", "reviеwer") would name two people the same
    if (
        not name
        or len(name) > 80
        or not name.isascii()
        or not all(c.isalnum() or c in "-_.@" for c in name)
    ):
        raise ValidationError(
            f"user name {username!r} must be 1–80 letters a–z, digits or - _ . @",
            message_id="username_invalid",
            params={"key": username},
        )
    return name
