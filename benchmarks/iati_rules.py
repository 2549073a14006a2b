"""Benchmark: IATI's data-quality rules (ruleset ``standard``) against a bare parse.

Why this exists: the rules are to run inside the IATI import's streaming pass, and the
import has a speed target relative to a bare lxml pass (issue "Fast at scale"). This
script builds a file by repeating the real 2.0x activities of ``tests/data/iati/files``
under new identifiers and measures, in CPU seconds (steadier than wall time on a busy
machine):

- ``bare``: an lxml ``iterparse`` pass over ``iati-activity`` elements that clears each;
- ``rules``: ``iati_rules.check_file`` with the packaged ``standard`` ruleset.

It prints MB/s for each, the rules' share of the bare pass and the time per activity.

Run it as::

    python benchmarks/iati_rules.py [--size-mb 25]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from lxml import etree

from greenfolio.services.exchange import iati_rules
from greenfolio.services.exchange.xml_safety import PARSER_OPTIONS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "tests" / "data" / "iati" / "files" / "es-maec-indonesia-v201.xml",
    ROOT / "tests" / "data" / "iati" / "files" / "iati-example-v203.xml",
]
MB = 1_000_000


def build(path: Path, size_mb: float) -> int:
    """Write a 2.03 file of at least ``size_mb`` MB from the real activities."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    activities = [
        etree.tostring(a)
        for source in SOURCES
        for a in etree.parse(str(source), parser).getroot().iter("iati-activity")
    ]
    count = 0
    with open(path, "wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        while out.tell() < size_mb * MB:
            raw = activities[count % len(activities)]
            out.write(raw.replace(b"<iati-identifier>", b"<iati-identifier>B%d-" % count, 1))
            count += 1
        out.write(b"</iati-activities>\n")
    return count


def bare(path: Path) -> float:
    start = time.process_time()
    for _event, el in etree.iterparse(str(path), tag="iati-activity", **PARSER_OPTIONS):
        el.clear(keep_tail=False)
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]
    return time.process_time() - start


def rules(path: Path) -> tuple[float, int]:
    ruleset = iati_rules.load_ruleset("standard")
    env = iati_rules.default_env()
    start = time.process_time()
    report = iati_rules.check_file(path, ruleset, env=env)
    return time.process_time() - start, report.checked


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--size-mb", type=float, default=25.0)
    opts = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.xml"
        count = build(path, opts.size_mb)
        size = path.stat().st_size / MB
        bare_s = bare(path)
        rules_s, checked = rules(path)
    assert checked == count
    print(f"file: {size:.1f} MB, {count} activities")
    print(f"bare iterparse: {size / bare_s:.1f} MB/s")
    print(
        f"rules (standard): {size / rules_s:.1f} MB/s, {bare_s / rules_s:.0%} of the bare pass, "
        f"{rules_s / count * 1000:.2f} ms per activity"
    )


if __name__ == "__main__":
    main()
