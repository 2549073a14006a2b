"""Checks that run before any XML parser sees a file: size cap and no document type.

IATI never needs a DOCTYPE, and a DOCTYPE is where XML bombs (entity expansion) and
external entities live; refusing it outright, before parsing, keeps both out whatever
the parser's settings. The same goes for files above the size cap: they are refused
before a byte of them is parsed.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import Any

from lxml import etree

from greenfolio.domain.exchange import Problem, RefusedError
from greenfolio.domain.text import quoted
from greenfolio.services.exchange import file_kind

DEFAULT_MAX_BYTES = 2 * 1024**3
"""Largest file accepted unless the caller allows more (2 GiB)."""

_PROLOG_LIMIT = 1024 * 1024

PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}
"""lxml settings for every IATI parse: no entities, no DTD, no network, default limits."""


def _decode_head(raw: bytes) -> str | None:
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="replace")
    # without a byte order mark, as the XML specification (appendix F) tells them apart:
    # UTF-32 before UTF-16, whose pattern it begins with
    if raw.startswith(b"<\x00\x00\x00"):
        return raw.decode("utf-32-le", errors="replace")
    if raw.startswith(b"\x00\x00\x00<"):
        return raw.decode("utf-32-be", errors="replace")
    if raw.startswith((b"\x00\x00<\x00", b"\x00<\x00\x00")):
        return None  # UCS-4 in an unusual byte order
    if raw.startswith(b"<\x00"):
        return raw.decode("utf-16-le", errors="replace")
    if raw.startswith(b"\x00<"):
        return raw.decode("utf-16-be", errors="replace")
    return raw.decode("utf-8", errors="replace")


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def check_prolog(path: Path) -> None:
    """Refuse a file whose prolog (what precedes the root element) holds a DOCTYPE."""
    with open(path, "rb") as handle:
        raw = handle.read(_PROLOG_LIMIT)
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise RefusedError(
            [
                Problem(
                    "the file is in UTF-32 with a byte-order mark, which the XML parser does "
                    "not read: save it as UTF-8",
                    file=path.name,
                    message_id="iati_file_utf32_bom",
                )
            ]
        )
    head = _decode_head(raw)
    if head is None:
        raise RefusedError(
            [
                Problem(
                    "the file is in a 32-bit encoding of unusual byte order: save it as UTF-8",
                    file=path.name,
                    message_id="iati_file_utf32",
                )
            ]
        )
    pos = 0
    size = len(head)
    while pos < size:
        if head[pos].isspace():
            pos += 1
            continue
        if head.startswith("<?", pos):
            end = head.find("?>", pos)
            pos = size if end < 0 else end + 2
            continue
        if head.startswith("<!--", pos):
            end = head.find("-->", pos)
            pos = size if end < 0 else end + 3
            continue
        if head.startswith("<!", pos):
            word = head[pos + 2 : pos + 9].upper()
            what = "a document type declaration (DOCTYPE)" if word == "DOCTYPE" else "a <!…> block"
            raise RefusedError(
                [
                    Problem(
                        f"the file holds {what} before its root element; IATI files never "
                        "need one, and it can carry entity bombs or external entities, so "
                        "the file is refused unread. Remove it and try again.",
                        file=path.name,
                        line=_line_of(head, pos),
                        element="!DOCTYPE" if word == "DOCTYPE" else None,
                        message_id="iati_file_"
                        + ("doctype_unread" if word == "DOCTYPE" else "block_unread"),
                    )
                ]
            )
        return
    if size >= _PROLOG_LIMIT:
        raise RefusedError(
            [
                Problem(
                    "no root element within the first MiB of the file; the file is refused",
                    file=path.name,
                    message_id="iati_file_no_root",
                )
            ]
        )


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, or a refusal if it is above ``max_bytes``."""
    size = os.path.getsize(path)
    if size > max_bytes:
        raise RefusedError(
            [
                Problem(
                    f"the file is {size / 1024**2:,.1f} MiB, above the limit of "
                    f"{max_bytes / 1024**2:,.1f} MiB; split it, or raise the limit with "
                    "--max-size if the file is trusted",
                    file=path.name,
                    message_id="iati_file_too_large",
                    params=(("size", size / 1024**2), ("limit", max_bytes / 1024**2)),
                )
            ]
        )
    return size


_DECLARED = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_CHUNK = 1024 * 1024


def declared_encoding(path: Path) -> str | None:
    """The encoding named in the XML declaration, as written there."""
    with open(path, "rb") as handle:
        head = handle.read(200)
    found = _DECLARED.match(head)
    if found is None:
        return None
    return found.group(1).decode("ascii")


def check_encoding(path: Path) -> None:
    """Refuse a file whose declared single-byte encoding (ISO-8859-*, Windows-125*) is
    belied by its bytes: if every byte sequence is valid UTF-8 and some are multi-byte,
    the file is UTF-8 and reading it as declared would store mojibake (``Café`` as
    ``CafÃ©``). Files declared (or defaulting to) UTF-8 are checked by the parser."""
    written = declared_encoding(path)
    if written is None:
        return
    try:
        declared = codecs.lookup(written).name
        codecs.decode(b"\x80\xff", declared)
    except (UnicodeDecodeError, LookupError):
        return  # unknown, or not a single-byte encoding: nothing to compare
    if declared.startswith("utf") or declared == "ascii":
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    example: tuple[int, bytes] | None = None
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return  # not UTF-8: the declaration may well be right
            if example is None:
                found = _UTF8_MULTIBYTE.search(chunk)
                if found is not None:
                    example = (line + chunk.count(b"\n", 0, found.start()), found.group())
                else:
                    line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return
    if example is None:
        return  # plain ASCII: the same under either reading
    at, raw = example
    right, wrong = quoted(raw.decode("utf-8")), quoted(raw.decode(declared, errors="replace"))
    raise RefusedError(
        [
            Problem(
                f"the file declares encoding {quoted(written)}, but its bytes are UTF-8: read as "
                f"declared, {right} would be stored as {wrong}. Correct the declaration to "
                'encoding="UTF-8" (or save the file in the declared encoding) and import again',
                file=path.name,
                line=at,
                message_id="iati_file_encoding_mismatch",
                params=(("written", quoted(written)), ("raw", right), ("wrong", wrong)),
            )
        ]
    )


def check_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Every pre-parse check; returns the file size."""
    if path.is_dir():
        raise RefusedError(
            [
                Problem(
                    "this is a folder, not a file: pass the XML files themselves "
                    "(folder/*.xml names them all), not the folder",
                    file=str(path),
                    message_id="iati_file_folder",
                )
            ]
        )
    if not path.is_file():
        raise RefusedError(
            [Problem("no such file", file=str(path), message_id="iati_file_no_such_file")]
        )
    size = check_size(path, max_bytes)
    file_kind.refuse_unless_xml(path)
    check_prolog(path)
    check_encoding(path)
    return size


def syntax_error(exc: etree.XMLSyntaxError) -> tuple[str, int | None]:
    """The first parser message libxml2 logged for a parse failure (with what the reader
    can do about it, in English), and its line.

    Call ``etree.clear_error_log()`` before parsing: libxml2 keeps earlier messages.
    """
    raw, line = raw_syntax_error(exc)
    return with_hint(raw), line


def element_name(tag: object) -> str:
    """An element's name as the file writes it: ``iati-activities xmlns="urn:x"`` for
    lxml's ``{urn:x}iati-activities`` (a root in a namespace IATI files do not use)."""
    text = str(tag)
    if text.startswith("{") and "}" in text:
        namespace, local = text[1:].split("}", 1)
        return f'{local} xmlns="{namespace}"'
    return text


def raw_syntax_error(exc: etree.XMLSyntaxError) -> tuple[str, int | None]:
    """libxml2's own first parser message for a parse failure, and its line."""
    for entry in exc.error_log:
        if entry.domain_name == "PARSER":
            return str(entry.message), entry.line or None
    return str(exc.msg), exc.lineno or None


def refuse_dtd(el: etree._Element, file: str) -> None:
    """Refuse a document the parser found a DTD in: ``check_prolog`` refuses one unread, and
    this holds wherever the prolog was written in a way it did not decode."""
    docinfo = el.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise RefusedError(
            [
                Problem(
                    "the file holds a document type declaration (DOCTYPE) before its root "
                    "element; IATI files never need one, and its defaults and entities would "
                    "change what is read, so the file is refused. Remove the DOCTYPE and try "
                    "again.",
                    file=file,
                    line=1,
                    element="!DOCTYPE",
                    message_id="iati_file_doctype_parsed",
                )
            ]
        )


_LIBXML2_ADVICE = re.compile(
    r",?\s*(?:use XML_PARSE_HUGE option|try XML_PARSE_HUGE|see xmlCtxtSetMaxAmplification)\.?",
)


_CHAR_REF = re.compile(r"xmlParseCharRef: invalid xmlChar value (\d+)")
"""libxml2's name for a reference such as &#1;: its internal function's, not the reader's."""


HINTS = {
    "amplification": "its entities expand far beyond the file's size, as in an entity bomb; "
    "IATI files need none: remove them",
    "limits": "beyond the parser's safety limits: nesting deeper than 256 elements, or one "
    "text or attribute longer than 10,000,000 characters; IATI files never need either: "
    "check how the file was made",
    "char_ref": "a character reference (&#{code};) names U+{hex}, a character XML cannot "
    "hold: remove it, or write the character it stood for",
    "encoding": "the bytes are not in the encoding the file declares, UTF-8 when it declares "
    "none; perhaps it was saved as Latin-1 or Windows-1252: save it as UTF-8, or declare its "
    "real encoding, and import again",
}
"""What a reader can do about some of libxml2's messages (``validate iati`` says them in
the reader's language: ``iati_rules_messages.yaml``, section ``file``, ``hint_*``)."""


def syntax_parts(message: str) -> tuple[str, str | None, tuple[tuple[str, Any], ...]]:
    """libxml2's message less its advice to programmers, and the ``HINTS`` key (with its
    values) of what the reader can do, where there is one. A character reference's
    message is the hint alone (its first part is then empty): libxml2 names its own
    internal function there."""
    message = message.strip()
    if _LIBXML2_ADVICE.search(message):
        message = _LIBXML2_ADVICE.sub("", message).strip()
        return message, ("amplification" if "amplification" in message.lower() else "limits"), ()
    char_ref = _CHAR_REF.search(message)
    if char_ref:
        code = int(char_ref.group(1))
        return "", "char_ref", (("code", code), ("hex", f"{code:04X}"))
    if "Invalid bytes in character encoding" in message or "not proper UTF-8" in message:
        return message, "encoding", ()
    return message, None, ()


def with_hint(message: str) -> str:
    """libxml2's message with what the reader can do about it, in English."""
    said, hint, params = syntax_parts(message)
    if hint is None:
        return said
    advice = HINTS[hint].format(**dict(params))
    return f"{said} ({advice})" if said else advice
