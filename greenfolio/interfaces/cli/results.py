"""``greenfolio results …``: record results as drafts, list them, and take them through
review (submit, verify, return), as the operating-system user or signed in (``--as``)."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greenfolio.domain.results import Milestone, Qualifier, ReviewState, Sex, ValueKind
from greenfolio.interfaces.cli.common import (
    DbOption,
    JsonOption,
    errors,
    number,
    out,
    print_json,
    table,
    warn,
)
from greenfolio.interfaces.cli.db_target import open_db
from greenfolio.interfaces.cli.passwords import SignInPasswordFileOption

if TYPE_CHECKING:
    from rich.text import Text

results_app = typer.Typer(help="Record and review results.", no_args_is_help=True)


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
    from greenfolio.interfaces.cli.words import counted, said, sex_of
    from greenfolio.services import results as result_service

    with errors():
        rows = result_service.listing(open_db(db), indicator, state, work, limit)
        if as_json:
            print_json(rows)
            return
        if not rows:
            asked = [
                f"indicator {indicator}" if indicator else "",
                f"state {said('state', state.value)}" if state else "",
                f"work item {work}" if work else "",
            ]
            which = ", ".join(a for a in asked if a)
            out.print(f"No results{f' with {which}' if which else ''}.")
            return
        grid = table(
            "id", "work", "indicator", "value", "unit", "kind", "sex", "state", "period end"
        )
        for r in rows:
            grid.add_row(
                str(r["id"]),
                r["work"],
                _indicator(r["indicator"], r.get("indicator_name")),
                number(r["value"]),
                counted(r["unit"], r["value"]),
                said("value_kind", r["kind"]),
                sex_of(r["sex"]),
                said("state", r["review_state"]),
                r["period_end"] or "",
            )
        out.print(grid)
        if len(rows) == limit:
            warn(f"showing the first {limit} results (oldest first); --limit shows more.")


def _indicator(code: str, name: str | None) -> "Text":
    """An indicator as the list shows it: its code, and the title of one an IATI file
    brought (whose code, ``iati.<hash>.<n>.<m>``, says nothing) above it."""
    from rich.text import Text

    if name and code.startswith("iati."):
        return Text.assemble(name, "\n", (code, "dim"))
    return Text(code)


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this Greenfolio account (its password from --password-file, "
        "$GREENFOLIO_PASSWORD or a prompt); its role and scope are checked. Without it the "
        "change is made as the operating-system user (cli:NAME).",
    ),
]


@results_app.command("add")
def results_add(
    work: Annotated[str, typer.Option(help="Work item key.")],
    indicator: Annotated[str, typer.Option(help="Indicator code.")],
    value: Annotated[float, typer.Option(help="The value.")],
    unit: Annotated[
        str | None,
        typer.Option(
            help="Unit (default: the indicator's): a unit code or the word a list prints "
            'for it ("t", "ODP t", "countries").'
        ),
    ] = None,
    kind: Annotated[ValueKind, typer.Option()] = ValueKind.ACTUAL,
    qualifier: Annotated[
        Qualifier,
        typer.Option(
            help='How the source states the value: exact, more_than ("more than 300") or '
            'about ("about 72 million").'
        ),
    ] = Qualifier.EXACT,
    period_start: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    period_end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    milestone: Annotated[Milestone | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-3.")] = None,
    sex: Annotated[Sex | None, typer.Option()] = None,
    evidence: Annotated[
        str | None,
        typer.Option(help="Where the evidence is: a document, a link (files: the result's page)."),
    ] = None,
    citation: Annotated[
        str | None, typer.Option(help='The source of the figure, e.g. "IDB.49/8, para. 10".')
    ] = None,
    as_user: AsOption = None,
    password_file: SignInPasswordFileOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Record a result as a draft (as the operating-system user, or signed in with --as)."""
    from greenfolio.interfaces.cli.words import unit_code
    from greenfolio.services import coverage
    from greenfolio.services import results as result_service

    with errors():
        spec = result_service.ResultSpec(
            work=work,
            indicator=indicator,
            value=value,
            unit=unit_code(unit) if unit else None,
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
        if as_user is None:
            rid = result_service.record(database, spec)
        else:
            from greenfolio.services import entry

            rid = int(
                entry.create_result(database, _sign_in(database, as_user, password_file), spec)[
                    "id"
                ]
            )
        if as_json:
            print_json({"id": rid, "review_state": "draft"})
        else:
            out.print(f"result {rid} recorded as draft")
        for text in coverage.warnings(database, [rid]).values():
            warn(text)


def _sign_in(database: Any, username: str, password_file: Path | None) -> Any:
    """The account ``username`` signed in with its password (file, environment, prompt)."""
    from greenfolio.interfaces.cli.passwords import sign_in_password
    from greenfolio.services import accounts

    secret = sign_in_password(username, password_file)
    return accounts.authenticate(database, username, secret, "command line")


def _review(
    ids: list[int],
    action: str,
    note: str | None,
    db: str | None,
    as_json: bool,
    username: str | None = None,
    password_file: Path | None = None,
    breakdown_checked: bool = False,
) -> None:
    """Apply a review action, as the operating-system user or signed in as ``username``."""
    from greenfolio.domain.errors import GreenfolioError
    from greenfolio.interfaces.cli.words import said
    from greenfolio.services import coverage, entry

    with errors():
        database = open_db(db)
        try:
            if username is None:
                rows = entry.review_as_operator(database, ids, action, note, breakdown_checked)
            else:
                who = _sign_in(database, username, password_file)
                rows = entry.review_results(database, who, ids, action, note, breakdown_checked)
        except GreenfolioError as exc:
            if len(ids) > 1:  # all or none: say that the others were left as they were too
                exc.args = (f"{exc}; nothing was changed: the {len(ids)} results are reviewed "
                            "all together or not at all",)  # fmt: skip
            raise
        if as_json:
            print_json(rows)
        else:
            for r in rows:
                out.print(f"result {r['id']}: {said('state', r['review_state'])}")
        if action in ("submit", "verify"):
            for text in coverage.warnings(database, ids).values():
                warn(text)


@results_app.command("submit")
def results_submit(
    ids: list[int],
    as_user: AsOption = None,
    password_file: SignInPasswordFileOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Submit draft or returned results for review."""
    _review(ids, "submit", None, db, as_json, as_user, password_file)


@results_app.command("verify")
def results_verify(
    ids: list[int],
    as_user: AsOption = None,
    password_file: SignInPasswordFileOption = None,
    breakdown_checked: Annotated[
        bool,
        typer.Option(
            "--breakdown-checked",
            help="Verify also results whose breakdown by sex adds up to more than their "
            "total, once the figures are checked (without it they are refused).",
        ),
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Verify submitted results: from now on they count in figures. Whoever entered,
    revised or submitted a result cannot verify it: someone else must (see --as)."""
    _review(ids, "verify", None, db, as_json, as_user, password_file, breakdown_checked)


@results_app.command("return")
def results_return(
    ids: list[int],
    reason: Annotated[str, typer.Option(help="Why the result goes back to its author.")],
    as_user: AsOption = None,
    password_file: SignInPasswordFileOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Return results to their author with a reason; they stop counting in figures."""
    _review(ids, "return", reason, db, as_json, as_user, password_file)
