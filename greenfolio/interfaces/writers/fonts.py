"""The fonts a report needs, where they are looked up, and a clear stop when one is missing.

PDFs (Typst) and charts (vl-convert) are drawn with Noto families. A family that is not
installed would make both fall back to a font without the script's glyphs and write empty
boxes; a build checks first and stops, naming the font and the package that installs it.

Fonts are looked up among the system's fonts, or only in the folders listed in
``$GREENFOLIO_FONT_DIRS`` (separated by ``os.pathsep``) when it is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import typst

from greenfolio.domain.errors import GreenfolioError

FONT_DIRS_ENV = "GREENFOLIO_FONT_DIRS"
SYSTEM_FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/dejavu",
)
"""Where Debian's fonts-noto-core, fonts-noto-cjk and fonts-dejavu-core put their files
(for vl-convert)."""

SERIF = {"zh": "Noto Serif CJK SC", "ar": "Noto Naskh Arabic"}
"""The PDF body font of a script's languages; the others use Noto Serif."""
SANS = {"zh": "Noto Sans CJK SC", "ar": "DejaVu Sans"}
"""The chart font of a script's languages; the others use Noto Sans. Arabic charts use
DejaVu Sans: Noto Sans Arabic has no brackets ("(أ)" came out as boxes) and resvg, which
rasterises the charts, does not borrow a glyph from another font."""
LATIN_SERIF, LATIN_SANS = "Noto Serif", "Noto Sans"

PACKAGES = {
    "Noto Serif": "fonts-noto-core",
    "Noto Sans": "fonts-noto-core",
    "Noto Naskh Arabic": "fonts-noto-core",
    "Noto Sans Arabic": "fonts-noto-core",
    "Noto Serif CJK SC": "fonts-noto-cjk",
    "Noto Sans CJK SC": "fonts-noto-cjk",
    "DejaVu Sans": "fonts-dejavu-core",
}
"""The Debian package that installs each family."""


class MissingFontError(GreenfolioError):
    """A font the report needs is not installed (or not in $GREENFOLIO_FONT_DIRS)."""


def configured_dirs() -> tuple[str, ...] | None:
    """The folders named by $GREENFOLIO_FONT_DIRS, or None to use the system's fonts."""
    value = os.environ.get(FONT_DIRS_ENV)
    if value is None:
        return None
    return tuple(part for part in value.split(os.pathsep) if part)


def chart_dirs() -> tuple[str, ...]:
    """Folders to register with the chart renderer."""
    dirs = configured_dirs()
    return dirs if dirs is not None else SYSTEM_FONT_DIRS


def needed(langs: Iterable[str]) -> list[str]:
    """The families a report in ``langs`` is drawn with (PDF text and charts)."""
    out = [LATIN_SERIF, LATIN_SANS]
    for lang in langs:
        for table in (SERIF, SANS):
            family = table.get(lang)
            if family and family not in out:
                out.append(family)
    return out


@lru_cache(maxsize=8)
def _fonts(dirs: tuple[str, ...] | None) -> typst.Fonts:
    if dirs is None:
        return typst.Fonts(include_system_fonts=True, include_embedded_fonts=False)
    existing = [d for d in dirs if Path(d).is_dir()]
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=existing
    )


def typst_fonts() -> typst.Fonts:
    """The fonts Typst may use, as configured now (searched once per configuration)."""
    return _fonts(configured_dirs())


def available() -> frozenset[str]:
    """The font families the writers can find, as configured now."""
    return frozenset(typst_fonts().families())


def check(langs: Iterable[str]) -> None:
    """Stop, naming each missing family and how to install it, unless all are found."""
    langs = list(langs)
    found = available()
    missing = [family for family in needed(langs) if family not in found]
    if not missing:
        return
    packages = sorted({PACKAGES[family] for family in missing})
    dirs = configured_dirs()
    where = f"in {FONT_DIRS_ENV}={os.pathsep.join(dirs)}" if dirs is not None else "on this system"
    several = len(missing) > 1
    raise MissingFontError(
        f"font{'s' if several else ''} {', '.join(missing)} not found {where}; the report in "
        f"{', '.join(langs)} would print its text as empty boxes, so nothing was written. "
        f"Install {'them' if several else 'it'} (Debian/Ubuntu: sudo apt-get install "
        f"{' '.join(packages)}), or point {FONT_DIRS_ENV} at a folder holding the Noto fonts."
    )
