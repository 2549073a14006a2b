"""Who hears of a review action, by email: a submitted result goes to the reviewers
whose scope covers it (reviewers and administrators), a returned or verified one to its
authors (whoever entered, revised or submitted it). Nobody is told of their own act, and
accounts without an email address or disabled are left out.

Called by ``results.review`` inside the change's transaction; the messages go to the
outbox (``mailer``) and are sent after commit. Without mail settings this does nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import Action, allowed
from greenfolio.services import access, mail_text, mailer
from greenfolio.services.user_records import principal_of
from greenfolio.store.tables import IndicatorRow, ResultRow, UserRow, WorkRow

RESULT_PATH = "/results/{id}"


def _users(session: Session, names: set[str] | None = None) -> list[UserRow]:
    query = select(UserRow).where(UserRow.active.is_(True), UserRow.email.is_not(None))
    if names is not None:
        query = query.where(UserRow.username.in_(sorted(names)))
    return list(session.scalars(query.order_by(UserRow.id)))


def _may(session: Session, users: list[UserRow], row: ResultRow, action: Action) -> list[UserRow]:
    """Those of ``users`` whose roles, as stored now, allow ``action`` on ``row`` (its
    project and country): the one permission check, as for a request of theirs."""
    target = access.stored_project(session, row.work_id).result_target(row.country)
    return [u for u in users if allowed(principal_of(session, u, via="mail"), action, target)]


def _reviewers(session: Session, row: ResultRow) -> list[UserRow]:
    """Active users with an email who may verify ``row`` (its project and country)."""
    return _may(session, _users(session), row, Action.REVIEW)


def _authors(session: Session, row: ResultRow) -> list[UserRow]:
    """Those who entered, revised or submitted ``row`` and may still read it: an author
    whose roles were taken away hears nothing more of it (a hostile review: a return's
    reason went to an editor who had lost every role)."""
    names = {
        who.removeprefix("user:")
        for who in (row.entered_by, row.revised_by, row.submitted_by)
        if who and who.startswith("user:")
    }
    return _may(session, _users(session, names), row, Action.READ) if names else []


def _facts(session: Session, row: ResultRow) -> dict[str, Any]:
    work = session.get(WorkRow, row.work_id)
    indicator = session.get(IndicatorRow, row.indicator_code)
    return {
        "id": row.id,
        "value": row.value,
        "unit": row.unit,
        "indicator_names": indicator.names if indicator else {},
        "project_titles": work.title if work else {},
        "project_key": work.key if work else "",
        "period_start": row.period_start,
        "period_end": row.period_end,
    }


def review(session: Session, row: ResultRow, action: str, actor: str, note: str | None) -> int:
    """Queue the messages that ``action`` on ``row`` by ``actor`` calls for; how many."""
    if action not in ("submit", "return", "verify") or not mailer.enabled():
        return 0
    readers = _reviewers(session, row) if action == "submit" else _authors(session, row)
    readers = [u for u in readers if f"user:{u.username}" != actor]
    if not readers:
        return 0
    facts = _facts(session, row)
    actor_name = actor.removeprefix("user:")
    shown = (
        session.scalar(select(UserRow.display_name).where(UserRow.username == actor_name)) or ""
    ).strip()
    # the user name beside the display name, as the pages give it: two people may have
    # chosen alike names before display names were kept apart
    same = not shown or shown.casefold() == actor_name.casefold()
    facts["names"] = {} if same else {actor_name: f"{shown} ({actor_name})"}
    base = mailer.base_url()
    url = base + RESULT_PATH.format(id=row.id) if base else None
    for user in readers:
        mail = mail_text.review(user.language, action, facts, actor, note, url)
        mailer.queue(session, str(user.email), mail)
    return len(readers)
