"""``greenfolio report …``: build governing-body reports, and prune the files that report
jobs (asked for on the reports page or through the API) keep in the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.cli.common import DbOption, errors, out, progress, split_choices
from greenfolio.interfaces.cli.db_target import open_db
from greenfolio.interfaces.cli.out_paths import out_folder

if TYPE_CHECKING:
    from greenfolio.services.database import Database

report_app = typer.Typer(help="Build governing-body reports.", no_args_is_help=True)


def build_reports(
    db: Database,
    definition: str,
    year: int,
    langs: list[str],
    formats: list[str],
    out_dir: Path,
    session_fields: dict[str, Any] | None = None,
) -> list[Path]:
    """Every language and format of a report, with a progress bar."""
    from greenfolio.interfaces import report_files

    with progress() as bar:
        task = bar.add_task("computing figures", total=1 + len(langs) * (1 + len(formats)))

        def step(description: str) -> None:
            bar.update(task, description=description, advance=1)

        return report_files.write_all(
            db, definition, year, langs, formats, out_dir, step, session_fields
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
    symbol: Annotated[
        str | None,
        typer.Option(help="The document's symbol once registered, e.g. IDB.49/8 (header)."),
    ] = None,
    issued: Annotated[
        str | None, typer.Option(help="Its date of issue, YYYY-MM-DD (header).")
    ] = None,
    original_language: Annotated[
        str | None,
        typer.Option(help="The language it was written in: ar, zh, en, fr, ru or es (header)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Build a report from verified results, with a provenance file beside each document.

    The header prints what the report's definition gives for the session; a symbol, date
    of issue and original language known only later are given with --symbol, --issued and
    --original-language.
    """
    from greenfolio.interfaces import report_files
    from greenfolio.services.document_form import given_fields

    with errors():
        langs = split_choices(lang, UN_LANGUAGES, "language")
        formats = report_files.check_formats(split_choices(fmt, report_files.FORMATS, "format"))
        header = given_fields(symbol, issued, original_language)
        if header:  # checked against the definition before any folder is made
            from greenfolio.services.report_definition import load_definition

            load_definition(definition).with_session_fields(year, header)
        out_folder(out_dir)
        database = open_db(db)
        built = build_reports(database, definition, year, langs, formats, out_dir, header)
        for path in built:
            out.print(f"wrote {path}", highlight=False)


@report_app.command("prune")
def report_prune(
    keep: Annotated[
        int,
        typer.Option(
            min=1,
            help="How many finished builds to keep of each report, year, languages and formats.",
        ),
    ] = 5,
    db: DbOption = None,
) -> None:
    """Delete the files of older finished report builds (the reports page and the API keep
    every build's documents in the database), keeping the newest of each report, year,
    languages and formats.

    Builds waiting, being built or failed are never touched. Nothing else is deleted.
    """
    from greenfolio.services import report_jobs

    with errors():
        jobs, size = report_jobs.prune(open_db(db), keep)
        if not jobs:
            out.print(
                f"Nothing to delete: no report has more than {keep} finished builds of one kind."
            )
            return
        megabytes = size / 1_000_000
        out.print(
            f"Deleted {jobs} older report build{'s' if jobs != 1 else ''} and their files "
            f"({megabytes:,.1f} MB); the newest {keep} of each report, year, languages and "
            "formats are kept."
        )
