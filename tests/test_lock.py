"""The lock files that scripts/demo and scripts/test install from cover pyproject.toml:
every dependency pinned to a version its range allows, each pin with hashes, and the
runtime lock at the same versions as the test lock. (`./scripts/lock` rewrites them.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)(?: ; ([^\\]+?))?\s*\\?$")


def _pins(name: str) -> dict[str, list[tuple[Version, str, str]]]:
    """Package -> (version, marker, the pin's text up to the next pin) from a lock file."""
    text = (ROOT / "requirements" / name).read_text("utf-8")
    pins: dict[str, list[tuple[Version, str, str]]] = {}
    blocks = re.split(r"\n(?=\S)", text)
    for block in blocks:
        found = PIN.match(block.splitlines()[0])
        if found:
            package = canonicalize_name(found.group(1).split("[")[0])
            pins.setdefault(package, []).append(
                (Version(found.group(2)), found.group(3) or "", block)
            )
    return pins


def _check_covered(
    requirements: list[str], pins: dict[str, list[tuple[Version, str, str]]]
) -> None:
    for line in requirements:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not locked: run ./scripts/lock"
        for version, _, _ in pins[name]:
            assert req.specifier.contains(version, prereleases=True), (
                f"{req.name}=={version} in the lock is outside {req.specifier}: run ./scripts/lock"
            )


def test_every_dependency_is_locked_within_its_range() -> None:
    runtime, test = _pins("runtime.txt"), _pins("test.txt")
    _check_covered(PROJECT["dependencies"], runtime)
    _check_covered(PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"], test)
    assert {"pytest-xdist", "setuptools"} <= set(test)
    assert "pytest" not in runtime


def test_every_pin_has_hashes_and_both_locks_agree() -> None:
    runtime, test = _pins("runtime.txt"), _pins("test.txt")
    for pins in (runtime, test):
        for name, entries in pins.items():
            for _, _, block in entries:
                assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), name
    for name, entries in runtime.items():
        assert [(v, m) for v, m, _ in entries] == [(v, m) for v, m, _ in test[name]], name


def test_babel_is_the_release_whose_date_ranges_the_reports_expect() -> None:
    """Babel 2.19 (CLDR 48) writes "12 – 15 Jul 2021" with thin spaces and
    "2021年7月12日 – 15日"; the reports follow the source: "12–15 July 2021", "至"."""
    (version, _, _), *_ = _pins("test.txt")["babel"]
    assert version < Version("2.19")
