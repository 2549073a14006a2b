"""A real SMTP server for the tests (no test of its own): a thread serving RFC 5321 on a
local port (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeping each message
received, parsed, with its envelope. Python's ``smtpd`` is gone since 3.12; this is the
smallest server smtplib really talks to, over a real socket."""

from __future__ import annotations

import base64
import socketserver
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

    def handle(self) -> None:
        box = self.server.box
        sender, recipients, login = "", [], None
        self._say("220 localhost test SMTP ready")
        while line := self.rfile.readline():
            command = line.decode("utf-8").rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                extras = ["AUTH PLAIN"] if box.credentials else []
                for i, ext in enumerate(["localhost", "8BITMIME", "SMTPUTF8", *extras]):
                    last = i == len(extras) + 2
                    self._say(f"250{' ' if last else '-'}{ext}")
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
                    box.messages.append(Received(sender, recipients, parsed, login))
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


class SmtpServer:
    """``with SmtpServer() as smtp:`` serves on ``smtp.port`` until the block ends."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.box = Mailbox(credentials=credentials)
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
