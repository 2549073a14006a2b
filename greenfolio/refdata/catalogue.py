"""The message catalogues (``interfaces/web/messages/<lang>.yaml``), read once, and the
word a catalogue gives a stored code: one lookup for the pages, the downloads and the command
line, so that all three say a unit, a status or a role with the same words.

A catalogue is a flat map of one-line texts, written as ``key: text`` or ``key: "text"``.
Lines of those two plain forms are read here directly; a catalogue with any other line
(a quoted text with an escape, a block, a comment after a text, a text YAML would read
as a number or a yes/no) is read by PyYAML instead. Importing PyYAML alone costs a
command of the command line more than its whole start-up budget above Typer's own
(benchmarks/cli_start.py); tests/test_cli_words.py checks that both readings of every
catalogue agree. This module imports nothing beyond the standard library.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

PACKAGE = "greenfolio.interfaces.web"
FALLBACK = "en"
"""The language whose word is shown where a catalogue has none."""

_KEY = r"(?P<key>[A-Za-z][A-Za-z0-9_.]*): "
_QUOTED = re.compile(_KEY + r'"(?P<text>(?:[^"\\]|\\.)*)"$')
"""``key: "text"``: a double-quoted text, its escapes (``\\n``, ``\\"``, ``\\u2066``) as
YAML reads them."""
_ESCAPE = re.compile(
    r"\\(?:x(?P<x>[0-9A-Fa-f]{2})|u(?P<u>[0-9A-Fa-f]{4})|U(?P<U>[0-9A-Fa-f]{8})|(?P<c>.))"
)
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
"""YAML's one-character escapes in double quotes (YAML 1.1, 5.6) and what they stand for."""
_PLAIN = re.compile(_KEY + r"(?P<text>[^\W\d_][^#]*)$")
"""``key: text``: a plain text starting with a letter, without a comment sign."""
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
"""Plain keys and texts YAML reads as a yes/no or as nothing, not as the word."""


def _unescaped(match: re.Match[str]) -> str:
    code = match["x"] or match["u"] or match["U"]
    return chr(int(code, 16)) if code else _ESCAPES[match["c"]]


def _plain_lines(text: str) -> dict[str, str] | None:
    """The catalogue's texts if every line is blank, a comment or one of the two plain
    forms, else None (the file is then PyYAML's to read)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        quoted = _QUOTED.match(line)
        match = quoted or _PLAIN.match(line.rstrip(" \t"))  # YAML trims these alone
        if match is None or match["key"].lower() in _YAML_WORDS:
            return None
        word = match["text"]
        if quoted and "\\" in word:
            try:
                word = _ESCAPE.sub(_unescaped, word)
            except KeyError:  # an escape YAML does not have either: PyYAML says so
                return None
        elif not quoted and (": " in word or word.endswith(":") or word.lower() in _YAML_WORDS):
            return None
        found[match["key"]] = word
    return found


def read(text: str) -> dict[str, str]:
    """A catalogue's texts by key, as PyYAML reads the file (every value as text)."""
    found = _plain_lines(text)
    if found is not None:
        return found
    from greenfolio.refdata.loader import parse_yaml

    data = parse_yaml(text) or {}
    return {str(k): str(v) for k, v in data.items()}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The message catalogue of ``lang`` (``interfaces/web/messages/<lang>.yaml``), read
    once."""
    path = resources.files(PACKAGE).joinpath(f"messages/{lang}.yaml")
    return read(path.read_text("utf-8"))


def key_of(group: str, code: str) -> str:
    """The catalogue key of ``code`` of ``group`` (``labels.GROUPS``): ``unit_ODP_tonne``,
    ``sort_desc_start`` for the sort order ``-start``."""
    return f"{group}_{code.replace('-', 'desc_')}"


def word(group: str, code: str | None, lang: str = FALLBACK) -> str:
    """The word for ``code`` of ``group`` in ``lang`` (else in English); a code without
    one is shown as it is stored (a free-text unit someone typed), never as a key."""
    if not code:
        return ""
    key = key_of(group, str(code))
    return catalogue(lang).get(key) or catalogue(FALLBACK).get(key) or str(code)
