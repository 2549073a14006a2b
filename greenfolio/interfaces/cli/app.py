"""``greenfolio``: the command line. It parses options, calls services and prints.

Exit codes: 0 success, 2 invalid input or unknown record, 3 database unreachable or not
at the current schema, 1 anything unexpected.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.results import Milestone, Qualifier, ReviewState, Sex, ValueKind
from greenfolio.interfaces import report_files
from greenfolio.services import demo as demo_service
from greenfolio.services import explain as explain_service
from greenfolio.services import reference, reporting, synthetic
from greenfolio.services import results as result_service
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition

app = typer.Typer(
    help="Greenfolio: portfolio, verified results and multilingual reports for environment "
    "and energy programmes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
report_app = typer.Typer(help="Build governing-body reports.", no_args_is_help=True)
indicators_app = typer.Typer(help="The indicator registry.", no_args_is_help=True)
results_app = typer.Typer(help="Record and review results.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(report_app, name="report")
app.add_typer(indicators_app, name="indicators")
app.add_typer(results_app, name="results")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file path "
        "(default: $GREENFOLIO_DB, else ./greenfolio.sqlite).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class ExitCode:
    OK = 0
    UNEXPECTED = 1
    INVALID = 2
    DATABASE = 3


@contextmanager
def _errors() -> Iterator[None]:
    """Turn known failures into one clear line and a meaningful exit code."""
    try:
        yield
    except GreenfolioError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(ExitCode.INVALID) from exc
    except OperationalError as exc:
        err.print(
            f"[bold red]database error:[/] {exc.orig}. Check the --db URL or $GREENFOLIO_DB, "
            "and run `greenfolio db upgrade` on a new database.",
            highlight=False,
        )
        raise typer.Exit(ExitCode.DATABASE) from exc


def _open(url: str | None, *, upgrade: bool = False) -> Database:
    db = Database.open(url)
    if upgrade:
        db.upgrade()
    elif not db.is_current():
        err.print(
            f"[bold red]error:[/] the database {db.url} is not at the current schema; "
            f"run `greenfolio db upgrade{' --db ' + url if url else ''}` first.",
            highlight=False,
        )
        raise typer.Exit(ExitCode.DATABASE)
    return db


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _split(values: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = (
        list(allowed) if values == "all" else [v.strip() for v in values.split(",") if v.strip()]
    )
    for item in items:
        if item not in allowed:
            raise GreenfolioError(f"unknown {what} {item!r}: choose from {', '.join(allowed)}")
    return items


def _build_reports(
    db: Database, definition: str, year: int, langs: list[str], formats: list[str], out_dir: Path
) -> list[Path]:
    """Compute once, then render and write every language and format, with a progress bar."""
    written: list[Path] = []
    with _progress() as bar:
        task = bar.add_task("computing figures", total=1 + len(langs) * (1 + len(formats)))
        computed = reporting.compute(db, load_definition(definition), year)
        bar.advance(task)
        for lang in langs:
            bar.update(task, description=f"rendering {lang}")
            built = reporting.build(db, definition, year, lang, computed)
            charts = report_files.render_charts(built)
            notes = None
            if "html" in formats:
                notes = explain_service.explanations(db, [built.figures[f] for f in built.used])
            bar.advance(task)
            for fmt in formats:
                bar.update(task, description=f"writing {lang} {fmt}")
                written += report_files.write(built, fmt, out_dir, charts, notes)
                bar.advance(task)
    return written


@app.command()
def demo(
    db: DbOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the reports.")] = Path(
        "out"
    ),
    synthetic_projects: Annotated[
        int, typer.Option("--synthetic", min=0, help="Also add N synthetic projects.")
    ] = 0,
    year: Annotated[int, typer.Option(help="Report year.")] = 2021,
    lang: Annotated[str, typer.Option(help="Languages, comma-separated, or all.")] = "zh,en",
    fmt: Annotated[
        str, typer.Option("--format", help="Formats, comma-separated (html, docx, pdf).")
    ] = "html,docx",
    serve: Annotated[
        bool, typer.Option("--serve", help="Then open the demo in the web application.")
    ] = False,
    host: Annotated[str, typer.Option(help="With --serve: address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="With --serve: port to listen on.")] = 8000,
) -> None:
    """Create the demo portfolio and write the 2021 Board report (zh, en; HTML, DOCX)."""
    with _errors():
        langs = _split(lang, UN_LANGUAGES, "language")
        formats = report_files.check_formats(_split(fmt, report_files.FORMATS, "format"))
        database = _open(db, upgrade=True)
        err.print(f"database: {database.url}", highlight=False)
        with _progress() as bar:
            task = bar.add_task("loading demo portfolio", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            counts = demo_service.load(database, progress=step)
            if synthetic_projects:
                gen = bar.add_task("synthetic projects", total=synthetic_projects)
                synthetic.generate(
                    database, synthetic_projects, progress=lambda n: bar.advance(gen, n)
                )
        out.print(
            f"demo portfolio: {counts['work']} work items, {counts['results']} verified results, "
            f"{counts['organisations']} organisations"
        )
        for path in _build_reports(database, "board", year, langs, formats, out_dir):
            out.print(f"wrote {path}", highlight=False)
        if serve:
            serve_cli.ensure_demo_admin(database)
    if serve:
        serve_cli.run_server(database, host, port)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema and load the packaged classifications and indicators."""
    with _errors():
        database = Database.open(db)
        revision = database.upgrade()
        terms, inds = reference.sync(database)
        out.print(
            f"{database.url}: schema at revision {revision}; {terms} classification terms and "
            f"{inds} indicators loaded",
            highlight=False,
        )


@report_app.command("build")
def report_build(
    year: Annotated[int, typer.Option(help="Report year, e.g. 2021.")],
    lang: Annotated[str, typer.Option(help="ar, zh, en, fr, ru, es, a list, or all.")] = "en",
    fmt: Annotated[
        str, typer.Option("--format", help="html, docx, pdf, or a comma-separated list.")
    ] = "html",
    definition: Annotated[
        str, typer.Option(help="board, montreal, gef, or a folder with definition.yaml.")
    ] = "board",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    db: DbOption = None,
) -> None:
    """Build a report from verified results, with a provenance file beside each document."""
    with _errors():
        langs = _split(lang, UN_LANGUAGES, "language")
        formats = report_files.check_formats(_split(fmt, report_files.FORMATS, "format"))
        database = _open(db)
        for path in _build_reports(database, definition, year, langs, formats, out_dir):
            out.print(f"wrote {path}", highlight=False)


@app.command()
def figures(
    year: Annotated[int, typer.Option(help="Report year.")],
    definition: Annotated[str, typer.Option(help="Report definition.")] = "board",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every figure of a report with its value, unit and provenance."""
    with _errors():
        database = _open(db)
        values = reporting.compute_figures(database, load_definition(definition), year)
        if as_json:
            _print_json(
                {
                    "report": definition,
                    "year": year,
                    "figures": [f.provenance() for f in values.values()],
                }
            )
            return
        table = Table("figure", "value", "unit", "qualifier", "results")
        for fig in values.values():
            shown = (
                ", ".join(fig.items) if fig.items and fig.unit == "country" else f"{fig.value:g}"
            )
            table.add_row(fig.id, shown, fig.unit, fig.qualifier.value, str(len(fig.result_ids)))
        out.print(table)


@app.command()
def explain(
    figure_id: Annotated[str, typer.Argument(help="A figure id, e.g. pops_destroyed.")],
    year: Annotated[int, typer.Option(help="Report year.")] = 2021,
    definition: Annotated[str, typer.Option(help="Report definition.")] = "board",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """How a figure was computed: query, parameters, results, method runs, evidence."""
    with _errors():
        data = explain_service.explain(_open(db), definition, year, figure_id)
        if as_json:
            _print_json(data)
            return
        out.print(f"[bold]{figure_id}[/] = {data['value']:g} {data['unit']} ({data['qualifier']})")
        out.print(
            f"query: {data['query']}  parameters: {json.dumps(data['parameters'])}", highlight=False
        )
        if data["period"]:
            out.print(
                f"period: {data['period']['start']} to {data['period']['end']}", highlight=False
            )
        if data["items"]:
            out.print(f"items: {', '.join(data['items'])}", highlight=False)
        table = Table("result", "work", "value", "unit", "period end", "citation / evidence")
        for r in data["results"]:
            table.add_row(
                str(r["id"]),
                r["work"],
                f"{r['value']:g}",
                r["unit"],
                r["period_end"] or "",
                r["evidence"] or r["citation"] or "",
            )
        out.print(table)
        for run in data["method_runs"]:
            out.print(
                f"method run {run['run_id']}: {run['method']} {run['method_version']}, "
                f"reference data {run['refdata_version']}",
                highlight=False,
            )


@indicators_app.command("list")
def indicators_list(
    lang: Annotated[str, typer.Option(help="Language of the names.")] = "en",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every indicator with its unit and aggregation rule."""
    with _errors():
        _split(lang, UN_LANGUAGES, "language")
        database = _open(db)
        rows = reference.listing(database)
        if as_json:
            _print_json(rows)
            return
        table = Table("code", "name", "unit", "rule", "GEF")
        for row in rows:
            table.add_row(
                row["code"],
                row["names"].get(lang, ""),
                row["unit"],
                row["aggregation"],
                row["gef_core_indicator"] or "",
            )
        out.print(table)


@results_app.command("list")
def results_list(
    indicator: Annotated[str | None, typer.Option(help="Only this indicator.")] = None,
    state: Annotated[ReviewState | None, typer.Option(help="Only this review state.")] = None,
    work: Annotated[str | None, typer.Option(help="Only this work item (key).")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Results, filtered by indicator, review state or work item."""
    with _errors():
        rows = result_service.listing(_open(db), indicator, state, work, limit)
        if as_json:
            _print_json(rows)
            return
        table = Table("id", "work", "indicator", "value", "unit", "state", "period end")
        for r in rows:
            table.add_row(
                str(r["id"]),
                r["work"],
                r["indicator"],
                f"{r['value']:g}",
                r["unit"],
                r["review_state"],
                r["period_end"] or "",
            )
        out.print(table)


@results_app.command("add")
def results_add(
    work: Annotated[str, typer.Option(help="Work item key.")],
    indicator: Annotated[str, typer.Option(help="Indicator code.")],
    value: Annotated[float, typer.Option(help="The value.")],
    unit: Annotated[str | None, typer.Option(help="Unit (default: the indicator's).")] = None,
    kind: Annotated[ValueKind, typer.Option()] = ValueKind.ACTUAL,
    qualifier: Annotated[Qualifier, typer.Option()] = Qualifier.EXACT,
    period_start: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    period_end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    milestone: Annotated[Milestone | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-3.")] = None,
    sex: Annotated[Sex | None, typer.Option()] = None,
    evidence: Annotated[str | None, typer.Option()] = None,
    citation: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Record a result as a draft."""
    with _errors():
        try:
            spec = result_service.ResultSpec(
                work=work,
                indicator=indicator,
                value=value,
                unit=unit,
                kind=kind,
                qualifier=qualifier,
                period_start=period_start,
                period_end=period_end,
                milestone=milestone,
                country=country,
                sex=sex,
                evidence=evidence,
                citation=citation,
            )
        except ValueError as exc:
            raise GreenfolioError(str(exc)) from exc
        rid = result_service.record(_open(db), spec)
        if as_json:
            _print_json({"id": rid, "review_state": "draft"})
        else:
            out.print(f"result {rid} recorded as draft")


def _review(ids: list[int], action: str, note: str | None, db: str | None, as_json: bool) -> None:
    with _errors():
        rows = result_service.apply_review(_open(db), ids, action, note)
        if as_json:
            _print_json(rows)
        else:
            for r in rows:
                out.print(f"result {r['id']}: {r['review_state']}")


@results_app.command("submit")
def results_submit(ids: list[int], as_json: JsonOption = False, db: DbOption = None) -> None:
    """Submit draft or returned results for review."""
    _review(ids, "submit", None, db, as_json)


@results_app.command("verify")
def results_verify(ids: list[int], as_json: JsonOption = False, db: DbOption = None) -> None:
    """Verify submitted results: from now on they count in figures."""
    _review(ids, "verify", None, db, as_json)


@results_app.command("return")
def results_return(
    ids: list[int],
    reason: Annotated[str, typer.Option(help="Why the result goes back to its author.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Return results to their author with a reason; they stop counting in figures."""
    _review(ids, "return", reason, db, as_json)


from greenfolio.interfaces.cli import methods as methods_cli  # noqa: E402

methods_cli.register(app)


from greenfolio.interfaces.cli import exchange as exchange_cli  # noqa: E402

exchange_cli.register(app)


from greenfolio.interfaces.cli import serve as serve_cli  # noqa: E402

serve_cli.register(app)


def main() -> None:
    app()
