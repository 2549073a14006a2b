"""Mail: the SMTP settings, an outbox kept in the database, and delivery after commit.

A notification is written to ``mail_outbox`` in the same transaction as the change it
tells of, and sent once that transaction has committed. A mail server that is down,
slow or refusing never undoes or blocks the change: the failure is logged and kept on
the message (``status`` "failed", with the server's answer), and ``deliver_pending``
(``greenfolio mail send``) tries again later. Without settings nothing is queued.

Settings come from the environment, like the database's (``GREENFOLIO_DB``):

- ``GREENFOLIO_SMTP_HOST`` (mail is off without it), ``GREENFOLIO_SMTP_PORT`` (25; 587
  with STARTTLS, 465 with TLS), ``GREENFOLIO_SMTP_FROM`` (the sender, required with a host);
- ``GREENFOLIO_SMTP_STARTTLS=1`` to encrypt after connecting (submission, port 587), or
  ``GREENFOLIO_SMTP_TLS=1`` to speak TLS from the start (port 465), the server's
  certificate checked against the system's authorities (or ``SSL_CERT_FILE``, OpenSSL's
  own setting, for a private one); ``GREENFOLIO_SMTP_USER`` and
  ``GREENFOLIO_SMTP_PASSWORD`` (or ``GREENFOLIO_SMTP_PASSWORD_FILE``) to sign in;
- ``GREENFOLIO_SMTP_TIMEOUT`` (seconds, 10), ``GREENFOLIO_BASE_URL`` (the web
  application's address, for links in messages sent from the command line).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError
from greenfolio.services.database import Database
from greenfolio.store.tables import MailRow

log = logging.getLogger("greenfolio.mail")
ENV = "GREENFOLIO_SMTP_"
ENV_BASE_URL = "GREENFOLIO_BASE_URL"
_PENDING_KEY = "greenfolio.mail.pending"
PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True)
class Mail:
    """A message as composed in its reader's language."""

    subject: str
    body: str
    reason: str
    """What it tells of: submit, return, verify, invite, reset."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 10.0
    tls: bool = False
    """TLS from the first byte (SMTPS, port 465), instead of plain or STARTTLS."""

    @classmethod
    def from_env(cls) -> MailSettings | None:
        """The settings in the environment, or None when mail is off (no host)."""
        host = os.environ.get(ENV + "HOST", "").strip()
        if not host:
            return None
        starttls = os.environ.get(ENV + "STARTTLS", "").strip().lower() in ("1", "true", "yes")
        tls = os.environ.get(ENV + "TLS", "").strip().lower() in ("1", "true", "yes")
        if tls and starttls:
            raise GreenfolioError(
                f"set {ENV}TLS (TLS from the start, port 465) or {ENV}STARTTLS (encrypted "
                "after connecting, port 587), not both: your mail provider says which"
            )
        sender = os.environ.get(ENV + "FROM", "").strip()
        if not sender:
            raise GreenfolioError(f"{ENV}HOST is set: set {ENV}FROM (the sender's address) too")
        password = os.environ.get(ENV + "PASSWORD")
        password_file = os.environ.get(ENV + "PASSWORD_FILE")
        if password is None and password_file:
            password = Path(password_file).read_text("utf-8").strip()
        try:
            port = int(os.environ.get(ENV + "PORT") or (465 if tls else 587 if starttls else 25))
            timeout = float(os.environ.get(ENV + "TIMEOUT") or 10)
        except ValueError as exc:
            raise GreenfolioError(f"{ENV}PORT and {ENV}TIMEOUT take numbers ({exc})") from exc
        user = os.environ.get(ENV + "USER") or None
        return cls(host, port, sender, starttls, user, password, timeout, tls)


def base_url() -> str | None:
    """The web application's address for links in messages, when configured."""
    return os.environ.get(ENV_BASE_URL, "").strip().rstrip("/") or None


def enabled() -> bool:
    """Whether mail is configured. Settings that cannot be read (a sender missing, a
    password file unreadable) are logged and count as off: they never stop a change."""
    try:
        return MailSettings.from_env() is not None
    except (GreenfolioError, OSError) as exc:
        log.warning("mail settings unusable, nothing sent: %s", exc)
        return False


def queue(session: Session, recipient: str, mail: Mail) -> bool:
    """Keep ``mail`` for ``recipient`` in the outbox of this transaction, to be sent once
    it commits. False (and nothing kept) when mail is not configured."""
    if not enabled():
        return False
    row = MailRow(
        recipient=recipient,
        subject=mail.subject,
        body=mail.body,
        reason=mail.reason,
        status=PENDING,
        attempts=0,
    )
    session.add(row)
    session.flush()
    session.info.setdefault(_PENDING_KEY, []).append(row.id)
    return True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if not ids:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    _deliver(engine, ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def _message(settings: MailSettings, row: Any) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body)
    return msg


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.tls:
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)


def send(settings: MailSettings, messages: list[EmailMessage]) -> None:
    """Send over one SMTP connection (TLS or STARTTLS and sign-in when configured)."""
    with _connect(settings) as smtp:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        for msg in messages:
            smtp.send_message(msg)


def _deliver(engine: Engine, ids: list[int]) -> dict[str, int]:
    """Send the outbox messages ``ids``; record each outcome. Never raises."""
    done = {SENT: 0, FAILED: 0}
    try:
        settings = MailSettings.from_env()
        with engine.begin() as conn:
            rows = list(
                conn.execute(
                    select(MailRow.id, MailRow.recipient, MailRow.subject, MailRow.body).where(
                        MailRow.id.in_(ids)
                    )
                )
            )
        if settings is None or not rows:
            return done
        try:
            send(settings, [_message(settings, r) for r in rows])
            outcome, error = SENT, None
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            outcome, error = FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("mail to %d recipient(s) not sent: %s", len(rows), error)
        now = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(
                update(MailRow)
                .where(MailRow.id.in_([r.id for r in rows]))
                .values(
                    status=outcome,
                    error=error,
                    attempts=MailRow.attempts + 1,
                    sent_at=now if outcome == SENT else None,
                )
            )
        done[outcome] += len(rows)
    except Exception:  # a notification must never turn a committed change into an error
        log.exception("mail delivery failed")
    return done


def deliver_pending(db: Database) -> dict[str, int]:
    """Service call: send every message not sent yet (pending or failed before)."""
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(MailRow.id).where(MailRow.status.in_((PENDING, FAILED))).order_by(MailRow.id)
            )
        )
    return _deliver(db.engine, ids) if ids else {SENT: 0, FAILED: 0}


def outbox(db: Database, limit: int = 100) -> list[dict[str, object]]:
    """Service call: the newest messages with their outcome (for operators)."""
    with db.transaction() as session:
        rows = session.scalars(select(MailRow).order_by(MailRow.id.desc()).limit(limit))
        return [
            {
                "id": r.id,
                "recipient": r.recipient,
                "subject": r.subject,
                "reason": r.reason,
                "status": r.status,
                "attempts": r.attempts,
                "error": r.error,
            }
            for r in rows
        ]
