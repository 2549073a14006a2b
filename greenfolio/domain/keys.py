"""The one rule for project keys: every key that is accepted works in every route.

A key must hold real IATI activity identifiers (an organisation reference, "-", the
organisation's own id), which may contain "/" and ":" (``mlf:KUW/SEV/92/INS/47``,
``XM-DAC-41114-PROJECT-00012/A``). Routes take keys as path parameters
(``/projects/{key:path}/edit``), links encode them with ``quote(key, safe='')`` and the
server decodes them once. So a key is refused when it could not survive that round trip
or would make a route ambiguous:

- characters other than ASCII letters, digits and ``- _ . : / ( ) + ~ @`` (this refuses
  whitespace, control characters, ``? # % & < > " ' \\`` and anything a URL mangles);
- a first or last character that is not a letter or digit;
- an empty, ``.`` or ``..`` segment between slashes (``a//b``, ``../x``, ``a/./b``);
- a segment that is a word the routes use after a key: ``new``, ``edit``, ``results``
  (any case), so ``/projects/{key}/edit`` always means the key before ``/edit``;
- more than 160 characters (the column's width).
"""

from __future__ import annotations

import re
import string
from typing import Any

from greenfolio.domain.errors import ValidationError

MAX_LENGTH = 160
ALLOWED = frozenset(string.ascii_letters + string.digits + "-_.:/()+~@")
RESERVED = frozenset({"new", "edit", "results"})
"""Words the project routes put after a key (or in its place)."""
_ENDS = re.compile(r"^[A-Za-z0-9](?:.*[A-Za-z0-9])?$", re.S)
HINT = (
    "use letters, digits and - _ . : / ( ) + ~ @, starting and ending with a letter or "
    "digit, e.g. XM-DAC-41123-PROJ/2021:7"
)


def key_refusal(key: str) -> tuple[str, str, dict[str, Any]] | None:
    """Why ``key`` cannot be a project key, as (English text, message id, params), or
    None when it can. The pages say it in the visitor's language from the id."""
    if not key:
        return "a project key cannot be empty", "key_empty", {}
    if len(key) > MAX_LENGTH:
        return (
            f"a project key has at most {MAX_LENGTH} characters, this one {len(key)}",
            "key_long",
            {"max": MAX_LENGTH, "length": len(key)},
        )
    shown = _quote(key)
    bad = [] if ALLOWED.issuperset(key) else sorted(set(key) - ALLOWED)
    if bad:
        words = ", ".join(_show(c) for c in bad[:5])
        return (
            f"project key {shown} holds {words}, which a key cannot hold",
            "key_chars",
            {"key": _plain(key), "chars": bad[:5]},
        )
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            return (
                f"project key {shown} has an empty, '.' or '..' part between slashes",
                "key_segment",
                {"key": _plain(key)},
            )
        if segment.lower() in RESERVED:
            return (
                f"project key {shown} has the part {segment!r}, a word the web "
                "addresses use (new, edit, results)",
                "key_reserved",
                {"key": _plain(key), "part": segment},
            )
    if not _ENDS.match(key):
        return (
            f"project key {shown} must start and end with a letter or digit",
            "key_ends",
            {"key": _plain(key)},
        )
    return None


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a project key, or None when it can."""
    found = key_refusal(key)
    return None if found is None else found[0]


def check_key(key: str) -> str:
    """``key`` unchanged if it is usable, else a ``ValidationError`` saying why and how."""
    found = key_refusal(key)
    if found is not None:
        text, message_id, params = found
        raise ValidationError(f"{text}: {HINT}", message_id=message_id, params=params)
    return key


def _show(char: str) -> str:
    if char == " ":
        return "a space"
    if char.isspace():
        return "white space"
    if not char.isprintable():
        return f"the control character U+{ord(char):04X}"
    return repr(char)


def _plain(key: str) -> str:
    """The key for a message: printable, and short."""
    head = key[:60]
    if not head.isprintable():
        head = "".join(c if c.isprintable() else "?" for c in head)
    return head + ("…" if len(key) > 60 else "")


def _quote(key: str) -> str:
    return repr(_plain(key))
