"""Country names as the United Nations writes them (UNTERM), in the six languages.

The table ``refdata/unterm/country_names.csv`` holds each State's UNTERM short name in the
catalogue form UNTERM publishes ("Philippines (the)", "Brasil (el)", "Uruguay (l')") and
its formal name; ``refdata/unterm/README.md`` gives the source, its date and what it
lacks. From these this module writes the two forms a document needs:

* ``table_name`` — the short name without its article, for tables, lists and pages
  ("Philippines", "Brasil");
* ``text_name`` — the name as it stands in running text, article and all ("the
  Philippines", "el Brasil", "l'Uruguay"), optionally after a preposition that contracts
  with the article ("del Brasil", "al Uruguay", "du Brésil", "aux Philippines").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_ARTICLE = re.compile(r"^(?P<base>.*?)\s*[(（](?P<art>the|le|la|les|l'|el|los|las)[)）]$")
_NO_ARTICLE = re.compile(r"^(?P<base>.*?)\s*\((?:sans article|sin artículo)\)$")
_LEADING = re.compile(r"^(?P<art>the|le|la|les|el|los|las) (?P<base>.+)$")
"""An article written before the name, as UNTERM writes one name ("la República de
Moldova") where the others carry theirs in brackets after it."""
_QUALIFIED = re.compile(r"[(（].+[)）]")

CONTRACTIONS: dict[str, dict[tuple[str, str], str]] = {
    "es": {("de", "el"): "del", ("a", "el"): "al"},
    "fr": {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"},
}
"""Preposition + article pairs that the language writes as one word."""

_VOWEL = re.compile(r"^[AEIOUYÀÂÉÈÊÎÔÛaeiouyàâéèêîôû]")


@dataclass(frozen=True)
class UnName:
    """One State's UNTERM names in one language."""

    short: str
    formal: str

    @property
    def article(self) -> str:
        match = _ARTICLE.match(self.short) or _LEADING.match(self.short)
        return match.group("art") if match else ""

    @property
    def table(self) -> str:
        for pattern in (_ARTICLE, _NO_ARTICLE, _LEADING):
            match = pattern.match(self.short)
            if match:
                return match.group("base")
        return self.short

    @property
    def text(self) -> str:
        """Running-text form: "the Philippines", "el Brasil", "l'Uruguay"; names that UNTERM
        qualifies in brackets ("Bolivia (Plurinational State of)") take their formal name,
        which is how UN documents write them in a sentence."""
        art = self.article
        if art:
            base = self.table
            return f"{art}{base}" if art.endswith("'") else f"{art} {base}"
        if _QUALIFIED.search(self.table) and self.formal:
            return self.formal
        return self.table


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], UnName]:
    text = (
        resources.files("greenfolio.refdata")
        .joinpath("unterm/country_names.csv")
        .read_text("utf-8")
    )
    return {
        (row["alpha3"], row["lang"]): UnName(row["short_name"], row["formal_name"])
        for row in csv.DictReader(io.StringIO(text))
    }


def un_name(alpha3: str, lang: str) -> UnName | None:
    """The UNTERM names of a State in ``lang``, or None if the table has none."""
    return _table().get((alpha3.upper(), lang))


@lru_cache(maxsize=1)
def _m49() -> dict[tuple[str, str], str]:
    text = resources.files("greenfolio.refdata").joinpath("unterm/m49_names.csv").read_text("utf-8")
    return {(row["alpha3"], row["lang"]): row["name"] for row in csv.DictReader(io.StringIO(text))}


def m49_name(alpha3: str, lang: str) -> str | None:
    """The name the UN Statistics Division's M49 standard gives an area in ``lang``, for
    the areas and languages UNTERM's table leaves out (territories; Hong Kong and Macao;
    the State of Palestine and Türkiye in some languages), or None."""
    return _m49().get((alpha3.upper(), lang))


def covered(lang: str) -> frozenset[str]:
    """Alpha-3 codes the table names in ``lang``."""
    return frozenset(code for code, la in _table() if la == lang)


def with_preposition(name: UnName, lang: str, prep: str) -> str:
    """``prep`` + the running-text name, contracted as the language requires:
    es de+el → "del Brasil", a+el → "al Uruguay"; fr de+le → "du Brésil", à+les → "aux
    Philippines". French ``prep="en"`` asks for the preposition of place ("in"), which the
    article chooses (see ``_french_locative``)."""
    art = name.article
    if lang == "fr" and prep == "en":
        return _french_locative(name)
    joined = CONTRACTIONS.get(lang, {}).get((prep, art))
    if joined:
        return f"{joined} {name.table}"
    if lang == "fr" and prep == "de" and not art and _VOWEL.match(name.text):
        return f"d'{name.text}"
    return f"{prep} {name.text}"


def _french_locative(name: UnName) -> str:
    """French "in <country>": the article chooses the preposition, as French grammar has
    it (Grevisse, *Le Bon Usage*, § 1051; the UN French editions follow it): a masculine
    name takes "au" ("au Ghana", "au Viet Nam"), a plural "aux" ("aux Philippines"), a
    feminine name, or a masculine one beginning with a vowel, "en" without its article
    ("en Sierra Leone", "en Inde", "en Uruguay"). Names UNTERM qualifies in brackets are
    written in their formal form ("en République islamique d'Iran", "dans l'État
    plurinational de Bolivie"). Names without an article (islands and small States) take
    "à" ("à Cuba", "à Sri Lanka"), or "en" before a vowel ("en Israël", "en El Salvador"),
    Antigua-et-Barbuda excepted ("à Antigua-et-Barbuda")."""
    art = name.article
    if art:
        base = name.table
    else:
        text = name.text
        for lead in ("les ", "le ", "la ", "l'"):
            if text.startswith(lead):
                art, base = lead.strip(), text[len(lead) :]
                break
        else:
            if _QUALIFIED.search(name.table):
                return f"dans l'{text}" if _VOWEL.match(text) else f"dans {text}"
            if _VOWEL.match(text) and not text.startswith("Antigua"):
                return f"en {text}"
            return f"à {text}"
    if art == "le":
        return f"au {base}"
    if art == "les":
        return f"aux {base}"
    return f"en {base}"


RUSSIAN_CASES = ("genitive", "dative", "instrumental", "prepositional")
"""Cases of ``refdata/unterm/country_cases_ru.csv`` (the nominative is the name itself)."""


@dataclass(frozen=True)
class RussianForms:
    """One State's Russian UNTERM name declined, and its preposition of place."""

    cases: dict[str, str]
    place: str
    """"в", "во" or "на" ("на Филиппинах", "во Вьетнаме")."""

    @property
    def located(self) -> str:
        """ "In <country>": "в Бразилии", "на Кубе"."""
        return f"{self.place} {self.cases['prepositional']}"


@lru_cache(maxsize=1)
def _russian_table() -> dict[str, RussianForms]:
    text = (
        resources.files("greenfolio.refdata")
        .joinpath("unterm/country_cases_ru.csv")
        .read_text("utf-8")
    )
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return {
        row["alpha3"]: RussianForms(
            {"nominative": row["nominative"], **{c: row[c] for c in RUSSIAN_CASES}}, row["in"]
        )
        for row in csv.DictReader(lines)
    }


def russian_forms(alpha3: str) -> RussianForms | None:
    """The declined Russian name of a State (generated from OpenCorpora with pymorphy3 and
    checked by hand: see ``scripts/build_russian_country_cases.py``), or None outside the
    UNTERM table."""
    return _russian_table().get(alpha3.upper())
