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
