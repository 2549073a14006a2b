"""Names of partner organisations in the six UN languages, or as given and marked.

``refdata/orgnames/organisations.yaml`` lists, per organisation, the languages in which
it has a name the UN or the organisation itself uses (with the source), and otherwise its
own name with the language that name is in. A document prints the name in its language
where one is listed; else the given name, which the writers mark with its language.
Greenfolio never translates a name itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.languages import check_language


@dataclass(frozen=True)
class OrgName:
    text: str
    lang: str
    """The language ``text`` is written in: the document's, or the given name's own."""


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    path = resources.files("greenfolio.refdata").joinpath("orgnames/organisations.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["organisations"]
    return data


def org_name(key: str, lang: str) -> OrgName:
    """The organisation's name in ``lang`` if it has one, else as given with its language."""
    check_language(lang)
    entry = _table().get(key)
    if entry is None:
        raise NotFoundError(
            f"no organisation {key!r} in refdata/orgnames/organisations.yaml: add it with "
            "its given name and language, and its names in other languages with their source"
        )
    names = entry.get("names") or {}
    if names.get(lang):
        return OrgName(str(names[lang]), lang)
    given = entry["given"]
    return OrgName(str(given["name"]), str(given["lang"]))
