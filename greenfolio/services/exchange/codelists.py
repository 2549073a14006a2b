"""The IATI 2.03 codelists shipped in ``refdata/iati/codelists``, as sets of codes.

Codes are checked, not trusted: an unknown sector, country or currency is reported with
the place it was found, so the publisher can correct it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lxml import etree


def _read(name: str) -> etree._Element:
    path = resources.files("greenfolio.refdata").joinpath(f"iati/codelists/{name}.xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(path.read_bytes(), parser)


@lru_cache(maxsize=64)
def codes(name: str) -> frozenset[str]:
    """Every active code of codelist ``name`` (withdrawn codes are left out)."""
    root = _read(name)
    return frozenset(
        (item.findtext("code") or "").strip()
        for item in root.iter("codelist-item")
        if item.get("status") != "withdrawn"
    )


def known(name: str, code: str) -> bool:
    return code in codes(name)


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@lru_cache(maxsize=8)
def names(name: str) -> dict[str, dict[str, str]]:
    """The names of codelist ``name``'s codes by language (English where the narrative
    gives none; IATI publishes some lists in French too), for the pages to name a code."""
    found: dict[str, dict[str, str]] = {}
    for item in _read(name).iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        said = {
            (narrative.get(XML_LANG) or "en"): (narrative.text or "").strip()
            for narrative in item.iterfind("name/narrative")
            if (narrative.text or "").strip()
        }
        if code and said:
            found[code] = said
    return found
