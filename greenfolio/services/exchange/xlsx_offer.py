"""Service: the results template as a signed-in user downloads it from the web.

Its Project column offers, as a dropdown, the projects the user may enter results for
(edit and submit, as the import checks each row), each by its title in the template's
language with its key ("Plastic waste in Ghana (gh-plastics)"); the words go on the
hidden Lists sheet beside their keys, as the indicators' names do, and the import reads
them back through it (``xlsx_import``). Offering a project is no permission: the import
still checks the uploader's roles on each row against the project as stored, so a Lists
sheet edited by hand names at most a project that is then refused as an unknown one.

A template for one project (from its page) has that project first in the dropdown and in
the first rows of the Project column (``xlsx_template.PREFILLED_ROWS``), and the
indicators its results use first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import Action, Principal, allowed
from greenfolio.services import access, portfolio
from greenfolio.services.database import Database, reading
from greenfolio.services.exchange import xlsx_template
from greenfolio.store.tables import ResultRow, WorkRow

WRITE = (Action.EDIT, Action.SUBMIT)
"""What importing a row needs on its project (``xlsx_plan``): entering and submitting."""


def title_in(title: dict[str, Any] | None, lang: str) -> str:
    """A project's title in ``lang``, else in English, else in any language it has."""
    title = title or {}
    text = title.get(lang) or title.get("en") or next((t for t in title.values() if t), "")
    return " ".join(str(text).split())


def project_word(key: str, title: dict[str, Any] | None, lang: str) -> str:
    """How the dropdown offers a project: its title in ``lang`` with its key."""
    text = title_in(title, lang)
    return f"{text} ({key})" if text else key


def writable_projects(session: Session, principal: Principal, lang: str) -> list[tuple[str, str]]:
    """The projects ``principal`` may enter results for, as (words, key), by title."""
    rows = session.execute(
        select(WorkRow.id, WorkRow.key, WorkRow.title).where(
            access.visible_works(principal.visibility())
        )
    ).all()
    stored = access.StoredProjects()
    stored.load(session, [r.id for r in rows])
    found = []
    for work_id, key, title in rows:
        target = stored.get(session, work_id).write_target()
        if all(allowed(principal, action, target) for action in WRITE):
            found.append((project_word(key, title, lang), key))
    return sorted(found, key=lambda pair: (xlsx_template.normal(pair[0]), pair[1]))


def _writable_project(session: Session, principal: Principal, key: str) -> WorkRow:
    """The project a template is for: refused as missing unless its asker may read it,
    and as not theirs unless they may enter and submit results for it."""
    visible = access.visible_works(principal.visibility())
    work = portfolio.work_by_key(session, key, visible, only_visible=True)
    access.require_new_result(session, principal, work.id, None)
    access.require_result_write(session, principal, Action.SUBMIT, work.id, None, None, new=True)
    return work


def _used_first(session: Session, work_id: int, codes: Sequence[str]) -> list[str]:
    """``codes`` with those the project's results use first (the most used first)."""
    used = Counter(
        dict(
            session.execute(
                select(ResultRow.indicator_code, func.count())
                .where(ResultRow.work_id == work_id)
                .group_by(ResultRow.indicator_code)
            ).all()
        )
    )
    order = {code: n for n, code in enumerate(codes)}
    first = sorted((c for c in used if c in order), key=lambda c: (-used[c], order[c]))
    return first + [c for c in codes if c not in used]


def write_for(
    db: Database,
    principal: Principal,
    codes: Sequence[str],
    out: Path,
    lang: str,
    project: str | None = None,
) -> Path:
    """Service call: the template for ``principal`` with indicators ``codes``: its Project
    column offering the projects they may enter results for; with ``project``, that one
    first and in the first rows, its indicators first."""
    access.need_signed_in(principal)
    prefill = None
    with reading(), db.transaction() as session:
        offered = writable_projects(session, principal, lang)
        ordered = list(dict.fromkeys(codes))
        if project is not None:
            work = _writable_project(session, principal, project)
            prefill = work.key
            ordered = _used_first(session, work.id, ordered)
            chosen = (project_word(work.key, work.title, lang), work.key)
            offered = [chosen, *(pair for pair in offered if pair[1] != work.key)]
    return xlsx_template.write_template(db, ordered, out, lang, offered, prefill)


def file_name(project: str | None) -> str:
    """The name a downloaded template is saved under (a project's key made safe)."""
    if project is None:
        return "greenfolio-results-template.xlsx"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", project).strip("-.")[:80]
    return f"greenfolio-results-template-{safe}.xlsx"


def project_titles(
    db: Database, principal: Principal, keys: Sequence[str], lang: str
) -> dict[str, str]:
    """Service call: the titles in ``lang`` of the projects ``keys`` that ``principal`` may
    read, for a preview that names each row's project as the pages do."""
    if not keys:
        return {}
    visible = access.visible_works(principal.visibility())
    with reading(), db.transaction() as session:
        rows = session.execute(
            select(WorkRow.key, WorkRow.title).where(WorkRow.key.in_(sorted(set(keys))), visible)
        ).all()
    return {key: title_in(title, lang) or key for key, title in rows}
