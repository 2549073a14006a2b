"""The report definitions installed on this server: those shipped with Greenfolio (board,
montreal, gef) and those in folders the administrator configured.

``$GREENFOLIO_REPORT_DEFINITIONS`` lists folders (separated like ``PATH``); each is either
a definition itself (it holds ``definition.yaml``) or holds definitions one folder down.
A definition is named by its folder's name; a configured one cannot take a shipped name.
Pages and the API choose a definition by name from this list, never by a path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.services.report_definition import SHIPPED

ENV_FOLDERS = "GREENFOLIO_REPORT_DEFINITIONS"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Installed:
    """One definition a reader may choose."""

    name: str
    shipped: bool
    source: str
    """What ``load_definition`` takes: the shipped name, or the folder's absolute path."""
    languages: tuple[str, ...]
    years: tuple[int, ...]
    """The years it has a session for (empty: any year)."""


def _describe(name: str, shipped: bool, source: str, folder: Path | None) -> Installed:
    from importlib import resources

    base = folder if folder is not None else resources.files(f"greenfolio.reports.{name}")
    langs = tuple(
        lang for lang in UN_LANGUAGES if base.joinpath("templates", f"{lang}.yaml").is_file()
    )
    try:
        raw = yaml.safe_load(base.joinpath("definition.yaml").read_text("utf-8")) or {}
        years = tuple(sorted(int(y) for y in (raw.get("sessions") or {})))
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError):
        years = ()
    return Installed(name, shipped, source, langs, years)


def _configured() -> list[Path]:
    found: list[Path] = []
    for entry in (os.environ.get(ENV_FOLDERS) or "").split(os.pathsep):
        if not entry.strip():
            continue
        folder = Path(entry.strip()).expanduser().resolve()
        if (folder / "definition.yaml").is_file():
            found.append(folder)
        elif folder.is_dir():
            found += sorted(p for p in folder.iterdir() if (p / "definition.yaml").is_file())
    return found


def installed() -> dict[str, Installed]:
    """Every definition one may build, by name: the shipped ones first."""
    out = {name: _describe(name, True, name, None) for name in SHIPPED}
    for folder in _configured():
        name = folder.name
        if name in out or not _NAME.match(name):
            continue
        out[name] = _describe(name, False, str(folder), folder)
    return out


def resolve(name: str) -> Installed:
    """The installed definition called ``name``, or an error listing the installed ones."""
    found = installed().get(name)
    if found is None:
        raise NotFoundError(
            f"no report definition {name!r} is installed: choose one of {', '.join(installed())}",
            message_id="report_unknown",
            params={"name": name},
        )
    return found
