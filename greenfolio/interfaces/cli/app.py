"""``greenfolio``: the command line. It parses options, calls services and prints.

Exit codes: see ``common.EXIT_CODES`` (also printed by ``greenfolio --help``).
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.cli.common import (
    DbOption,
    JsonOption,
    err,
    errors,
    escape,
    exit_code_help,
    number,
    out,
    pipe_closed,
    print_json,
    progress,
    split_choices,
    table,
    use_numbers_command,
    warn,
)
from greenfolio.interfaces.cli.db_target import connect, open_db, require_folder
from greenfolio.interfaces.cli.lazy import Lazy, LazyGroup
from greenfolio.interfaces.cli.out_paths import out_folder

if TYPE_CHECKING:
    pass

# Only Typer, Rich and the option types are imported here, so that building the app and
# printing --help stay quick: each command imports the services it calls when it runs
# (tests/test_cli_imports.py checks which modules --help loads).

_CLI = "greenfolio.interfaces.cli"


class GreenfolioGroup(LazyGroup):
    """The ``greenfolio`` command: the groups defined in modules of their own are imported
    when used (see ``lazy``); their summaries here are what ``greenfolio --help`` lists."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; an option value typer's conversion refused is said in words
        (pydantic's own text read "Value error, …" or "Input should be a valid number,
        unable to parse string as a number"). Output whose reader has gone (``| head``)
        ends the command quietly (``pipe_closed``)."""
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a closed pipe shows here, not as Python exits
        except BrokenPipeError as exc:
            raise typer.Exit(pipe_closed()) from exc
        except typer.BadParameter as exc:
            errors = getattr(exc.__cause__, "errors", None)
            found = errors() if callable(errors) else None
            if found:
                from greenfolio.domain.errors import describe_value

                exc.message = describe_value(found[0])
            raise

    lazy: ClassVar[dict[str, Lazy]] = {
        "demo": Lazy(
            f"{_CLI}.app",
            "demo_app",
            "Create the demo portfolio and write the 2021 Board report (zh, en; HTML, DOCX).",
            single=True,
        ),
        "figures": Lazy(
            f"{_CLI}.app",
            "figures_app",
            "Every figure of a report with its value, unit and provenance.",
            single=True,
        ),
        "explain": Lazy(
            f"{_CLI}.app",
            "explain_app",
            "How a figure was computed: query, parameters, results, method runs, evidence.",
            single=True,
        ),
        "db": Lazy(f"{_CLI}.app", "db_app", "Create or migrate the database."),
        "report": Lazy(f"{_CLI}.report", "report_app", "Build governing-body reports."),
        "indicators": Lazy(f"{_CLI}.app", "indicators_app", "The indicator registry."),
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
        "worker": Lazy(
            f"{_CLI}.serve",
            "worker_app",
            "Run queued report builds (for any server on the same database) until interrupted.",
            single=True,
        ),
        "users": Lazy(f"{_CLI}.serve", "users_app", "Accounts and their scoped roles."),
        "tokens": Lazy(f"{_CLI}.tokens", "tokens_app", "API tokens for scripts."),
        "audit": Lazy(f"{_CLI}.serve", "audit_app", "The hash-chained audit trail."),
        "evidence": Lazy(f"{_CLI}.evidence", "evidence_app", "Evidence files of results."),
        "mail": Lazy(
            f"{_CLI}.mail",
            "mail_app",
            "Email notifications: send what is waiting, show the outbox.",
        ),
        "results": Lazy(f"{_CLI}.results", "results_app", "Record and review results."),
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
        "worker",
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
        "evidence",
        "mail",
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
indicators_app = typer.Typer(help="The indicator registry.", no_args_is_help=True)
demo_app = typer.Typer()
figures_app = typer.Typer()
explain_app = typer.Typer()
# Every command and group of this module is listed in GreenfolioGroup.lazy and built (its
# options resolved by Typer) when used, not registered on ``app`` (where Typer would build
# them all for every command run).


def _version(asked: bool) -> None:
    """``--version``: the installed package's version (its metadata), then stop."""
    if not asked:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("greenfolio")
    except PackageNotFoundError:
        found = "unknown (the package is not installed: run ./scripts/demo or pip install .)"
    try:
        sys.stdout.write(f"greenfolio {found}\n")
        sys.stdout.flush()
    except BrokenPipeError as exc:
        raise typer.Exit(pipe_closed()) from exc
    raise typer.Exit(0)


@app.callback()
def _root(
    _shown: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_version,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Greenfolio's commands are listed in GreenfolioGroup.lazy."""
    from greenfolio.interfaces.cli.common import fresh_consoles

    fresh_consoles()


def _demo_refused(exc: Exception, db: str | None) -> Exception:
    """The refusal with the demo's own next step after entries of one's own: what is there
    opens with serve, the demo is not needed for it."""
    from greenfolio.interfaces.cli import demo_guide
    from greenfolio.services import demo as demo_service

    return demo_service.DemoRefused(
        f"{exc}. To open what the database holds now: "
        f"{demo_guide.command_name()} serve" + (f" --db {db}" if db else "")
    )


@demo_app.command()
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
    from greenfolio.interfaces.cli.report import build_reports
    from greenfolio.services import audit, synthetic
    from greenfolio.services import demo as demo_service

    with errors():
        langs = split_choices(lang, UN_LANGUAGES, "language")
        formats = report_files.check_formats(split_choices(fmt, report_files.FORMATS, "format"))
        out_folder(out_dir)
        database = open_db(db, upgrade=True)
        err.print(f"database: {database.url}", highlight=False)
        # the accounts first: the audit trail then has them made before they enter and
        # verify the demo's results (an auditor read results entered by accounts not yet
        # made)
        try:
            demo_service.check(database, reset)
        except demo_service.DemoRefused as exc:
            raise _demo_refused(exc, db) from None
        admin = demo_guide.ensure_admin(database, out_dir)
        team = demo_guide.ensure_team(database, out_dir)
        with progress() as bar:
            task = bar.add_task("loading demo portfolio", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                counts = demo_service.load(database, progress=step, reset=reset)
            except demo_service.DemoRefused as exc:
                raise _demo_refused(exc, db) from None
            if synthetic_projects:
                gen = bar.add_task("synthetic projects", total=synthetic_projects)
                with audit.acting_as(demo_service.DEMO_ACTOR):
                    made = synthetic.generate(
                        database, synthetic_projects, progress=lambda n: bar.advance(gen, n)
                    )
        if reset:
            out.print(demo_guide.removed(counts), highlight=False)
        out.print(
            f"demo portfolio: {counts['work']} work items, {counts['results']} verified results, "
            f"{counts['organisations']} organisations"
        )
        if synthetic_projects:
            out.print(
                f"synthetic projects: {synthetic_projects} more, with {made} made-up results "
                "(to try the lists and their speed at scale)"
            )
        for path in build_reports(database, "board", year, langs, formats, out_dir):
            out.print(f"wrote {path}", highlight=False)
        out.print(
            demo_guide.next_steps(admin, db, host, port, team, demo_guide.command_name()),
            highlight=False,
        )
    if serve:
        from greenfolio.interfaces.cli.serve import run_server

        run_server(database, host, port)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema and load the packaged classifications and indicators."""
    from greenfolio.services import reference

    with errors():
        require_folder(db)
        database = connect(db)
        revision = database.upgrade()
        terms, inds = reference.sync(database)
        out.print(
            f"{database.url}: schema at revision {revision}; {terms} classification terms and "
            f"{inds} indicators loaded",
            highlight=False,
        )


@figures_app.command()
def figures(
    year: Annotated[int, typer.Option(help="Report year.")],
    definition: Annotated[str, typer.Option(help="Report definition.")] = "board",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every figure of a report with its value, unit and provenance."""
    from greenfolio.interfaces.cli.words import counted, countries, said
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
        grid = table("figure", "value", "unit", "qualifier", "results", wrap=("value", "unit"))
        for fig in values.values():
            shown = (
                countries(fig.items) if fig.items and fig.unit == "country" else number(fig.value)
            )
            grid.add_row(
                fig.id,
                shown,
                counted(fig.unit, fig.value),
                said("qualifier", fig.qualifier.value),
                str(len(fig.result_ids)),
            )
        out.print(grid)
        if not any(fig.result_ids for fig in values.values()):
            warn(f"no verified result falls in the periods of report {definition!r} for {year}")


@explain_app.command()
def explain(
    figure_id: Annotated[str, typer.Argument(help="A figure id, e.g. pops_destroyed.")],
    year: Annotated[int, typer.Option(help="Report year.")] = 2021,
    definition: Annotated[str, typer.Option(help="Report definition.")] = "board",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """How a figure was computed: query, parameters, results, method runs, evidence."""
    import json

    from greenfolio.interfaces.cli.words import counted, countries, said
    from greenfolio.services import explain as explain_service

    with errors():
        data = explain_service.explain(open_db(db), definition, year, figure_id)
        if as_json:
            print_json(data)
            return
        unit = counted(data["unit"], data["value"])
        qualifier = said("qualifier", data["qualifier"]).lower()  # "(more than)", in a line
        out.print(f"[bold]{figure_id}[/] = {number(data['value'])} {escape(unit)} ({qualifier})")
        out.print(
            f"query: {data['query']}  parameters: {json.dumps(data['parameters'])}", highlight=False
        )
        if data["period"]:
            out.print(
                f"period: {data['period']['start']} to {data['period']['end']}", highlight=False
            )
        if data["items"]:
            country = data["unit"] == "country"
            items = countries(data["items"]) if country else ", ".join(data["items"])
            out.print(f"items: {items}", highlight=False)
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
                counted(r["unit"], r["value"]),
                r["period_end"] or "",
                r["evidence"] or r["citation"] or "",
            )
        out.print(grid)
        for run in data["method_runs"]:
            out.print(
                f"method run {run['run_id']}: {said('method', run['method'])} "
                f"(version {run['method_version']}), "
                f"reference data {run['refdata_version']}",
                highlight=False,
            )
        for r in data["results"]:
            for f in r.get("evidence_files", []):
                out.print(
                    f"evidence of result {r['id']}: file {f['id']} {f['filename']} "
                    f"sha256 {f['sha256']}",
                    highlight=False,
                )


@indicators_app.command("list")
def indicators_list(
    lang: Annotated[str, typer.Option(help="Language of the names.")] = "en",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every indicator with its unit and aggregation rule."""
    from greenfolio.interfaces.cli.words import said
    from greenfolio.services import reference

    with errors():
        split_choices(lang, UN_LANGUAGES, "language")
        database = open_db(db)
        rows = reference.listing(database)
        if as_json:
            print_json(rows)
            return
        grid = table("code", "name", "unit", "rule", "GEF", wrap=("name", "rule"))
        for row in rows:
            grid.add_row(
                row["code"],
                row["names"].get(lang, ""),
                said("unit", row["unit"]),
                said("aggregation", row["aggregation"]),
                row["gef_core_indicator"] or "",
            )
        out.print(grid)


use_numbers_command(app)


def main() -> None:
    app(args=_help_for_bare_groups(sys.argv[1:]))


def _help_for_bare_groups(args: list[str]) -> list[str]:
    """``greenfolio`` or ``greenfolio report`` alone asks what there is to do: its help,
    exit 0 (click answers such a call with its help and exit 2, the code of invalid input
    in the README's table, a newcomer found)."""
    if any(arg.startswith("-") for arg in args) or len(args) > 2:
        return args  # options or a command's arguments: nothing bare here
    import typer.main

    command: Any = typer.main.get_command(app)
    for arg in args:
        if not hasattr(command, "get_command"):
            return args
        ctx = command.make_context("greenfolio", [], resilient_parsing=True)
        found = command.get_command(ctx, arg)
        if found is None:
            return args
        command = found
    return [*args, "--help"] if hasattr(command, "get_command") else args


if __name__ == "__main__":  # python -m greenfolio.interfaces.cli.app
    # The commands listed lazily are looked up in this module by its name: run the module
    # imported under that name, whose commands are the ones found.
    from greenfolio.interfaces.cli import app as named

    named.main()
