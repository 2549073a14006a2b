"""Issue 10, notifications: a submitted result is mailed to the reviewers whose scope
covers it, a returned or verified one to its authors, each in the reader's language with
no stored code; a mail server that is down costs no write (the failure is kept and sent
later). Against a real SMTP server on a local port, on SQLite and PostgreSQL."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.interfaces.cli.app import app
from greenfolio.services import accounts, mailer
from greenfolio.services.database import Database
from greenfolio.store.tables import MailRow
from tests.smtp_server import SmtpServer
from tests.test_api_support import add_project, add_user, client

CODES = ("pops_destroyed", "submit", "verify", "return", "g_TEQ", "user:", "review_state")


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with SmtpServer(credentials=("greenfolio", "smtp secret")) as server:
        monkeypatch.setenv("GREENFOLIO_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("GREENFOLIO_SMTP_PORT", str(server.port))
        monkeypatch.setenv("GREENFOLIO_SMTP_FROM", "greenfolio@example.org")
        monkeypatch.setenv("GREENFOLIO_SMTP_USER", "greenfolio")
        monkeypatch.setenv("GREENFOLIO_SMTP_PASSWORD", "smtp secret")
        monkeypatch.setenv("GREENFOLIO_BASE_URL", "https://results.example.org")
        yield server


def _people(db: Database) -> dict[str, object]:
    add_project(db, "mail-p", "pops", "BRA", title="Destruction of PCB oils")
    ed = add_user(db, "ed", "editor@country:BRA")
    rita = add_user(db, "rita", "reviewer@country:BRA")
    add_user(db, "olga", "reviewer@country:NGA")
    boss = add_user(db, "boss", "admin@all")
    for who, email, lang in (
        (ed, "ed@example.org", "fr"),
        (rita, "rita@example.org", "ar"),
        (boss, None, None),
    ):
        accounts.set_contact(
            db,
            accounts.authenticate(db, who.name, "a long enough password", "t"),
            who.name,
            email,
            lang,
        )
    accounts.set_contact(
        db,
        accounts.authenticate(db, "olga", "a long enough password", "t"),
        "olga",
        "olga@example.org",
        "ru",
    )
    return {"ed": ed, "rita": rita, "boss": boss}


def _review(db: Database, who: object, rid: int, action: str, note: str | None = None) -> None:
    api = client(db)
    version = api.get(f"/api/v1/results/{rid}", headers=who.auth).json()["version"]  # type: ignore[attr-defined]
    done = api.post(
        f"/api/v1/results/{rid}/review",
        json={"action": action, "note": note, "version": version},
        headers=who.auth,  # type: ignore[attr-defined]
    )
    assert done.status_code == 200, done.text


def test_submit_return_and_verify_are_mailed_in_the_readers_language(
    db: Database, smtp: SmtpServer
) -> None:
    people = _people(db)
    ed, rita = people["ed"], people["rita"]
    api = client(db)
    made = api.post(
        "/api/v1/results",
        json={
            "work": "mail-p",
            "indicator": "pops_destroyed",
            "value": 12.5,
            "unit": "t",
            "period_start": "2021-01-01",
            "period_end": "2021-06-30",
        },
        headers=ed.auth,  # type: ignore[attr-defined]
    )
    rid = made.json()["id"]
    _review(db, ed, rid, "submit")
    to_rita = smtp.box.to("rita@example.org")
    assert len(to_rita) == 1 and smtp.box.to("olga@example.org") == []
    assert smtp.box.to("ed@example.org") == []  # nobody hears of their own act
    mail = to_rita[0]
    assert mail.login == "greenfolio" and mail.sender == "greenfolio@example.org"
    assert mail.subject.startswith(f"قُدمت النتيجة {rid} للاستعراض")
    assert "المشروع: Destruction of PCB oils" in mail.body
    assert f"https://results.example.org/results/{rid}" in mail.body
    assert "12.5" in mail.body or "12٫5" in mail.body
    assert not [c for c in CODES if c in mail.subject + mail.body]

    _review(db, rita, rid, "return", "Cite the destruction certificate, please.")
    returned = smtp.box.to("ed@example.org")
    assert len(returned) == 1
    assert returned[0].subject.startswith(f"Résultat {rid} renvoyé pour correction\u00a0:")
    assert "Motif indiqué\u00a0: Cite the destruction certificate, please." in returned[0].body
    assert "rita a renvoyé" in returned[0].body
    assert "12,5\u00a0t" in returned[0].body and "30 juin 2021" in returned[0].body
    assert not [c for c in CODES if c in returned[0].subject + returned[0].body]

    _review(db, ed, rid, "submit")
    _review(db, rita, rid, "verify")
    verified = smtp.box.to("ed@example.org")[-1]
    assert verified.subject.startswith(f"Résultat {rid} vérifié\u00a0:")
    assert "rita a vérifié le résultat" in verified.body
    with db.transaction() as session:
        states = set(session.scalars(select(MailRow.status)))
    assert states == {mailer.SENT}


def test_an_author_who_lost_every_role_hears_no_more_of_the_result(
    db: Database, smtp: SmtpServer
) -> None:
    """A hostile review: a return's reason ("figures disputed by ministry") was mailed to
    an editor whose roles had all been taken away."""
    people = _people(db)
    ed, rita = people["ed"], people["rita"]
    api = client(db)
    made = api.post(
        "/api/v1/results",
        json={"work": "mail-p", "indicator": "pops_destroyed", "value": 3, "unit": "t",
              "period_start": "2021-01-01", "period_end": "2021-06-30"},
        headers=ed.auth,  # type: ignore[attr-defined]
    )  # fmt: skip
    rid = made.json()["id"]
    _review(db, ed, rid, "submit")
    accounts.revoke(db, None, "ed", Grant(Role.EDITOR, Scope.parse("country:BRA")))
    _review(db, rita, rid, "return", "CONFIDENTIAL: figures disputed by ministry")
    assert smtp.box.to("ed@example.org") == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_mail_server_that_is_down_costs_no_write(
    db: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _people(db)
    ed = people["ed"]
    monkeypatch.setenv("GREENFOLIO_SMTP_PORT", str(_closed_port()))
    api = client(db)
    rid = api.post(
        "/api/v1/results",
        json={"work": "mail-p", "indicator": "pops_destroyed", "value": 3, "unit": "t"},
        headers=ed.auth,  # type: ignore[attr-defined]
    ).json()["id"]
    _review(db, ed, rid, "submit")  # answered 200: the change stands
    state = api.get(f"/api/v1/results/{rid}", headers=ed.auth).json()  # type: ignore[attr-defined]
    assert state["review_state"] == "submitted"
    with db.transaction() as session:
        kept = session.scalars(select(MailRow)).all()
        assert [(m.recipient, m.status, m.attempts) for m in kept] == [
            ("rita@example.org", mailer.FAILED, 1)
        ]
        assert "ConnectionRefusedError" in (kept[0].error or "")
    assert smtp.box.messages == []
    monkeypatch.setenv("GREENFOLIO_SMTP_PORT", str(smtp.port))
    url = db.engine.url.render_as_string(hide_password=False)
    sent = CliRunner().invoke(app, ["mail", "send", "--db", url])
    assert sent.exit_code == 0 and "1 sent, 0 not sent" in sent.stdout, sent.output
    assert len(smtp.box.to("rita@example.org")) == 1
    assert mailer.deliver_pending(db) == {"sent": 0, "failed": 0}


def test_without_settings_nothing_is_queued(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GREENFOLIO_SMTP_HOST", raising=False)
    people = _people(db)
    ed = people["ed"]
    api = client(db)
    rid = api.post(
        "/api/v1/results",
        json={"work": "mail-p", "indicator": "pops_destroyed", "value": 3, "unit": "t"},
        headers=ed.auth,  # type: ignore[attr-defined]
    ).json()["id"]
    _review(db, ed, rid, "submit")
    with db.transaction() as session:
        assert session.scalars(select(MailRow)).all() == []


def test_invitation_and_reset_links_are_mailed(db: Database, smtp: SmtpServer) -> None:
    boss = _people(db)["boss"]
    api = client(db)
    made = api.post(
        "/api/v1/invitations",
        json={
            "email": "li@example.org",
            "role": "reviewer",
            "scope": "country:CHN",
            "language": "zh",
        },
        headers=boss.auth,  # type: ignore[attr-defined]
    ).json()
    assert made["mailed"] is True
    invite = smtp.box.to("li@example.org")[0]
    assert invite.subject == "Greenfolio 邀请"
    assert "担任审核者（中国）" in invite.body
    assert made["link"] in invite.body and "reviewer" not in invite.body
    reset = api.post("/api/v1/users/ed/password-reset", headers=boss.auth).json()  # type: ignore[attr-defined]
    mail = smtp.box.to("ed@example.org")[0]
    assert mail.subject == "Greenfolio\u00a0: choisissez un nouveau mot de passe"
    assert reset["link"] in mail.body and "ed" in mail.body
    url = db.engine.url.render_as_string(hide_password=False)
    cli = CliRunner().invoke(app, ["users", "reset-link", "ed", "--db", url])
    assert cli.exit_code == 0, cli.output
    link = cli.stdout.split(": ", 1)[1].split()[0]
    assert link.startswith("https://results.example.org/welcome/")
    assert "(also sent by email)" in cli.stdout
    assert link in smtp.box.to("ed@example.org")[-1].body
    assert reset["token"] not in link  # the first link is spent by the second reset


def test_mail_settings_that_cannot_be_used_never_stop_a_change(
    db: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _people(db)
    monkeypatch.delenv("GREENFOLIO_SMTP_FROM")
    ed = people["ed"]
    rid = (
        client(db)
        .post(
            "/api/v1/results",
            json={"work": "mail-p", "indicator": "pops_destroyed", "value": 3, "unit": "t"},
            headers=ed.auth,  # type: ignore[attr-defined]
        )
        .json()["id"]
    )
    _review(db, ed, rid, "submit")
    url = db.engine.url.render_as_string(hide_password=False)
    told = CliRunner().invoke(app, ["mail", "send", "--db", url])
    assert told.exit_code == 2 and "GREENFOLIO_SMTP_FROM" in told.output


def test_users_invite_on_the_command_line_mails_the_link(db: Database, smtp: SmtpServer) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    args = ["users", "invite", "li@example.org", "--role", "reviewer", "--scope", "country:CHN"]
    told = CliRunner().invoke(app, [*args, "--language", "zh", "--db", url])
    assert told.exit_code == 0, told.output
    link = told.stdout.split("UTC): ", 1)[1].split()[0]
    assert link.startswith("https://results.example.org/welcome/")
    assert "as Reviewer (China)" in told.stdout and "(also sent by email)" in told.stdout
    [mail] = smtp.box.to("li@example.org")
    assert mail.subject == "Greenfolio 邀请" and link in mail.body
    assert client(db).get(link.removeprefix("https://results.example.org")).status_code == 200
    bad = CliRunner().invoke(app, ["users", "invite", "nobody", "--role", "viewer", "--db", url])
    assert bad.exit_code == 2 and "nobody" in bad.output, bad.output
