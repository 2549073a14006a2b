"""Service: import IATI activity files, each file in one transaction.

A file is checked before it is parsed (size cap, no DOCTYPE); with ``strict`` it must
also be valid against the IATI 2.03 schema as a whole, or nothing of it is kept.
Otherwise valid activities are stored and invalid ones reported. Because one file is
one transaction, an interrupted import leaves the store as it was, and re-running it
is safe: activities are matched by identifier, so nothing is duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from greenfolio.domain.exchange import Problem, RefusedError, Severity, Summary
from greenfolio.services import audit
from greenfolio.services.collector import relaxed_gc
from greenfolio.services.database import Database
from greenfolio.services.exchange import iati_schema
from greenfolio.services.exchange.iati_orgs import renamed_problems
from greenfolio.services.exchange.iati_parse import ActivityReader
from greenfolio.services.exchange.iati_rules import Ruleset
from greenfolio.services.exchange.iati_rules_text import import_check
from greenfolio.services.exchange.iati_store import ActivityWriter
from greenfolio.services.exchange.xml_safety import DEFAULT_MAX_BYTES, check_file

RULES_KEEP = 1000
"""Findings of one rule listed per file by an import with rules (as ``check_file``)."""

Progress = Callable[[int, int], None]
"""Called with (bytes read, file size) as a file is read."""


def import_file(
    db: Database,
    path: Path,
    *,
    strict: bool = False,
    validate: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    update_existing: bool = False,
    rules: Ruleset | None = None,
    keep: int | None = RULES_KEEP,
) -> Summary:
    """Import one file; a refused file is reported in the summary and changes nothing.

    A stored project that did not come from an IATI import is not overwritten unless
    ``update_existing`` (its activity is refused with the reason). ``rules`` (an IATI
    ruleset) run on each activity in the same pass: their findings are warnings, and
    under ``strict`` the ruleset's errors refuse the activity. Of each rule's findings,
    only the first ``keep`` are listed as problems (None: all), and one more warning
    says how many were not, so that memory stays flat on huge files.
    """
    summary = Summary(files=[str(path)])
    try:
        size = check_file(path, max_bytes)
        if strict:
            problems = iati_schema.check_document(path)
            if problems:
                raise RefusedError(
                    [*problems, Problem("strict import: the file is refused", file=path.name)]
                )
        check = import_check(rules, path.name, strict=strict, keep=keep) if rules else None
        reader = ActivityReader(
            path,
            validate=validate,
            progress=(lambda done: progress(done, size)) if progress else None,
            rules=check,
        )
        with relaxed_gc(), db.transaction() as session:
            audit.bulk_source(session, path.name)
            writer = ActivityWriter(session, update_existing=update_existing)
            for parsed in reader:
                summary.problems.extend(parsed.problems)
                if parsed.activity is None:
                    summary.refused += 1
                    continue
                writer.add(parsed.activity, parsed.line, path.name)
            writer.flush()
        if check is not None:
            summary.problems.extend(check.more())
        summary.problems[:0] = reader.problems
        summary.problems.extend(writer.problems)
        summary.problems.extend(renamed_problems(writer.orgs, path.name))
        summary.created, summary.updated, summary.skipped = (
            writer.created,
            writer.updated,
            writer.skipped,
        )
        summary.refused += writer.refused
    except RefusedError as refused:
        summary.created = summary.updated = summary.skipped = summary.refused = 0
        summary.refused_files = 1
        summary.problems = [p for p in summary.problems if p.severity is Severity.WARNING]
        summary.problems.extend(refused.problems)
    return summary


def import_files(
    db: Database,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    validate: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[Path, int, int], None] | None = None,
    update_existing: bool = False,
    rules: Ruleset | None = None,
    keep: int | None = RULES_KEEP,
) -> Summary:
    """Service call: import several files, each on its own (one transaction per file)."""
    total = Summary()
    for path in paths:

        def step(done: int, size: int, path: Path = path) -> None:
            if progress is not None:
                progress(path, done, size)

        total.merge(
            import_file(
                db,
                path,
                strict=strict,
                validate=validate,
                max_bytes=max_bytes,
                progress=step,
                update_existing=update_existing,
                rules=rules,
                keep=keep,
            )
        )
    return total
