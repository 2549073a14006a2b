"""``greenfolio evidence check``: every evidence file the database names, read back from the
evidence folder and hashed again (a backup check: nothing missing, nothing changed)."""

from typing import Annotated

import typer

from greenfolio.interfaces.cli.common import DbOption, ExitCode, errors, out, print_json
from greenfolio.interfaces.cli.db_target import open_db

evidence_app = typer.Typer(help="Evidence files of results.", no_args_is_help=True)


@evidence_app.command("check")
def check(as_json: Annotated[bool, typer.Option("--json")] = False, db: DbOption = None) -> None:
    """Read every evidence file back from the evidence folder and check its SHA-256. Exit
    code 5 if one is missing or changed."""
    from greenfolio.services import evidence
    from greenfolio.services.evidence_store import folder_for, store_for

    with errors():
        database = open_db(db)
        found = evidence.check_store(database, store_for(database))
        if as_json:
            print_json({"checked": found.checked, "problems": found.problems})
        else:
            where = folder_for(database)
            state = "all intact" if not found.problems else f"{len(found.problems)} wanting"
            files = "evidence file" if found.checked == 1 else "evidence files"
            out.print(f"{found.checked} {files} in {where}: {state}", highlight=False)
            for problem in found.problems:
                out.print(f"  - {problem}", highlight=False)
    if found.problems:
        raise typer.Exit(ExitCode.WANTING)
