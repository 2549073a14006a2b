"""``greenfolio work list``: find work items and their keys from the shell."""

from typing import Annotated

import typer

from greenfolio.domain.work import WorkKind, WorkStatus
from greenfolio.interfaces.cli.common import DbOption, JsonOption, errors, out, print_json, table
from greenfolio.interfaces.cli.db_target import open_db
from greenfolio.interfaces.cli.words import typed_choice

work_app = typer.Typer(help="Projects and other work items.", no_args_is_help=True)


@work_app.command("list")
def work_list(
    q: Annotated[str | None, typer.Option("--q", help="Text in the key or title.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-3, e.g. NGA.")] = None,
    programme: Annotated[
        str | None, typer.Option(help="Programme code, e.g. pops or e_mobility.")
    ] = None,
    focus_area: Annotated[str | None, typer.Option(help="Focus area code.")] = None,
    convention: Annotated[str | None, typer.Option(help="montreal, stockholm, minamata …")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="Activity status, as the list prints it or by code: pipeline, "
            "implementation, finalisation, closed, cancelled, suspended.",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Kind of work, as the list prints it or by code: project, programme, "
            "publication, event, policy, alliance, accreditation.",
        ),
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="With a result whose period ends in this year.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 100,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Work items by key, filtered like the web's project list."""
    from greenfolio.interfaces.cli.words import said
    from greenfolio.services import worklist
    from greenfolio.services.explorer import ProjectFilter

    with errors():
        flt = ProjectFilter(
            q=q,
            country=country,
            programme=programme,
            focus_area=focus_area,
            convention=convention,
            status=typed_choice("--status", "status", WorkStatus, status),
            kind=typed_choice("--kind", "work_kind", WorkKind, kind),
            year=year,
        )
        found = worklist.listing(open_db(db), flt, limit)
        if as_json:
            print_json(found.as_dict())
            return
        grid = table("key", "kind", "status", "countries", "title", wrap=("title",))
        for item in found.items:
            grid.add_row(
                item["key"],
                said("work_kind", item["kind"]),
                said("status", item["status"]),
                ", ".join(item["countries"]),
                item["title"],
            )
        out.print(grid)
        shown = len(found.items)
        more = f" (showing {shown}; --limit for more)" if shown < found.total else ""
        out.print(f"{found.total} work item(s){more}", highlight=False)
