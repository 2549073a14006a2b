"""A real SMTP server for the tests (no test of its own): a thread serving RFC 5321 on a
local port (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), or TLS from
the first byte (SMTPS), keeping each message received, parsed, with its envelope and
whether it came encrypted. Python's ``smtpd`` is gone since 3.12; this is the
smallest server smtplib really talks to, over a real socket."""

from __future__ import annotations

import base64
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    login: str | None
    encrypted: bool = False

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    credentials: tuple[str, str] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.recipients]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def _encrypted(self) -> bool:
        return isinstance(self.connection, ssl.SSLSocket)

    def handle(self) -> None:
        box = self.server.box
        sender, recipients, login = "", [], None
        self._say("220 localhost test SMTP ready")
        while line := self.rfile.readline():
            command = line.decode("utf-8").rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            offer_tls = self.server.starttls is not None and not self._encrypted()
            if verb in ("EHLO", "HELO"):
                extras = ["AUTH PLAIN"] if box.credentials else []
                extras += ["STARTTLS"] if offer_tls else []
                for i, ext in enumerate(["localhost", "8BITMIME", "SMTPUTF8", *extras]):
                    last = i == len(extras) + 2
                    self._say(f"250{' ' if last else '-'}{ext}")
            elif verb == "STARTTLS" and offer_tls:
                assert self.server.starttls is not None
                self._say("220 2.0.0 Ready to start TLS")
                try:
                    wrapped = self.server.starttls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused the certificate
                self.connection = wrapped
                self.rfile = wrapped.makefile("rb")
                self.wfile = wrapped.makefile("wb")
                sender, recipients, login = "", [], None  # RFC 3207: start again
            elif verb == "AUTH":
                raw = base64.b64decode(command.split()[2]).split(b"\0")
                user, password = raw[1].decode(), raw[2].decode()
                if box.credentials == (user, password):
                    login = user
                    self._say("235 2.7.0 Authentication successful")
                else:
                    self._say("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if box.credentials and login is None:
                    self._say("530 5.7.0 Authentication required")
                    continue
                sender = command.split(":", 1)[1].split()[0].strip("<>")
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                parsed = BytesParser(policy=policy.default).parsebytes(bytes(data))
                assert isinstance(parsed, EmailMessage)
                with box.lock:
                    box.messages.append(
                        Received(sender, recipients, parsed, login, self._encrypted())
                    )
                self._say("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    box: Mailbox
    tls: ssl.SSLContext | None = None
    starttls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.tls is not None:  # SMTPS: the handshake before the greeting
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, address


class SmtpServer:
    """``with SmtpServer() as smtp:`` serves on ``smtp.port`` until the block ends."""

    def __init__(
        self,
        credentials: tuple[str, str] | None = None,
        *,
        tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
    ) -> None:
        """``tls``: TLS from the first byte with that server context; ``starttls``: plain,
        offering STARTTLS with it."""
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.box = Mailbox(credentials=credentials)
        self.server.tls, self.server.starttls = tls, starttls
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def box(self) -> Mailbox:
        return self.server.box

    def __enter__(self) -> SmtpServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
