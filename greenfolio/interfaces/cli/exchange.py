"""``greenfolio import …``, ``export …`` and ``template …``: data in and out of the store.

Each import prints one summary (what it took in, what it refused, the reasons grouped)
and every problem with its place; ``--json`` prints the same as one JSON object. An
import exits 0 when all was taken in, 4 when part was (some activities or files
refused, the rest written) and 2 when nothing was, so scripts can tell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.work import WorkKind, WorkStatus
from greenfolio.interfaces.cli.common import (
    DbOption,
    ExitCode,
    JsonOption,
    err,
    errors,
    out,
    print_json,
    progress,
)
from greenfolio.interfaces.cli.db_target import import_target, open_db
from greenfolio.interfaces.cli.out_paths import out_file

if TYPE_CHECKING:
    from rich.progress import TaskID

    from greenfolio.domain.exchange import Problem, Summary

import_app = typer.Typer(
    help="Import portfolios: IATI XML, Multilateral Fund progress reports, XLSX templates.",
    no_args_is_help=True,
)
export_app = typer.Typer(help="Export the portfolio (IATI 2.03 XML).", no_args_is_help=True)
template_app = typer.Typer(help="Write data-entry templates.", no_args_is_help=True)

SHOWN_REASONS = 12
"""Reasons printed per severity; ``--json`` lists every problem."""
UpdateExisting = Annotated[
    bool,
    typer.Option(
        "--update-existing",
        help="Let the import replace stored projects of the same key that it did not make "
        "(entered by hand or by another import); every change is audited.",
    ),
]


def _counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one ("1 error", "2 warnings", "1 activity")."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _summary_line(summary: Summary, what: str) -> str:
    """What an import did, in one line: a file refused as a whole is said so ("nothing
    imported: 1 file refused as a whole, 4 errors in 3 rows"), not as "refused 0 rows"."""
    problems = (
        f"{_counted(len(summary.errors), 'error')}, {_counted(len(summary.warnings), 'warning')}"
    )
    if summary.refused_files and not summary.written and not summary.refused:
        places = {(p.file, p.sheet, p.row or p.line) for p in summary.errors if p.row or p.line}
        noun = "rows" if what == "row" else "lines"
        spread = f" in {len(places)} {noun}" if len(places) > 1 else ""
        whole = _counted(summary.refused_files, "file")
        return (
            f"nothing imported: {whole} refused as a whole; "
            f"{_counted(len(summary.errors), 'error')}{spread}, "
            f"{_counted(len(summary.warnings), 'warning')}"
        )
    refused = "refused " + _counted(
        summary.refused, what, "activities" if what == "activity" else None
    )
    if summary.refused_files:
        refused += f" and {_counted(summary.refused_files, 'whole file')}"
    return (
        f"imported {summary.written} (created {summary.created}, updated "
        f"{summary.updated}, unchanged {summary.skipped}); {refused}; {problems}"
    )


def _report(summary: Summary, as_json: bool, what: str = "activity") -> None:
    from greenfolio.domain.exchange import Problem

    if as_json:
        from greenfolio.domain.exchange import group_problems

        reasons = {g.message: g.count for g in group_problems(summary.errors)}
        print_json({**summary.as_dict(), "reasons": reasons})
    else:
        out.print(_summary_line(summary, what), highlight=False)
        if _print_groups(summary.problems, "refused", Problem.place):
            err.print("--json lists every problem with its place", highlight=False)
    if summary.partial:
        raise typer.Exit(ExitCode.PARTIAL)
    if summary.errors:
        raise typer.Exit(ExitCode.INVALID)


@import_app.command("iati")
def import_iati(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE.xml", help="IATI activity XML files.")
    ],
    strict: Annotated[
        bool,
        typer.Option(
            help="Refuse a file with any IATI 2.03 schema error (whole-file check); with "
            "--rules, also refuse each activity that breaks a rule the ruleset calls an error."
        ),
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(help="Check each activity against the 2.03 schema; leave invalid ones out."),
    ] = False,
    max_size: Annotated[
        int, typer.Option("--max-size", min=1, help="Largest file accepted, in MiB.")
    ] = 2048,
    update_existing: UpdateExisting = False,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules",
            help="Also run IATI's data-quality rules on each activity: standard (IATI's "
            "own, version 2.03) or a ruleset JSON file. Findings are warnings; with "
            "--strict, a rule the ruleset calls an error refuses the activity.",
        ),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import IATI activity files (2.01–2.03; 1.0x with a warning), one transaction each."""
    from greenfolio.services.exchange.iati_import import import_files
    from greenfolio.services.exchange.iati_rules import load_ruleset

    with errors():
        ruleset = load_ruleset(rules) if rules is not None else None
        with import_target(db) as database, progress() as bar:
            tasks: dict[Path, TaskID] = {}

            def step(path: Path, done: int, size: int) -> None:
                if path not in tasks:
                    tasks[path] = bar.add_task(f"importing {path.name}", total=size)
                bar.update(tasks[path], completed=done)

            summary = import_files(
                database,
                files,
                strict=strict,
                validate=validate,
                max_bytes=max_size * 1024**2,
                progress=step,
                update_existing=update_existing,
                rules=ruleset,
            )
        _report(summary, as_json)


@import_app.command("mlf-apr")
def import_mlf_apr(
    file: Annotated[Path, typer.Argument(help="APR spreadsheet in the Fund's import layout.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Date the figures stand at (YYYY-MM-DD); default 31 December of "
            "the latest approval year in the file."
        ),
    ] = None,
    update_existing: UpdateExisting = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import a Multilateral Fund Annual Progress Report: projects, funding and results."""
    from greenfolio.services.exchange.mlf_apr import import_apr

    with errors():
        day = _date(as_of)
        with import_target(db) as database, progress() as bar:
            task = bar.add_task(f"reading {file.name}", total=None)

            def step(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            summary = import_apr(
                database, file, day, update_existing=update_existing, progress=step
            )
        _report(summary, as_json, "project")


@import_app.command("xlsx")
def import_xlsx(
    file: Annotated[Path, typer.Argument(help="A filled-in Greenfolio results template.")],
    also_count: Annotated[
        bool,
        typer.Option(
            "--also-count",
            help="Add rows that stand beside results already under review or verified, "
            "both counting (without it such a file is refused, the rows named).",
        ),
    ] = False,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="Keep the results as drafts, to attach their evidence files before they "
            "are submitted for review (a submitted result takes no more files).",
        ),
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import results from a Greenfolio XLSX template; nothing is written unless all is valid."""
    from greenfolio.services.exchange.xlsx_import import import_results

    with errors():
        with import_target(db) as database, progress() as bar:
            task = bar.add_task(f"reading {file.name}", total=None)

            def step(done: int, total: int | None, stage: str) -> None:
                # each stage by name, so a bar at its end is not taken for the whole
                bar.update(task, description=f"{stage} {file.name}", completed=done, total=total)

            summary = import_results(
                database, file, progress=step, also_count=also_count, submit=not draft
            )
        _report(summary, as_json, "row")


def _status(typed: str | None) -> WorkStatus | None:
    from greenfolio.interfaces.cli.words import typed_choice

    code = typed_choice("--status", "status", WorkStatus, typed)
    return None if code is None else WorkStatus(code)


@export_app.command("iati")
def export_iati(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the XML.")],
    country: Annotated[
        list[str] | None, typer.Option(help="Only work in this country (ISO3); repeatable.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only work with this status (as `work list` prints it, or its code)."),
    ] = None,
    publisher: Annotated[
        str | None, typer.Option(help="Only activities reported by this IATI organisation.")
    ] = None,
    prefix: Annotated[
        list[str] | None,
        typer.Option(help="Only keys starting with this; repeatable (any of them)."),
    ] = None,
    kind: Annotated[
        list[WorkKind] | None, typer.Option(help="Kinds of work (default project, programme).")
    ] = None,
    verified_only: Annotated[
        bool,
        typer.Option(
            "--verified-only/--all-results",
            help="Publish verified results only (the default), or submitted ones too.",
        ),
    ] = True,
    reporting_org_ref: Annotated[
        str | None,
        typer.Option(
            "--reporting-org",
            "--reporting-org-ref",
            envvar="GREENFOLIO_REPORTING_ORG",
            help="IATI organisation identifier of the reporting organisation, for work "
            "that records none (e.g. XM-DAC-41123).",
        ),
    ] = None,
    reporting_org_type: Annotated[
        str | None,
        typer.Option(
            envvar="GREENFOLIO_REPORTING_ORG_TYPE",
            help="Its IATI OrganisationType code (e.g. 40).",
        ),
    ] = None,
    reporting_org_name: Annotated[str | None, typer.Option(help="Its name (English).")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Export the portfolio, or the part the filters select, as IATI 2.03 XML."""
    from greenfolio.domain.countries import check_country
    from greenfolio.domain.iati import OrgRef
    from greenfolio.services.exchange.iati_export import ExportFilter, export

    with errors():
        filt = ExportFilter(
            countries=[check_country(c) for c in country or []],
            status=_status(status),
            reporting_org=publisher,
            prefix=prefix or None,
            verified_only=verified_only,
        )
        if kind:
            filt.kinds = list(kind)
        default_org = None
        if reporting_org_ref or reporting_org_type or reporting_org_name:
            default_org = OrgRef(
                ref=reporting_org_ref,
                type=reporting_org_type,
                names={"en": reporting_org_name} if reporting_org_name else {},
            )
        out_file(out_path, "activities.xml")
        database = open_db(db)
        with progress() as bar:
            task = bar.add_task(f"exporting {out_path.name}", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = export(database, out_path, filt, default_org, progress=step)
        if as_json:
            print_json(summary.as_dict())
        else:
            activities = "activity" if summary.exported == 1 else "activities"
            out.print(
                f"wrote {out_path}: {summary.exported} {activities}, {summary.skipped} left out",
                highlight=False,
            )
            _print_groups(summary.problems, "left out")
            if summary.other_kinds:
                out.print(_other_kinds_note(summary.other_kinds), highlight=False)
    if summary.skipped:
        raise typer.Exit(ExitCode.PARTIAL)


def _other_kinds_note(counts: dict[str, int]) -> str:
    """What the export did not look at, and the option that includes it: work of kinds
    not asked for (by default IATI activities are projects and programmes)."""
    from greenfolio.interfaces.cli.words import said

    shown = ", ".join(f"{n} × {said('work_kind', kind).lower()}" for kind, n in counts.items())
    flags = " ".join(f"--kind {kind}" for kind in counts)
    return (
        f"not looked at: {sum(counts.values())} work item(s) of other kinds ({shown}); "
        f"the export takes projects and programmes unless told otherwise: add {flags} "
        "(with --kind project --kind programme to keep those)"
    )


def _print_groups(
    problems: list[Problem], refused: str, where: Callable[[Problem], str] | None = None
) -> bool:
    """Each reason once, with how many records it hit and a few of their keys or places;
    True if some were left unsaid (a reason's other places, reasons past the first)."""
    from greenfolio.domain.exchange import Severity, group_problems

    groups = group_problems(problems, where=where) if where else group_problems(problems)
    left_out = [g for g in groups if g.severity is Severity.ERROR]
    written = [g for g in groups if g.severity is not Severity.ERROR]
    for title, chosen in (
        (f"[bold red]{refused}:[/]", left_out),
        ("[yellow]warnings:[/]", written),
    ):
        if not chosen:
            continue
        err.print(title, highlight=False)
        for group in chosen[:SHOWN_REASONS]:
            err.print(f"  {group}", highlight=False, markup=False)
        if len(chosen) > SHOWN_REASONS:
            rest = sum(g.count for g in chosen[SHOWN_REASONS:])
            err.print(
                f"  … {len(chosen) - SHOWN_REASONS} more reasons ({rest} records)",
                highlight=False,
                markup=False,
            )
    return (
        len(left_out) > SHOWN_REASONS
        or len(written) > SHOWN_REASONS
        or any(g.count > len(g.examples) for g in groups)
    )


TEMPLATE_NAME = "greenfolio-results-template.xlsx"
"""The file ``template xlsx`` writes unless told (the name the web page downloads)."""


@template_app.command("xlsx")
def template_xlsx(
    indicators: Annotated[
        str | None,
        typer.Option(
            help="Indicator codes, comma-separated (`greenfolio indicators list` shows them); "
            "default: every indicator of the registry, as the web application's template."
        ),
    ] = None,
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path(
        TEMPLATE_NAME
    ),
    lang: Annotated[
        str,
        typer.Option(help="Language of its headings, lists and read-me (ar, zh, en, fr, ru, es)."),
    ] = "en",
    db: DbOption = None,
) -> None:
    """Write an XLSX results template for an indicator set, its dropdowns offering names
    (indicators, units, countries) in the language asked."""
    from greenfolio.domain.languages import check_language
    from greenfolio.services import reference
    from greenfolio.services.exchange.xlsx_template import write_template

    with errors():
        check_language(lang)
        out_file(out_path, "results.xlsx")
        database = open_db(db)
        if indicators is None:
            codes = [row["code"] for row in reference.listing(database)]
        else:
            codes = [c.strip() for c in indicators.split(",") if c.strip()]
        if not codes:
            raise GreenfolioError("give at least one indicator code with --indicators")
        path = write_template(database, codes, out_path, lang)
        out.print(f"wrote {path}", highlight=False)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise GreenfolioError(f"--as-of {text!r} is not a date; write YYYY-MM-DD") from exc
