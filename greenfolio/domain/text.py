"""The one rule for text entered into Greenfolio: no control characters.

A NUL or a bell in a title is never meant; stored, it breaks later (XML cannot carry
it, so an IATI export fails; PostgreSQL refuses NUL outright while SQLite keeps it).
So text is checked where it enters (API bodies, web forms, search queries, the command
line and every importer), with one message naming the field and the position.

Forbidden: the C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F), lone
surrogates and the non-characters U+FFFE and U+FFFF. Tab, line feed and carriage
return are allowed where text may run over several lines (descriptions, notes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from greenfolio.domain.errors import GreenfolioError

_SINGLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MULTI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


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
    return f"a control character (U+{code:04X})"


def problem(text: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``text`` (which character, at which position), or None."""
    found = (_MULTI if multiline else _SINGLE).search(text)
    if found is None:
        return None
    where = found.start() + 1
    char = found.group()
    what = _name(char)
    if char in "\t\n\r":
        return f"holds a line break or tab at character {where}; this field is one line"
    return f"holds {what} at character {where}; remove it (it cannot be stored)"


def check_text(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or ``TextError`` naming ``field`` and the position."""
    found = problem(value, multiline=multiline)
    if found is not None:
        raise TextError(f"{field} {found}")
    return value


def first_problem(value: Any, field: str, *, multiline: bool = False) -> str | None:
    """The first bad text anywhere in ``value`` (strings, dict keys and values, lists),
    as a message naming its path, e.g. ``title.fr holds … at character 3``."""
    if isinstance(value, str):
        found = problem(value, multiline=multiline)
        return f"{field} {found}" if found else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            if isinstance(key, str) and (found := problem(key)) is not None:
                return f"the name {key!r} in {field or 'the request'} {found}"
            if (found := first_problem(item, path, multiline=multiline)) is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value, start=1):
            found = first_problem(item, f"{field}[{index}]", multiline=multiline)
            if found is not None:
                return found
    return None


def check_all(value: Any, field: str, *, multiline: bool = False) -> None:
    """``first_problem`` as a ``TextError``."""
    found = first_problem(value, field, multiline=multiline)
    if found is not None:
        raise TextError(found)


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
                found = first_problem(item, name, multiline=name in cls.multiline_fields)
                if found is not None:
                    raise PydanticCustomError("control_character", "{message}", {"message": found})
        return data
