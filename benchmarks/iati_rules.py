"""Benchmark: IATI's data-quality rules (ruleset ``standard``) against a bare parse.

Why this exists: the rules run inside the IATI import's streaming pass
(``import iati --rules standard``), and the import has a speed target relative to a
tight lxml pass (issue "Fast at scale": import ≥ 0.40× of it). This script builds a file
by repeating the real 2.0x activities of ``tests/data/iati/files`` under new identifiers
and measures, in CPU seconds (steadier than wall time on a busy machine), in one run:

- ``bare``: the fair baseline, an lxml ``iterparse`` over ``iati-activity`` elements with
  Greenfolio's safe parser settings that clears each one and deletes earlier siblings;
- ``validate``: ``iati_rules.check_file`` with the packaged ``standard`` ruleset
  (what ``greenfolio validate iati`` does);
- ``import`` and ``import --rules``: ``import_file`` into a new SQLite database, without
  and with the ``standard`` ruleset.

Each is run twice: ``cold`` (the first pass in this process: compiled XPaths and the
rule plans are built on the way) and ``warm`` (the second pass). It prints, for each,
MB/s, the ratio to the bare pass of the same run and the time per activity.

Run it as::

    python benchmarks/iati_rules.py [--size-mb 25] [--no-import]
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
    for _event, el in etree.iterparse(
        str(path),
        events=("end",),
        tag="iati-activity",
        remove_comments=True,
        remove_pis=True,
        **PARSER_OPTIONS,
    ):
        el.clear(keep_tail=False)
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]
    return time.process_time() - start


def validate(path: Path, ruleset: iati_rules.Ruleset) -> tuple[float, int]:
    env = iati_rules.default_env()
    start = time.process_time()
    report = iati_rules.check_file(path, ruleset, env=env)
    return time.process_time() - start, report.checked


def import_(path: Path, folder: Path, ruleset: iati_rules.Ruleset | None) -> tuple[float, int]:
    from greenfolio.services import reference
    from greenfolio.services.database import Database
    from greenfolio.services.exchange.iati_import import import_file

    db = Database.open(str(folder / f"bench-{time.monotonic_ns()}.sqlite"))
    db.upgrade()
    reference.sync(db)
    start = time.process_time()
    summary = import_file(db, path, rules=ruleset)
    seconds = time.process_time() - start
    db.close()
    return seconds, summary.created


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--size-mb", type=float, default=25.0)
    args.add_argument("--no-import", action="store_true", help="measure the rules alone")
    opts = args.parse_args()
    from greenfolio.services.exchange.iati_parse import alpha3_by_alpha2

    alpha3_by_alpha2()  # a fixed start-up cost, not a cost per megabyte
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "rules.xml"
        count = build(path, opts.size_mb)
        size = path.stat().st_size / MB
        print(f"file: {size:.1f} MB, {count} activities (real activities, repeated)")
        bare(path)  # the file into the page cache
        base = min(bare(path) for _ in range(3))
        print(f"bare iterparse (baseline): {size / base:6.1f} MB/s")
        rows: list[tuple[str, float, int]] = []
        standard = iati_rules.load_ruleset("standard")
        rows += [(f"validate --rules standard, {w}", *validate(path, standard)) for w in WHEN]
        if not opts.no_import:
            for label, ruleset in (("import", None), ("import --rules standard", standard)):
                fresh = iati_rules.load_ruleset("standard") if ruleset else None
                rows += [(f"{label}, {w}", *import_(path, folder, fresh)) for w in WHEN]
    for label, seconds, done in rows:
        print(
            f"{label:>36}: {size / seconds:6.1f} MB/s, {base / seconds:5.2f}x the bare pass, "
            f"{seconds / max(done, 1) * 1000:.3f} ms per activity ({done} activities)"
        )


WHEN = ("cold", "warm")


if __name__ == "__main__":
    main()
