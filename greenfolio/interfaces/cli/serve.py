"""``greenfolio serve``, ``users …`` and ``audit verify|head``: run the web
application and API, manage accounts from the shell, and check the audit trail.

Changes made from the command line are recorded in the audit trail as
``cli:<operating-system user>``.
"""

import errno
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.interfaces.cli.common import DbOption, ExitCode, err, errors, out, print_json, table
from greenfolio.interfaces.cli.db_target import open_db, shown_db
from greenfolio.interfaces.cli.passwords import PasswordFileOption, PasswordOption, read_password

if TYPE_CHECKING:
    from greenfolio.services.account_links import Link
    from greenfolio.services.audit import ChainReport
    from greenfolio.services.database import Database

# The account and audit services (and with them the database layer) are imported by the
# commands when they run; the server stack (uvicorn, FastAPI) by ``run_server``.

serve_app = typer.Typer()
"""``greenfolio serve`` (an app of one command, so that it can be loaded when used)."""
worker_app = typer.Typer()
"""``greenfolio worker``: report builds queued by any server."""
users_app = typer.Typer(help="Accounts and their scoped roles.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)

HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def run_server(
    database: "Database",
    host: str,
    port: int,
    public: bool = False,
    workers: int = 1,
    tls: tuple[str, str] | None = None,
    jobs: bool = True,
) -> None:
    """Serve the web pages and the API until interrupted (over TLS with a certificate and
    key; session cookies are then marked Secure); with ``jobs``, run queued report builds
    in a thread beside them."""
    from greenfolio.interfaces.report_worker import Runner

    _check_address(host, port)
    mode = "public read-only mode on" if public else "sign-in required"
    scheme = "https" if tls else "http"
    out.print(f"serving {database.url} at {scheme}://{host}:{port}/ ({mode})", highlight=False)
    out.print(f"API: {scheme}://{host}:{port}/api/v1/openapi.json", highlight=False)
    options: dict[str, Any] = {"proxy_headers": True, "log_level": "warning"}
    if tls:
        options.update(ssl_certfile=tls[0], ssl_keyfile=tls[1])
    runner = Runner(database) if jobs else None
    if runner is not None:
        # the name this process claims jobs under (stored on each job it builds)
        out.print(f"report jobs: built by this server (worker {runner.worker})", highlight=False)
        runner.start()
    try:
        _run_uvicorn(database, host, port, public, workers, options)
    finally:
        if runner is not None:
            runner.stop()


def _check_address(host: str, port: int) -> None:
    """Refuse, before saying "serving", an address the server cannot listen on (a port
    another program holds, a host this machine does not have): uvicorn's own message came
    after "serving …" and the exit code said "database unreachable"."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        err.print(
            f"[bold red]error:[/] cannot serve on host {host!r}: {exc.strerror or exc}; "
            "give --host an address of this machine (127.0.0.1, or 0.0.0.0 for all).",
            highlight=False,
        )
        raise typer.Exit(ExitCode.INVALID) from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                said = (
                    f"{host} is not an address of this machine: give --host one of its "
                    "addresses (127.0.0.1, or 0.0.0.0 for all)"
                )
            else:
                busy = exc.errno == errno.EADDRINUSE
                why = "is in use by another program" if busy else f"cannot be used ({exc})"
                other = port + 1 if port < 65535 else 8000
                said = (
                    f"port {port} on {host} {why}: stop that program or choose another "
                    f"port, e.g. --port {other}"
                )
            err.print(f"[bold red]error:[/] {said}.", highlight=False)
            raise typer.Exit(ExitCode.INVALID) from exc


def _run_uvicorn(
    database: "Database", host: str, port: int, public: bool, workers: int, options: Any
) -> None:
    import uvicorn

    from greenfolio.interfaces.api.app import ENV_PUBLIC, create_app
    from greenfolio.store.engine import ENV_VAR

    if workers > 1:
        os.environ[ENV_VAR] = database.engine.url.render_as_string(hide_password=False)
        os.environ[ENV_PUBLIC] = "1" if public else "0"
        uvicorn.run(
            "greenfolio.interfaces.api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **options,
        )
        return
    uvicorn.run(create_app(database, public=public), host=host, port=port, **options)


@serve_app.command("serve")
def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    public: Annotated[
        bool, typer.Option("--public/--private", help="Let anonymous visitors read verified data.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    certfile: Annotated[str | None, typer.Option(help="TLS certificate (PEM).")] = None,
    keyfile: Annotated[str | None, typer.Option(help="TLS private key (PEM).")] = None,
    jobs: Annotated[
        bool,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run queued report builds in this process too (--no-jobs: leave them to "
            "other servers or `greenfolio worker`).",
        ),
    ] = True,
) -> None:
    """Run the web application and the REST API (/api/v1) on one server."""
    from greenfolio.services import accounts

    with errors():
        if (certfile is None) != (keyfile is None):
            raise GreenfolioError("give both --certfile and --keyfile to serve over TLS")
        database = open_db(db)
        if not accounts.admins(database):
            err.print(
                "no admin account yet: create one with "
                f"`greenfolio users create-admin --db {shown_db(db)}`",
                highlight=False,
            )
        _say_evidence_folder(database)
    tls = (certfile, keyfile) if certfile and keyfile else None
    run_server(database, host, port, public, workers, tls, jobs)


@worker_app.command("worker")
def worker(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run the queued report builds, then stop.")
    ] = False,
) -> None:
    """Run queued report builds (for any server on the same database) until interrupted."""
    from greenfolio.interfaces.report_worker import Runner, run_waiting, worker_name

    with errors():
        database = open_db(db)
    if once:
        done = run_waiting(database, worker_name())
        out.print(f"report jobs run: {len(done)}", highlight=False)
        return
    runner = Runner(database)
    out.print(f"running report jobs from {database.url} as {runner.worker}", highlight=False)
    runner.start()
    try:
        while runner.is_alive():
            runner.join(1.0)
    except KeyboardInterrupt:
        runner.stop()


def _say_evidence_folder(database: "Database") -> None:
    """Name the folder evidence files go to, or say that it must be set (PostgreSQL)."""
    from greenfolio.services.evidence_store import StoreNotConfigured, folder_for

    try:
        out.print(f"evidence files: {folder_for(database)}", highlight=False)
    except StoreNotConfigured as exc:
        err.print(f"{exc}; until then uploads are refused", highlight=False)


RoleOption = Annotated[Role, typer.Option(help="viewer, editor, reviewer or admin.")]
ScopeOption = Annotated[str, typer.Option(help="all, programme:CODE, country:ISO3 or project:KEY.")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(help="The web application's address (default: $GREENFOLIO_BASE_URL)."),
]


def _grant(role: Role, scope: str) -> Grant:
    return Grant(role, Scope.parse(scope))


def _base_url(given: str | None) -> str | None:
    """The web application's address from --base-url, else $GREENFOLIO_BASE_URL; one
    without http:// or https:// is refused (the link printed would not open)."""
    from greenfolio.services import mailer

    base = (given or mailer.base_url() or "").strip().rstrip("/") or None
    if base is not None and not base.lower().startswith(("http://", "https://")):
        where = "--base-url" if given else "$GREENFOLIO_BASE_URL"
        raise GreenfolioError(
            f"{where} {base!r} is not a web address: write it with http:// or https://, "
            "e.g. https://greenfolio.example.org"
        )
    return base


def _print_link(done: str, link: "Link", base: str | None) -> None:
    """What a reset or an invitation prints: the one-time link, until when, and whether
    it was mailed too."""
    from greenfolio.services import account_links

    shown = link.url(base) if base else f"{account_links.LINK_PATH}{link.secret}"
    out.print(
        f"{done}; give them this link (it works once, until "
        f"{link.expires_at:%Y-%m-%d %H:%M} UTC): {shown}"
        + (" (also sent by email)" if link.mailed else ""),
        highlight=False,
        soft_wrap=True,
    )
    if not base:
        err.print(
            f"That is the link's path only: put the web application's address before "
            f"it (e.g. http://127.0.0.1:8000{account_links.LINK_PATH}…, as `greenfolio "
            "serve` listens by default), or give --base-url https://your-server (or set "
            "$GREENFOLIO_BASE_URL) to have the whole link printed.",
            highlight=False,
        )


@users_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="User name.")] = "admin",
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
    db: DbOption = None,
) -> None:
    """Create the first admin (admin on everything); prints the password if generated."""
    from greenfolio.services import accounts

    with errors():
        secret, generated = read_password(password, password_file)
        accounts.create_user(open_db(db), None, username, secret, [_grant(Role.ADMIN, "all")])
        out.print(f"admin {username} created in {shown_db(db)}", highlight=False)
        if generated:
            out.print(f"password: {secret}", highlight=False)


@users_app.command("create")
def create_user(
    username: str,
    role: RoleOption,
    scope: ScopeOption = "all",
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
    display_name: Annotated[str, typer.Option(help="Name shown in pages.")] = "",
    db: DbOption = None,
) -> None:
    """Create an account with one role on one scope; prints the password if generated."""
    from greenfolio.interfaces.cli.words import grants
    from greenfolio.services import accounts

    with errors():
        secret, generated = read_password(password, password_file)
        made = accounts.create_user(
            open_db(db), None, username, secret, [_grant(role, scope)], display_name
        )
        out.print(f"user {made.username} created ({grants(made.grants)})", highlight=False)
        if generated:
            out.print(f"password: {secret}", highlight=False)


@users_app.command("grant")
def grant_role(
    username: str,
    role: Annotated[Role, typer.Option()],
    scope: Annotated[str, typer.Option()] = "all",
    db: DbOption = None,
) -> None:
    """Give a user a role on a scope."""
    from greenfolio.interfaces.cli.words import grants
    from greenfolio.services import accounts

    with errors():
        info = accounts.grant(open_db(db), None, username, _grant(role, scope))
        out.print(f"{username}: {grants(info.grants)}", highlight=False)


@users_app.command("revoke")
def revoke_role(
    username: str,
    role: Annotated[Role, typer.Option()],
    scope: Annotated[str, typer.Option()] = "all",
    db: DbOption = None,
) -> None:
    """Take a role on a scope away from a user."""
    from greenfolio.interfaces.cli.words import grants
    from greenfolio.services import accounts

    with errors():
        info = accounts.revoke(open_db(db), None, username, _grant(role, scope))
        out.print(f"{username}: {grants(info.grants)}", highlight=False)


@users_app.command("set-password")
def set_password(
    username: str,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
    db: DbOption = None,
) -> None:
    """Set a new password (ends the user's sessions and revokes their API tokens); prints
    it if generated."""
    from greenfolio.services import accounts

    with errors():
        secret, generated = read_password(password, password_file)
        ended = accounts.set_password(open_db(db), None, username, secret)
        out.print(
            f"password of {username} changed; {ended['sessions']} session(s) ended, "
            f"{ended['tokens']} API token(s) revoked",
            highlight=False,
        )
        if generated:
            out.print(f"password: {secret}", highlight=False)


@users_app.command("reset-link")
def reset_link(
    username: str,
    base_url: BaseUrlOption = None,
    db: DbOption = None,
) -> None:
    """Reset a password: the old one stops working, sessions and tokens end, and a
    one-time link lets the user choose a new one (mailed too when mail is configured)."""
    from greenfolio.services import account_links

    with errors():
        base = _base_url(base_url)
        link = account_links.reset(open_db(db), None, username, base)
        _print_link(f"password of {username} reset", link, base)


@users_app.command("invite")
def invite(
    email: str,
    role: RoleOption,
    scope: ScopeOption = "all",
    language: Annotated[
        str | None, typer.Option(help="The invitee's language (ar, zh, en, fr, ru, es).")
    ] = None,
    username: Annotated[
        str | None, typer.Option(help="A user name to propose (they may keep it).")
    ] = None,
    base_url: BaseUrlOption = None,
    db: DbOption = None,
) -> None:
    """Invite someone by email to hold a role: a one-time link lets them choose their user
    name and password (mailed too when mail is configured), as the accounts page does."""
    from greenfolio.interfaces.cli.words import grants
    from greenfolio.services import account_links

    with errors():
        grant = _grant(role, scope)
        base = _base_url(base_url)
        link = account_links.invite(
            open_db(db), None, email, grant, username=username, language=language, base_url=base
        )
        _print_link(f"{email} invited as {grants([grant])}", link, base)


@users_app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json")] = False, db: DbOption = None
) -> None:
    """Every account with its roles."""
    from greenfolio.interfaces.cli.words import grants
    from greenfolio.services import accounts

    with errors():
        found = accounts.users(open_db(db), None)
        if as_json:
            print_json([u.as_dict() for u in found])
            return
        grid = table("user", "name", "active", "roles", wrap=("name", "roles"))
        for u in found:
            grid.add_row(u.username, u.display_name, "yes" if u.active else "no", grants(u.grants))
        out.print(grid)


@audit_app.command("verify")
def verify(
    head: Annotated[
        str | None,
        typer.Option(help="A head printed earlier by `greenfolio audit head` and kept elsewhere."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOption = None,
) -> None:
    """Check the audit trail: its hash chain, its head, and every stored record against the
    trail's last recorded state of it. Exit code 5 if anything is wrong."""
    from greenfolio.services import audit

    with errors():
        report = audit.verify(open_db(db), head)
        if as_json:
            print_json(report.__dict__)
        else:
            out.print(_verify_summary(report), highlight=False)
            for finding in report.findings[:_SHOWN]:
                out.print(f"  - {finding}", highlight=False)
            if len(report.findings) > _SHOWN:
                more = len(report.findings) - _SHOWN
                out.print(f"  … and {more} more (all of them with --json)", highlight=False)
    if not report.intact:
        raise typer.Exit(ExitCode.WANTING)


_SHOWN = 50


def _verify_summary(report: "ChainReport") -> str:
    counted = (
        f"{report.events} events; {report.records_checked} records match their last recorded state"
    )
    if report.records_unrecorded:
        counted += f" ({report.records_unrecorded} loaded in bulk, not recorded one by one)"
    if report.intact:
        return f"audit trail intact: {counted}; head {report.head}"
    problems = len(report.findings)
    return f"audit trail found wanting, {problems} problem{'s' if problems != 1 else ''}: {counted}"


@audit_app.command("head")
def head(as_json: Annotated[bool, typer.Option("--json")] = False, db: DbOption = None) -> None:
    """Print the newest audit event's hash: keep it elsewhere (a log, a ticket, a mail) and
    give it to `audit verify --head` later to prove no events were removed since."""
    from greenfolio.services import audit

    with errors():
        found = audit.current_head(open_db(db))
        if as_json:
            print_json({"event": found.event_id, "hash": found.hash} if found else None)
        elif found is None:
            out.print("the audit trail is empty", highlight=False)
        else:
            out.print(found.hash, highlight=False)
            err.print(f"event {found.event_id}", highlight=False)
