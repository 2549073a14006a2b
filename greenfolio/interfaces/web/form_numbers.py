"""A number typed in a form, read as the page's language writes it.

The value fields are text fields (a number field leaves the reading to the browser,
whose locale is not the page's: "1.250" typed on a Spanish page reached the server as
1.25 while the Spanish template read the same keystrokes as 1,250). Here "1.250" on a
Spanish or Russian page is twelve hundred and fifty, "1,25" one and a quarter; on an
English page "1,250" is twelve hundred and fifty; a text the page's language does not
settle ("1.250" on a French page, where a point is neither sign) is refused with both
readings, never guessed (``domain.number_text``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.number_text import AmbiguousNumber, read_number_as, signs
from greenfolio.domain.numbers import decimal_text


def read_fields(fields: Mapping[str, Any], lang: str, keys: Iterable[str]) -> dict[str, Any]:
    """``fields`` with the number typed in each of ``keys`` written plainly ("1250.5"); a
    text that is no number is left as typed, for the form's own check to name."""
    out = dict(fields)
    decimal, group = signs(lang)
    for key in keys:
        raw = out.get(key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            out[key] = decimal_text(read_number_as(raw, decimal, group))
        except AmbiguousNumber as unclear:
            raise ValidationError(
                f"{raw!r} reads as {unclear.whole:g} in some languages and as "
                f"{unclear.decimal:g} in others; type it without the thousands separator",
                message_id="form_number_ambiguous",
                params={"value": raw, "as_whole": unclear.whole, "as_decimal": unclear.decimal},
                field=key,
            ) from None
        except ValueError:
            continue
    return out


def shown(value: Any, lang: str) -> Any:
    """A stored number as a person of ``lang`` types it into a field ("1250,5" in French,
    no thousands separator); text the visitor sent is shown back as sent."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return decimal_text(float(value)).replace(".", signs(lang)[0])
    return value
