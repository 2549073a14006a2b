"""The one rule for text entered into Greenfolio: no control characters.

A NUL or a bell in a title is never meant; stored, it breaks later (XML cannot carry
it, so an IATI export fails; PostgreSQL refuses NUL outright while SQLite keeps it).
So text is checked where it enters (API bodies, web forms, search queries, the command
line and every importer), with one message naming the field and the position.

Forbidden: the C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F), lone
surrogates and the non-characters U+FFFE and U+FFFF. Tab, line feed and carriage
return are allowed where text may run over several lines (descriptions, notes).

Also forbidden: the two direction overrides, U+202D and U+202E. They force every letter
after them to run one way, so a title can be shown to a reviewer as something other than
what it holds ("‮fdp.exe" reads "exe.pdf"); no language needs them, as right-to-left
text runs right to left by itself. Embeddings and isolates (U+202A–U+202C,
U+2066–U+2069), which Arabic text pasted from a word processor may carry, stay allowed:
the pages isolate every value they show.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from greenfolio.domain.errors import GreenfolioError

_SINGLE = re.compile("[\x00-\x1f\x7f-\x9f\u202d\u202e\ud800-\udfff\ufffe\uffff]")
_MULTI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202d\u202e\ud800-\udfff\ufffe\uffff]")
OVERRIDES = "\u202d\u202e"
"""Left-to-right and right-to-left override."""
first_bad_multiline = _MULTI.search
"""The first forbidden character of multi-line text as a match, or None (for hot loops:
``problem`` says what is wrong once this finds something)."""
first_bad = _SINGLE.search
"""The same for single-line text."""


class TextError(GreenfolioError):
    """Text holding a character that cannot be stored (HTTP 400, CLI exit 2)."""


def _name(char: str) -> str:
    code = ord(char)
    if code == 0:
        return "a NUL character (U+0000)"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X})"
    if code in (0xFFFE, 0xFFFF):
        return f"a non-character (U+{code:04X})"
    if char in OVERRIDES:
        return f"a direction override (U+{code:04X})"
    return f"a control character (U+{code:04X})"


def _kind(char: str) -> str:
    """Which message a bad character gets (its id in the pages' catalogues)."""
    code = ord(char)
    if char in "\t\n\r":
        return "text_line"
    if code == 0:
        return "text_nul"
    if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return "text_invalid"
    if char in OVERRIDES:
        return "text_override"
    return "text_control"


@dataclass(frozen=True)
class TextProblem:
    """One bad character: the field (a path such as ``title.en``), its 1-based position
    and its code point; ``message_id`` names the message for the pages."""

    field: str
    at: int
    char: str

    @property
    def message_id(self) -> str:
        return _kind(self.char)

    @property
    def params(self) -> dict[str, Any]:
        return {"field": self.field, "at": self.at, "char": f"U+{ord(self.char):04X}"}

    def what(self) -> str:
        """The problem in English, without the field."""
        if self.message_id == "text_line":
            return f"holds a line break or tab at character {self.at}; this field is one line"
        if self.message_id == "text_override":
            return (
                f"holds {_name(self.char)} at character {self.at}, which would show the text "
                "after it reversed; remove it"
            )
        return f"holds {_name(self.char)} at character {self.at}; remove it (it cannot be stored)"

    def __str__(self) -> str:
        return f"{self.field} {self.what()}" if self.field else self.what()

    def error(self) -> TextError:
        return TextError(str(self), message_id=self.message_id, params=self.params)


def quoted(value: object) -> str:
    """A value from a file as a message quotes it: between single quotes, each control,
    invisible or unusual space character written as its code point ('1522<U+0009>0',
    '15220<U+200B>'), so the reader sees what the file holds, and never a programming
    language's escapes ('1522\\t0')."""
    text = "" if value is None else str(value)
    return "'" + "".join(_visible(ch) for ch in text) + "'"


_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories a reader cannot see: controls, format characters (a zero-width
space in "15220​" looks like a valid code), surrogates, unassigned."""


def _visible(char: str) -> str:
    category = unicodedata.category(char)
    if category in _UNSEEN or (category == "Zs" and char != " "):
        return f"<U+{ord(char):04X}>"
    return char


def find(text: str, field: str = "", *, multiline: bool = False) -> TextProblem | None:
    """The first bad character of ``text``, or None."""
    found = (_MULTI if multiline else _SINGLE).search(text)
    if found is None:
        return None
    return TextProblem(field, found.start() + 1, found.group())


def problem(text: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``text`` (which character, at which position), or None."""
    found = find(text, multiline=multiline)
    return None if found is None else found.what()


def check_text(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or ``TextError`` naming ``field`` and the position."""
    found = find(value, field, multiline=multiline)
    if found is not None:
        raise found.error()
    return value


def first_found(value: Any, field: str, *, multiline: bool = False) -> TextProblem | str | None:
    """The first bad text anywhere in ``value`` (strings, dict keys and values, lists):
    a ``TextProblem`` naming its path (``title.fr``), or for a bad dict key a sentence."""
    if isinstance(value, str):
        return find(value, field, multiline=multiline)
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            if isinstance(key, str) and (bad := problem(key)) is not None:
                return f"the name {key!r} in {field or 'the request'} {bad}"
            if (found := first_found(item, path, multiline=multiline)) is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value, start=1):
            found = first_found(item, f"{field}[{index}]", multiline=multiline)
            if found is not None:
                return found
    return None


def first_problem(value: Any, field: str, *, multiline: bool = False) -> str | None:
    """The first bad text anywhere in ``value`` as a message naming its path, e.g.
    ``title.fr holds … at character 3``."""
    found = first_found(value, field, multiline=multiline)
    return None if found is None else str(found)


def check_all(value: Any, field: str, *, multiline: bool = False) -> None:
    """``first_found`` as a ``TextError``."""
    found = first_found(value, field, multiline=multiline)
    if isinstance(found, TextProblem):
        raise found.error()
    if found is not None:
        raise TextError(found)


def context(found: TextProblem | str) -> dict[str, Any]:
    """A pydantic error's ``ctx`` for a bad text: the English ``message`` and, so pages
    can translate it, ``message_id`` and ``params``."""
    if isinstance(found, str):
        return {"message": found}
    return {"message": str(found), "message_id": found.message_id, "params": found.params}


class CheckedText(BaseModel):
    """Base for input models: every string in the input, however nested, is checked
    before the fields are read; fields named in ``multiline_fields`` may hold line
    breaks and tabs."""

    multiline_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key, item in data.items():
                name = str(key)
                found = first_found(item, name, multiline=name in cls.multiline_fields)
                if found is not None:
                    raise PydanticCustomError("control_character", "{message}", context(found))
        return data


def folded(text: Any) -> str:
    """A word, name or heading as a person means it, for comparing: Unicode-normalised
    (NFKC), case and runs of spaces ignored ("Demo  REVIEWER" is "demo reviewer")."""
    return " ".join(unicodedata.normalize("NFKC", str(text or "")).casefold().split())


def unambiguous(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Word (``folded``) to code, leaving out a word two codes share (it would be a guess)."""
    found: dict[str, str] = {}
    clash: set[str] = set()
    for text, code in pairs:
        key = folded(text)
        if key in found and found[key] != code:
            clash.add(key)
        found.setdefault(key, code)
    return {k: v for k, v in found.items() if k not in clash}


def readable(text: str | None) -> bool:
    """Whether ``text`` holds something a person can read: a letter, digit, mark of
    punctuation or symbol (a reason of zero-width characters reads as none)."""
    return any(unicodedata.category(ch)[0] in "LNPS" for ch in text or "")
