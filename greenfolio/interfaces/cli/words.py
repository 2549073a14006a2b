"""The words the command line prints for stored codes: the English of the pages' message
catalogue (``refdata.catalogue``), so that a unit reads "ODP t", a status "Being implemented"
and a role "Editor" here as on the pages, never ``ODP_tonne``, ``implementation`` or
``editor@all``. Output for scripts (--json) keeps the codes.

The lookup imports nothing but the standard library (the catalogue is read without
PyYAML), so a calculator's few lines stay within their start-up budget
(benchmarks/cli_start.py); a unit agreeing with its number and a refusal in words need
babel and the pages' refusal texts, imported when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from greenfolio.domain.errors import GreenfolioError
from greenfolio.refdata.catalogue import word

if TYPE_CHECKING:
    from greenfolio.domain.permissions import Grant

LANG = "en"
"""The command line speaks English."""


def said(group: str, code: str | None) -> str:
    """The word for ``code`` of ``group`` (``labels.GROUPS``: unit, status, state, role,
    qualifier, work_kind …); a code without one (a unit someone typed) as stored."""
    return word(group, code, LANG)


def sex_of(code: str | None) -> str:
    """The part a result counts, or "Total" for one that counts everyone, as the pages
    write it."""
    from greenfolio.refdata.catalogue import catalogue

    return word("sex", code, LANG) if code else str(catalogue(LANG)["sex_everyone_short"])


def unit_code(typed: str) -> str:
    """The unit code for what someone typed: a code as it is ("t", "ODP_tonne"), or the
    word this command line prints for one ("countries", "country", "ODP t", "t CO₂e",
    "tCO2e"), so that a unit read off a table can be typed back; anything else as typed,
    for the unit check to judge."""
    from greenfolio.domain.units import word_key
    from greenfolio.interfaces.http.labels import unit_forms
    from greenfolio.refdata.catalogue import catalogue

    # a word with a capital only as written: its case is a prefix ("mW" is not "MW")
    found: dict[str, str] = {}
    for key, text in catalogue(LANG).items():
        if key.startswith("unit_"):
            found.setdefault(word_key(str(text)), key.removeprefix("unit_"))
            found.setdefault(word_key(str(text).replace("₂", "2")), key.removeprefix("unit_"))
    for forms in unit_forms().get(LANG, {}).values():
        for code, text in forms.items():
            found.setdefault(word_key(text), code)
    if typed in found.values():
        return typed
    return found.get(word_key(typed), typed)


def counted(unit: str | None, value: float | None) -> str:
    """The unit after ``value`` in the number's form, as the pages write it: "1 policy",
    "4 policies"."""
    from greenfolio.interfaces.http.labels import counted_unit
    from greenfolio.interfaces.http.translator import Translator

    return counted_unit(Translator(LANG), unit, value)


def countries(codes: Iterable[str]) -> str:
    """Countries by their English short names as the pages list them ("Brazil, Thailand,
    Uruguay"), in the order of the names; a code that is not a country as stored."""
    from greenfolio.domain.countries import name_order
    from greenfolio.interfaces.http.labels import country

    return ", ".join(sorted((country(code, LANG) for code in codes), key=name_order))


def grants(held: Iterable[Grant]) -> str:
    """Roles on their scopes as the accounts page names them: "Editor (all projects),
    Viewer (Brazil)"; "no roles" for none."""
    from greenfolio.interfaces.http.labels import grant
    from greenfolio.interfaces.http.translator import Translator

    tr = Translator(LANG)
    return ", ".join(grant(tr, g.role.value, str(g.scope)) for g in held) or "no roles"


def refusal(exc: GreenfolioError) -> str:
    """What the command line says about ``exc``: a refusal for want of a role as the pages
    say it in English, the roles by their names ("Editor (all projects)"), after the
    account it was asked as (--as); any other in its own text, which names options as
    the command line does."""
    if not str(exc.message_id).startswith("denied_"):  # permissions.denied's refusals
        return str(exc)
    from greenfolio.interfaces.web.i18n import Translator
    from greenfolio.interfaces.web.refusal_text import refusal_text

    said = refusal_text(Translator(LANG), exc)
    user = exc.params.get("user")
    return f"signed in as {user}: {said}" if user else said


def typed_choice(flag: str, group: str, codes: type[StrEnum], typed: str | None) -> str | None:
    """The code ``typed`` names: a code, or the word the list prints for it ("Being
    implemented"), in any case; the list's words were refused before."""
    import typer

    from greenfolio.domain.text import folded

    if typed is None:
        return None
    wanted = folded(typed)
    for choice in codes:
        if wanted in (folded(choice.value), folded(said(group, choice.value))):
            return choice.value
    offered = ", ".join(f"{c.value} ({said(group, c.value)})" for c in codes)
    raise typer.BadParameter(f"{typed!r} is none of: {offered}", param_hint=flag)
