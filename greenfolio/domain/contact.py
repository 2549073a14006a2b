"""How a person is reached: an email address, checked loosely (one ``@``, a dotted
domain, no spaces or control characters), as the mail server has the last word."""

from __future__ import annotations

import re

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.text import check_text

MAX_EMAIL = 254
"""RFC 5321, section 4.5.3.1.3: a path is at most 256 octets, less its angle brackets."""
_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]+")


def check_email(text: str) -> str:
    """The address trimmed, or a refusal saying what an address looks like."""
    check_text(text, "the email address")
    address = text.strip()
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
        raise ValidationError(
            f"{address[:60]!r} is not an email address (name@example.org)",
            message_id="email_invalid",
        )
    return address
