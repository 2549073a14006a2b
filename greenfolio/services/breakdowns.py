"""Totals and their breakdown by sex as stored: which results of the same project,
indicator, period, country and kind of value add up to more than their total
(``domain.breakdown``), for the pages that show a result, the review queue and the
project page. A warning, never a refusal: nothing here stops a result being saved.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.breakdown import Excess, Figure, by_result, excesses, part_order
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import Action, Principal
from greenfolio.domain.results import Qualifier, ReviewState, combine_qualifiers
from greenfolio.services import access, results
from greenfolio.services.locking import StaleVersionError
from greenfolio.services.results import ResultSpec
from greenfolio.store.tables import IndicatorRow, ResultRow


def _day(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)


def figure_of(row: ResultRow) -> Figure:
    """A stored result as the comparison sees it."""
    identity = (
        row.work_id,
        row.indicator_code,
        _day(row.period_start),
        _day(row.period_end),
        row.country,
        row.kind,
        row.entity or None,
    )
    return Figure(row.id, identity, row.sex, float(row.value), row.unit, row.qualifier)


def figure_of_item(item: Mapping[str, Any]) -> Figure:
    """A result as the pages read it (``explorer.result_dict``)."""
    identity = (
        item["project"],
        item["indicator"],
        _day(item.get("period_start")),
        _day(item.get("period_end")),
        item.get("country"),
        item.get("kind"),
        item.get("entity") or None,
    )
    return Figure(
        int(item["id"]),
        identity,
        item.get("sex"),
        float(item["value"]),
        str(item["unit"]),
        str(item.get("qualifier") or "exact"),
    )


def as_dict(excess: Excess) -> dict[str, Any]:
    """An excess as plain data: the total, its parts and their sum (in the total's unit)."""

    def one(fig: Figure) -> dict[str, Any]:
        return {
            "id": fig.id,
            "sex": fig.sex,
            "value": fig.value,
            "unit": fig.unit,
            "qualifier": fig.qualifier,
        }

    return {
        "total": one(excess.total),
        "parts": [one(p) for p in excess.parts],
        "parts_sum": excess.parts_sum,
        "sum_qualifier": combine_qualifiers({Qualifier(p.qualifier) for p in excess.parts}).value,
        "unit": excess.total.unit,
        "ids": list(excess.ids),
    }


def of_items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The excesses among results already read together (a project's results)."""
    return [as_dict(e) for e in excesses(figure_of_item(i) for i in items)]


def _readable(principal: Principal | None) -> list[Any]:
    """Conditions on ``ResultRow`` for the results ``principal`` may read (None: the
    command line's operating-system user, who reads all)."""
    return access.visible_results(principal.visibility()) if principal is not None else []


def around(
    session: Session, principal: Principal | None, rows: Sequence[ResultRow]
) -> dict[int, list[dict[str, Any]]]:
    """For each of ``rows``, the excesses it takes part in (as a total or as a part),
    compared with every result of the same identity the principal may read
    (``_readable``); read in one query for the whole list."""
    if not rows:
        return {}
    works = {r.work_id for r in rows}
    codes = {r.indicator_code for r in rows}
    conds = _readable(principal)
    found = session.scalars(
        select(ResultRow).where(
            *conds, ResultRow.work_id.in_(works), ResultRow.indicator_code.in_(codes)
        )
    )
    wanted = {r.id for r in rows}
    named = by_result(excesses(figure_of(r) for r in found))
    return {rid: [as_dict(e) for e in named[rid]] for rid in wanted if rid in named}


def parts_of(
    session: Session, principal: Principal | None, total: ResultRow
) -> list[dict[str, Any]]:
    """The results that count a part by sex beside ``total`` (same identity), those the
    principal may read, women then men then others: what its page lists as its breakdown."""
    if total.sex is not None:
        return []
    found = session.scalars(
        select(ResultRow).where(
            *_readable(principal),
            ResultRow.work_id == total.work_id,
            ResultRow.indicator_code == total.indicator_code,
            ResultRow.sex.is_not(None),
        )
    )
    mine = figure_of(total).identity
    parts = sorted(
        (r for r in found if figure_of(r).identity == mine), key=lambda r: part_order(figure_of(r))
    )
    return [
        {
            "id": r.id,
            "sex": r.sex,
            "value": r.value,
            "unit": r.unit,
            "qualifier": r.qualifier,
            "review_state": r.review_state,
        }
        for r in parts
    ]


def _same_figure_rows(session: Session, row: ResultRow, *where: Any) -> list[ResultRow]:
    """The other results that count the very figure ``row`` counts: same project,
    indicator, period, country, kind, entity and sex (``where``: further conditions)."""
    found = session.scalars(
        select(ResultRow).where(
            ResultRow.work_id == row.work_id,
            ResultRow.indicator_code == row.indicator_code,
            ResultRow.id != row.id,
            *where,
        )
    )
    mine = figure_of(row).identity
    return [r for r in found if r.sex == row.sex and figure_of(r).identity == mine]


def shared_total(session: Session, total: ResultRow) -> bool:
    """Whether another total counts the same figure as ``total`` (a duplicate entered
    twice). Its parts are then no one total's alone: they do not follow either through
    review (returning the duplicate un-verified the breakdown of the total that stayed
    verified)."""
    return total.sex is None and bool(_same_figure_rows(session, total))


def same_figure(
    session: Session, principal: Principal | None, row: ResultRow
) -> list[dict[str, Any]]:
    """Other results, not returned, that count the very figure ``row`` counts and that the
    principal may read: a figure entered twice adds up twice in every total (an officer's
    review found the new-result form silent about it, where the import names such rows)."""
    returned = ResultRow.review_state == ReviewState.RETURNED.value
    return [
        {"id": r.id, "review_state": r.review_state}
        for r in _same_figure_rows(session, row, *_readable(principal), ~returned)
    ]


def with_file_rows(
    session: Session, principal: Principal | None, rows: Sequence[tuple[int, int, ResultSpec]]
) -> list[dict[str, Any]]:
    """The excesses that importing new result ``rows`` (row number on its sheet, project
    id, result) would make, among themselves and with the stored results of the same
    identity the principal may read. A row stands in them as its row number, negated
    (``-2`` for row 2), so that no row is taken for a stored result."""
    if not rows:
        return []
    figures = _with_stored(session, principal, rows)
    return [as_dict(e) for e in excesses(figures) if any(i < 0 for i in e.ids)]


def untotalled(
    session: Session, principal: Principal | None, rows: Sequence[tuple[int, int, ResultSpec]]
) -> list[list[int]]:
    """The new result ``rows`` that give women or men of a figure that has no total, in
    the file or stored (the figures count totals, so these parts reach none), grouped by
    figure: each group's row numbers, in order."""
    if not rows:
        return []
    groups: dict[Hashable, list[int]] = {}
    totalled: set[Hashable] = set()
    for fig in _with_stored(session, principal, rows):
        if fig.sex is None:
            totalled.add(fig.identity)
        elif fig.id < 0:
            groups.setdefault(fig.identity, []).append(-fig.id)
    return [sorted(found) for key, found in groups.items() if key not in totalled]


def _with_stored(
    session: Session, principal: Principal | None, rows: Sequence[tuple[int, int, ResultSpec]]
) -> list[Figure]:
    """The new result ``rows`` as figures (each its row number, negated) and the stored
    results of the same projects and indicators the principal may read."""
    codes = {spec.indicator for _, _, spec in rows}
    units: dict[str, str] = {
        code: unit
        for code, unit in session.execute(
            select(IndicatorRow.code, IndicatorRow.unit).where(IndicatorRow.code.in_(codes))
        )
    }
    figures = [
        Figure(
            -row,
            (
                work_id,
                spec.indicator,
                _day(spec.period_start),
                _day(spec.period_end),
                spec.country.upper() if spec.country else None,
                spec.kind.value,
                spec.entity or None,  # as ``figure_of`` (it was left out: never matched)
            ),
            spec.sex.value if spec.sex else None,
            float(spec.value),
            spec.unit or units.get(spec.indicator, ""),
            spec.qualifier.value,
        )
        for row, work_id, spec in rows
    ]
    stored = session.scalars(
        select(ResultRow).where(
            *_readable(principal),
            ResultRow.work_id.in_({work_id for _, work_id, _ in rows}),
            ResultRow.indicator_code.in_(codes),
        )
    )
    figures += [figure_of(r) for r in stored]
    return figures


def unchecked(session: Session, principal: Principal | None, row: ResultRow) -> None:
    """Refuse verifying ``row`` while it takes part in a breakdown by sex adding up to
    more than its total, unless the verifier says the figures were checked: the command
    line and the API show no sum beside the total, and a page's warning is easily passed
    over. The message names each interface's way to say so; the pages say their own."""
    found = around(session, principal, [row]).get(row.id)
    if not found:
        return
    excess = found[0]
    raise ValidationError(
        f"result {row.id} takes part in a breakdown by sex that adds up to "
        f"{excess['parts_sum']:g}, more than its total of {excess['total']['value']:g} "
        f"(result {excess['total']['id']}): check the figures, then verify it saying so "
        '(--breakdown-checked on the command line, "breakdown_checked": true in the API, '
        "the box beside Verify on its page)",
        message_id="verify_breakdown",
        params={"result": row.id},
    )


PARTS_FOLLOW = {
    "submit": (Action.SUBMIT, (ReviewState.DRAFT.value, ReviewState.RETURNED.value)),
    "return": (Action.REVIEW, (ReviewState.SUBMITTED.value, ReviewState.VERIFIED.value)),
    # the reviewer verifies a total with its breakdown in view (its page shows the parts
    # and, for one above its total, asks to confirm they were checked): the parts under
    # review are verified with it (an officer's review: three verifications for one figure)
    "verify": (Action.REVIEW, (ReviewState.SUBMITTED.value,)),
}
"""The review actions a total's breakdown by sex follows: the permission each needs, and
the states of the parts that go with the total."""


def follow_parts(
    session: Session,
    principal: Principal | None,
    total: ResultRow,
    action: str,
    note: str | None,
    versions: Mapping[int, int] | None = None,
) -> list[ResultRow]:
    """A total and its breakdown go through review together: submitting a total submits
    the parts beside it in draft or returned (as its page adds them, or as a return sent
    them back with it), verifying it verifies the parts under review, and returning it
    returns the parts under review or verified, with the same reason, so that a part
    found wrong with its total goes back to its author too (a reviewer would otherwise
    see the total alone, or verify a part whose total was sent back, and the author could
    correct neither). Parts two totals share (``shared_total``) follow neither. Each part
    is checked as stored
    (``principal`` None: the command line's operating-system user, who may act on all)
    and, where ``versions`` names it (a bulk review's list), at the version seen. Returns
    the parts moved."""
    follows = PARTS_FOLLOW.get(action)
    if follows is None or shared_total(session, total):
        return []
    needed, states = follows
    moved: list[ResultRow] = []
    for part in parts_of(session, principal, total):
        if part["review_state"] not in states:
            continue
        row = session.get(ResultRow, part["id"], with_for_update=True)
        if row is None or row.review_state not in states:
            continue
        if principal is not None:
            access.require_result_write(session, principal, needed, row.work_id, row.country, None)
        seen = (versions or {}).get(row.id)
        if seen is not None and seen != row.version:
            stale = StaleVersionError(
                f"result {row.id}, a part of result {total.id}, changed since it was listed "
                f"(now at version {row.version}); look at it again before reviewing it",
                row.version,
            )
            stale.message_id, stale.params = "bulk_stale", {"result": row.id}
            raise stale
        results.review(session, row.id, action, note, principal.actor if principal else None)
        moved.append(row)
    return moved


def check_part_alone(session: Session, principal: Principal | None, row: ResultRow) -> None:
    """Refuse to verify a part of a breakdown whose total is a draft or was returned: the
    parts are verified with their total, or after it, never in its place (a part sent
    back with its total could be submitted and verified alone)."""
    if row.sex is None:
        return
    mine = figure_of(row).identity
    pending = (ReviewState.DRAFT.value, ReviewState.RETURNED.value)
    for total in session.scalars(
        select(ResultRow).where(
            *_readable(principal),
            ResultRow.work_id == row.work_id,
            ResultRow.indicator_code == row.indicator_code,
            ResultRow.sex.is_(None),
            ResultRow.review_state.in_(pending),
        )
    ):
        if figure_of(total).identity == mine:
            raise ValidationError(
                f"result {row.id} counts a part of result {total.id}, which is "
                f"{total.review_state}: a breakdown by sex is verified with its total or "
                "after it; submit the total again first",
                message_id="part_before_total",
                params={"result": row.id, "total": total.id, "state": total.review_state},
            )


def review_with_parts(
    session: Session,
    principal: Principal | None,
    row: ResultRow,
    action: str,
    note: str | None,
    versions: Mapping[int, int] | None = None,
) -> list[ResultRow]:
    """One review step on ``row`` as a breakdown takes it: a part is not verified before
    its total (``check_part_alone``), and the parts that go with a total follow it
    (``follow_parts``). Every route that reviews results calls this; the caller has
    checked its own rights on ``row``. Returns ``row`` as changed, then the parts moved."""
    if action == "verify":
        check_part_alone(session, principal, row)
    done = results.review(session, row.id, action, note, principal.actor if principal else None)
    return [done, *follow_parts(session, principal, done, action, note, versions)]
