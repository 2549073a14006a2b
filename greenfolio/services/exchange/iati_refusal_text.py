"""Why ``validate iati`` could not read a file or a ruleset, in the reader's language.

A refusal (``RefusedError``, ``ValidationError``) carries a ``message_id`` and its values;
the words are those of the messages file's ``file`` section (``iati_rules_messages.yaml``),
and the English ``message`` stands where it has none. libxml2's own message stays English
and is said to be; what the reader can do about it is said in their language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal

from greenfolio.domain.exchange import Problem
from greenfolio.domain.languages import CLDR_LOCALES
from greenfolio.services.exchange.iati_rules_text import messages, say

FILE_MESSAGE = "iati_file_"
"""The prefix of the ``message_id`` of a problem that kept a whole file from being read."""


def refusal_data(problem: Problem, lang: str) -> dict[str, Any]:
    """A problem that kept the file from being read, as ``--json`` gives it: its message
    in the reader's language where the messages file says it (``file`` section)."""
    data = problem.as_dict()
    data["message"] = _refusal_message(problem, lang)
    return data


def refusal_line(problem: Problem, lang: str) -> str:
    """The same problem as one line for a terminal: severity, ``file:line`` (as compilers
    write it, which editors open at the line), message."""
    place = problem.file or ""
    if problem.line:
        place = f"{place}:{problem.line}"
    return say(
        "file",
        "refused",
        lang,
        severity=say("ui", problem.severity.value, lang),
        place=place,
        message=_refusal_message(problem, lang),
    )


def _refusal_message(problem: Problem, lang: str) -> str:
    found = problem.message_id or ""
    key = found.removeprefix(FILE_MESSAGE)
    if not found.startswith(FILE_MESSAGE) or key not in messages()["file"]:
        return problem.message
    locale = CLDR_LOCALES.get(lang, lang)
    params = {
        name: format_decimal(value, format="#,##0.0", locale=locale)
        if isinstance(value, float)
        else value
        for name, value in problem.params
    }
    hint = params.pop("hint", None)
    if hint:
        # what the reader can do about libxml2's message, in their language
        params["hint"] = say("file", f"hint_{hint}", lang, **params)
        key = f"{key}_hint" if params.get("message") else f"{key}_only"
    return say("file", key, lang, **params)


RULESET_MESSAGE = "iati_ruleset_"


def ruleset_refusal(
    message_id: str | None, params: Mapping[str, Any], english: str, lang: str
) -> str:
    """Why a ruleset could not be read, in ``lang`` where the messages file says it."""
    key = "ruleset_" + (message_id or "").removeprefix(RULESET_MESSAGE)
    if not (message_id or "").startswith(RULESET_MESSAGE) or key not in messages()["file"]:
        return english
    return say("file", key, lang, **params)


def ruleset_line(said: str, lang: str) -> str:
    """That refusal as one line for a terminal, after the word for an error."""
    return say("file", "ruleset_refused", lang, message=said, severity=say("ui", "error", lang))
