"""Names of partner organisations and UN bodies in the six UN languages, or as given and marked.

Two tables in ``refdata/orgnames``, one concept each: ``organisations.yaml`` (partners that
are not bodies of the UN system) and ``un_bodies.yaml`` (bodies of the UN system and other
intergovernmental or international bodies). Each entry lists the languages in which the
organisation has a name the UN or the organisation itself uses, each with its source, and
otherwise its own name with the language that name is in. A document prints the name in its
language where one is listed; else the given name, which the writers mark with its language.
Greenfolio never translates a name itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.languages import check_language

TABLES = {"organisations.yaml": "organisations", "un_bodies.yaml": "bodies"}
"""The files of ``refdata/orgnames`` and the top-level key each keeps its entries under."""

CASES = ("genitive", "dative", "instrumental", "prepositional")
"""Russian cases a template may ask a listed name in (the nominative is the name itself)."""


@dataclass(frozen=True)
class OrgName:
    text: str
    lang: str
    """The language ``text`` is written in: the document's, or the given name's own."""


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, Any]]:
    """Every entry of both files by key; a key in both files is an error."""
    out: dict[str, dict[str, Any]] = {}
    folder = resources.files("greenfolio.refdata").joinpath("orgnames")
    for filename, top in TABLES.items():
        data = yaml.safe_load(folder.joinpath(filename).read_text(encoding="utf-8"))[top]
        for key, entry in data.items():
            if key in out:
                raise ValidationError(f"organisation {key!r} is listed twice in refdata/orgnames")
            out[key] = {**entry, "file": filename}
    return out


def org_name(key: str, lang: str, case: str | None = None) -> OrgName:
    """The organisation's name in ``lang`` if it has one (in ``case`` if asked), else as
    given with its language (a given name is never declined)."""
    check_language(lang)
    entry = table().get(key)
    if entry is None:
        raise NotFoundError(
            f"no organisation {key!r} in refdata/orgnames: add it with its given name and "
            "language, and its names in other languages with their source"
        )
    names = entry.get("names") or {}
    if names.get(lang):
        if case is None:
            return OrgName(str(names[lang]), lang)
        if case not in CASES:
            raise ValidationError(f"org({key!r}): unknown case {case!r}; one of {CASES}")
        form = ((entry.get("forms") or {}).get(lang) or {}).get(case)
        if not form:
            raise ValidationError(
                f"org({key!r}, case={case!r}): no {case} form of the {lang} name "
                f"{names[lang]!r} in refdata/orgnames/{entry['file']}"
            )
        return OrgName(str(form), lang)
    given = entry["given"]
    return OrgName(str(given["name"]), str(given["lang"]))


def unsourced(key: str) -> list[str]:
    """The listed languages (names, abbreviations, declined forms) of ``key`` that name no
    source, and a missing source of the given name: empty when the entry is complete."""
    entry = table()[key]
    sources = entry.get("sources") or {}
    langs = {*(entry.get("names") or {}), *(entry.get("abbr") or {}), *(entry.get("forms") or {})}
    out = sorted(lang for lang in langs if lang != entry["given"]["lang"] and not sources.get(lang))
    if entry["file"] == "un_bodies.yaml" and not sources.get("given"):
        out.append("given")
    for lang in entry.get("forms") or {}:
        if lang not in (entry.get("names") or {}):
            out.append(f"forms:{lang}")
    return out
