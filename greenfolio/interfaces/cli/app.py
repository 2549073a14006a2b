"""``greenfolio``: the command line. It parses options, calls services and prints.

Exit codes: see ``common.EXIT_CODES`` (also printed by ``greenfolio --help``).
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar

import typer

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.results import Milestone, Qualifier, ReviewState, Sex, ValueKind
from greenfolio.interfaces.cli.common import (
    DbOption,
    JsonOption,
    connect,
    err,
    errors,
    exit_code_help,
    number,
    open_db,
    out,
    print_json,
    progress,
    split_choices,
    table,
    use_numbers_command,
    warn,
)
from greenfolio.interfaces.cli.lazy import Lazy, LazyGroup
from greenfolio.interfaces.cli.passwords import PasswordFileOption

if TYPE_CHECKING:
    from greenfolio.services.database import Database

# Only Typer, Rich and the option types are imported here, so that building the app and
# printing --help stay quick: each command imports the services it calls when it runs
# (tests/test_cli_imports.py checks which modules --help loads).

_CLI = "greenfolio.interfaces.cli"


class GreenfolioGroup(LazyGroup):
    """The ``greenfolio`` command: the groups defined in modules of their own are imported
    when used (see ``lazy``); their summaries here are what ``greenfolio --help`` lists."""

    lazy: ClassVar[dict[str, Lazy]] = {
        "serve": Lazy(
            f"{_CLI}.serve",
            "serve_app",
            "Run the web application and the REST API (/api/v1) on one server.",
            single=True,
        ),
        "methods": Lazy(
            f"{_CLI}.methods",
            "methods_app",
            "Calculation methods (Montreal, Stockholm, Minamata, GHG).",
        ),
        "import": Lazy(
            f"{_CLI}.exchange",
            "import_app",
            "Import portfolios: IATI XML, Multilateral Fund progress reports, XLSX templates.",
        ),
        "export": Lazy(f"{_CLI}.exchange", "export_app", "Export the portfolio (IATI 2.03 XML)."),
        "template": Lazy(f"{_CLI}.exchange", "template_app", "Write data-entry templates."),
        "users": Lazy(f"{_CLI}.serve", "users_app", "Accounts and their scoped roles."),
        "tokens": Lazy(f"{_CLI}.serve", "tokens_app", "API tokens for scripts."),
        "audit": Lazy(f"{_CLI}.serve", "audit_app", "The hash-chained audit trail."),
        "work": Lazy(f"{_CLI}.work", "work_app", "Projects and other work items."),
        "validate": Lazy(
            f"{_CLI}.validate",
            "validate_app",
            "Check files against published rules (nothing is imported).",
        ),
    }
    order = (
        "demo",
        "figures",
        "explain",
        "serve",
        "db",
        "report",
        "indicators",
        "results",
        "methods",
        "import",
        "export",
        "template",
        "users",
        "tokens",
        "audit",
        "work",
        "validate",
    )


app = typer.Typer(
    cls=GreenfolioGroup,
    help="Greenfolio: portfolio, verified results and multilingual reports for environment "
    "and energy programmes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    epilog=exit_code_help(),
)
db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
report_app = typer.Typer(help="Build governing-body reports.", no_args_is_help=True)
indicators_app = typer.Typer(help="The indicator registry.", no_args_is_help=True)
results_app = typer.Typer(help="Record and review results.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(report_app, name="report")
app.add_typer(indicators_app, name="indicators")
app.add_typer(results_app, name="results")


def _build_reports(
    db: "Database", definition: str, year: int, langs: list[str], formats: list[str], out_dir: Path
) -> list[Path]:
    """Every language and format of a report, with a progress bar."""
    from greenfolio.interfaces import report_files

    with progress() as bar:
        task = bar.add_task("computing figures", total=1 + len(langs) * (1 + len(formats)))

        def step(description: str) -> None:
            bar.update(task, description=description, advance=1)

        return report_files.write_all(db, definition, year, langs, formats, out_dir, step)


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
    reset: Annotated[
        bool,
        typer.Option(
            "--reset",
            help="Remove every work item, result and method run first, even ones the demo "
            "did not write (accounts and the audit trail are kept).",
        ),
    ] = False,
) -> None:
    """Create the demo portfolio and write the 2021 Board report (zh, en; HTML, DOCX).

    A database holding only the demo's records is rebuilt; one holding anything else is
    refused unless --reset.
    """
    from greenfolio.interfaces import report_files
    from greenfolio.interfaces.cli import demo_guide
    from greenfolio.services import audit, synthetic
    from greenfolio.services import demo as demo_service

    with errors():
        langs = split_choices(lang, UN_LANGUAGES, "language")
        formats = report_files.check_formats(split_choices(fmt, report_files.FORMATS, "format"))
        database = open_db(db, upgrade=True)
        err.print(f"database: {database.url}", highlight=False)
        with progress() as bar:
            task = bar.add_task("loading demo portfolio", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            counts = demo_service.load(database, progress=step, reset=reset)
            if synthetic_projects:
                gen = bar.add_task("synthetic projects", total=synthetic_projects)
                with audit.acting_as(demo_service.DEMO_ACTOR):
                    synthetic.generate(
                        database, synthetic_projects, progress=lambda n: bar.advance(gen, n)
                    )
        if reset:
            out.print(demo_guide.removed(counts), highlight=False)
        out.print(
            f"demo portfolio: {counts['work']} work items, {counts['results']} verified results, "
            f"{counts['organisations']} organisations"
        )
        for path in _build_reports(database, "board", year, langs, formats, out_dir):
            out.print(f"wrote {path}", highlight=False)
        admin = demo_guide.ensure_admin(database, out_dir)
        out.print(demo_guide.next_steps(admin, db, host, port), highlight=False)
    if serve:
        from greenfolio.interfaces.cli.serve import run_server

        run_server(database, host, port)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema and load the packaged classifications and indicators."""
    from greenfolio.services import reference

    with errors():
        database = connect(db)
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
    from greenfolio.interfaces import report_files

    with errors():
        langs = split_choices(lang, UN_LANGUAGES, "language")
        formats = report_files.check_formats(split_choices(fmt, report_files.FORMATS, "format"))
        database = open_db(db)
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
    from greenfolio.services import reporting
    from greenfolio.services.report_definition import load_definition

    with errors():
        database = open_db(db)
        values = reporting.compute_figures(database, load_definition(definition), year)
        if as_json:
            print_json(
                {
                    "report": definition,
                    "year": year,
                    "figures": [f.provenance() for f in values.values()],
                }
            )
            return
        grid = table("figure", "value", "unit", "qualifier", "results", wrap=("value",))
        for fig in values.values():
            shown = (
                ", ".join(fig.items) if fig.items and fig.unit == "country" else number(fig.value)
            )
            grid.add_row(fig.id, shown, fig.unit, fig.qualifier.value, str(len(fig.result_ids)))
        out.print(grid)
        if not any(fig.result_ids for fig in values.values()):
            warn(f"no verified result falls in the periods of report {definition!r} for {year}")


@app.command()
def explain(
    figure_id: Annotated[str, typer.Argument(help="A figure id, e.g. pops_destroyed.")],
    year: Annotated[int, typer.Option(help="Report year.")] = 2021,
    definition: Annotated[str, typer.Option(help="Report definition.")] = "board",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """How a figure was computed: query, parameters, results, method runs, evidence."""
    from greenfolio.services import explain as explain_service

    with errors():
        data = explain_service.explain(open_db(db), definition, year, figure_id)
        if as_json:
            print_json(data)
            return
        out.print(
            f"[bold]{figure_id}[/] = {number(data['value'])} {data['unit']} ({data['qualifier']})"
        )
        out.print(
            f"query: {data['query']}  parameters: {json.dumps(data['parameters'])}", highlight=False
        )
        if data["period"]:
            out.print(
                f"period: {data['period']['start']} to {data['period']['end']}", highlight=False
            )
        if data["items"]:
            out.print(f"items: {', '.join(data['items'])}", highlight=False)
        grid = table(
            "result",
            "work",
            "value",
            "unit",
            "period end",
            "citation / evidence",
            wrap=("citation / evidence",),
        )
        for r in data["results"]:
            grid.add_row(
                str(r["id"]),
                r["work"],
                number(r["value"]),
                r["unit"],
                r["period_end"] or "",
                r["evidence"] or r["citation"] or "",
            )
        out.print(grid)
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
    from greenfolio.services import reference

    with errors():
        split_choices(lang, UN_LANGUAGES, "language")
        database = open_db(db)
        rows = reference.listing(database)
        if as_json:
            print_json(rows)
            return
        grid = table("code", "name", "unit", "rule", "GEF", wrap=("name",))
        for row in rows:
            grid.add_row(
                row["code"],
                row["names"].get(lang, ""),
                row["unit"],
                row["aggregation"],
                row["gef_core_indicator"] or "",
            )
        out.print(grid)


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
    from greenfolio.services import results as result_service

    with errors():
        rows = result_service.listing(open_db(db), indicator, state, work, limit)
        if as_json:
            print_json(rows)
            return
        grid = table("id", "work", "indicator", "value", "unit", "state", "period end")
        for r in rows:
            grid.add_row(
                str(r["id"]),
                r["work"],
                r["indicator"],
                number(r["value"]),
                r["unit"],
                r["review_state"],
                r["period_end"] or "",
            )
        out.print(grid)


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
    from greenfolio.services import coverage
    from greenfolio.services import results as result_service

    with errors():
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
        database = open_db(db)
        rid = result_service.record(database, spec)
        if as_json:
            print_json({"id": rid, "review_state": "draft"})
        else:
            out.print(f"result {rid} recorded as draft")
        for text in coverage.warnings(database, [rid]).values():
            warn(text)


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this Greenfolio account (its password from --password-file, "
        "$GREENFOLIO_PASSWORD or a prompt); its role and scope are checked. Without it the "
        "change is made as the operating-system user (cli:NAME).",
    ),
]


def _review(
    ids: list[int],
    action: str,
    note: str | None,
    db: str | None,
    as_json: bool,
    username: str | None = None,
    password_file: Path | None = None,
) -> None:
    """Apply a review action, as the operating-system user or signed in as ``username``."""
    from greenfolio.services import coverage
    from greenfolio.services import results as result_service

    with errors():
        database = open_db(db)
        if username is None:
            rows = result_service.apply_review(database, ids, action, note)
        else:
            from greenfolio.interfaces.cli.passwords import sign_in_password
            from greenfolio.services import accounts, entry

            secret = sign_in_password(username, password_file)
            who = accounts.authenticate(database, username, secret, "command line")
            rows = entry.review_results(database, who, ids, action, note)
        if as_json:
            print_json(rows)
        else:
            for r in rows:
                out.print(f"result {r['id']}: {r['review_state']}")
        if action in ("submit", "verify"):
            for text in coverage.warnings(database, ids).values():
                warn(text)


@results_app.command("submit")
def results_submit(
    ids: list[int],
    as_user: AsOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Submit draft or returned results for review."""
    _review(ids, "submit", None, db, as_json, as_user, password_file)


@results_app.command("verify")
def results_verify(
    ids: list[int],
    as_user: AsOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Verify submitted results: from now on they count in figures. Whoever entered,
    revised or submitted a result cannot verify it: someone else must (``--as``)."""
    _review(ids, "verify", None, db, as_json, as_user, password_file)


@results_app.command("return")
def results_return(
    ids: list[int],
    reason: Annotated[str, typer.Option(help="Why the result goes back to its author.")],
    as_user: AsOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Return results to their author with a reason; they stop counting in figures."""
    _review(ids, "return", reason, db, as_json, as_user, password_file)


use_numbers_command(app)


def main() -> None:
    app()


if __name__ == "__main__":  # python -m greenfolio.interfaces.cli.app
    main()
