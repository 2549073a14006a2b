"""Mail over TLS against a real SMTP server on a local port: TLS from the first byte
(``GREENFOLIO_SMTP_TLS``, SMTPS, port 465) and STARTTLS (port 587), the server's
certificate checked (a certificate the system does not trust sends nothing), and the
two settings refused together with a message that says which to choose."""

from __future__ import annotations

import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from greenfolio.domain.errors import GreenfolioError
from greenfolio.services import mailer
from tests.smtp_server import SmtpServer

LOGIN = ("greenfolio", "smtp secret")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by OpenSSL (certificate, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = ("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1")
    names = ("-addext", "subjectAltName=IP:127.0.0.1")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", *made, *names],
        check=True,
        capture_output=True,
    )
    return cert, key


def _context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def _settings(port: int, **tls: bool) -> mailer.MailSettings:
    return mailer.MailSettings(
        "127.0.0.1", port, "greenfolio@example.org", user=LOGIN[0], password=LOGIN[1], **tls
    )


def _message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "greenfolio@example.org", "li@example.org", "Test"
    msg.set_content("Over TLS.")
    return msg


@pytest.mark.parametrize("mode", ["tls", "starttls"])
def test_mail_goes_encrypted_to_a_server_whose_certificate_is_trusted(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # OpenSSL's own setting
    server = SmtpServer(LOGIN, **{mode: _context(certificate)})
    with server:
        mailer.send(_settings(server.port, **{mode: True}), [_message()])
    [received] = server.box.to("li@example.org")
    assert received.encrypted and received.login == LOGIN[0]
    assert received.body.strip() == "Over TLS."


@pytest.mark.parametrize("mode", ["tls", "starttls"])
def test_a_certificate_the_system_does_not_trust_sends_nothing(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server = SmtpServer(LOGIN, **{mode: _context(certificate)})
    with server, pytest.raises(ssl.SSLCertVerificationError):
        mailer.send(_settings(server.port, **{mode: True}), [_message()])
    assert server.box.messages == []


def test_tls_settings_and_their_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENFOLIO_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("GREENFOLIO_SMTP_FROM", "greenfolio@example.org")
    monkeypatch.delenv("GREENFOLIO_SMTP_PORT", raising=False)
    monkeypatch.setenv("GREENFOLIO_SMTP_TLS", "1")
    found = mailer.MailSettings.from_env()
    assert found is not None and found.tls and not found.starttls and found.port == 465
    monkeypatch.setenv("GREENFOLIO_SMTP_STARTTLS", "1")
    with pytest.raises(GreenfolioError) as refused:
        mailer.MailSettings.from_env()
    assert "GREENFOLIO_SMTP_TLS" in str(refused.value)
    assert "GREENFOLIO_SMTP_STARTTLS" in str(refused.value)
    monkeypatch.delenv("GREENFOLIO_SMTP_TLS")
    found = mailer.MailSettings.from_env()
    assert found is not None and found.starttls and found.port == 587
