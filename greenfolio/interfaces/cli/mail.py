"""``greenfolio mail …``: the notification outbox. Messages a mail server refused or
missed stay in the outbox with the reason; ``mail send`` tries them again (from cron, say),
``mail outbox`` shows the newest with their outcome. Settings: ``GREENFOLIO_SMTP_*``."""

from typing import Annotated

import typer

from greenfolio.interfaces.cli.common import DbOption, JsonOption, errors, out, print_json, table
from greenfolio.interfaces.cli.db_target import open_db

mail_app = typer.Typer(
    help="Email notifications: send what is waiting, show the outbox.", no_args_is_help=True
)


@mail_app.command("send")
def mail_send(db: DbOption = None) -> None:
    """Send every message not sent yet (waiting, or refused before)."""
    from greenfolio.domain.errors import GreenfolioError
    from greenfolio.services import mailer

    with errors():
        if mailer.MailSettings.from_env() is None:
            raise GreenfolioError(
                "mail is not configured: set GREENFOLIO_SMTP_HOST and GREENFOLIO_SMTP_FROM"
            )
        done = mailer.deliver_pending(open_db(db))
        out.print(f"{done[mailer.SENT]} sent, {done[mailer.FAILED]} not sent (kept to try again)")


@mail_app.command("outbox")
def mail_outbox(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The newest messages with their outcome (sent, failed with the server's answer)."""
    from greenfolio.interfaces.cli.words import said
    from greenfolio.services import mailer

    with errors():
        rows = mailer.outbox(open_db(db), limit)
        if as_json:
            print_json(rows)
            return
        if not rows:
            if mailer.MailSettings.from_env() is None:
                # nothing is queued while mail is off: "empty" alone read as "nobody
                # was told", when in truth nobody could be
                out.print(
                    "The outbox is empty: mail is not configured, so no notification is "
                    "queued (reviews and invitations are not mailed). Set "
                    "GREENFOLIO_SMTP_HOST and GREENFOLIO_SMTP_FROM to send them."
                )
            else:
                out.print("The outbox is empty: no notification has been queued yet.")
            return
        grid = table("id", "to", "subject", "status", "tries", "error")
        for r in rows:
            grid.add_row(
                str(r["id"]),
                str(r["recipient"]),
                str(r["subject"]),
                said("mail_status", str(r["status"])),
                str(r["attempts"]),
                str(r["error"] or ""),
            )
        out.print(grid)
