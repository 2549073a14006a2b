"""Benchmark: IATI import speed and memory against the parser's limit and against iatikit.

Why this exists: the design asks for IATI import "at the speed of the parser" and in
bounded memory, whatever the file size. This script builds a file of at least 200 MB
by repeating the real 2.0x activities of ``tests/data/iati/files`` under new
identifiers, then times, each in its own process so that peak memory is its own:

- ``bare``: an lxml ``iterparse`` pass that clears every element it is given (the
  practical limit, as the issue measured it), with Greenfolio's safe parser settings;
- ``bare-activity``: the same, told to stop only at ``iati-activity`` elements and
  dropping each one once read: the tightest limit for a reader like Greenfolio's;
- ``parse``: Greenfolio's reader alone (every field it stores, codes checked);
- ``import``: parse and store into a new SQLite database (one transaction);
- ``iatikit``: iatikit reading the same kinds of fields through its own API
  (identifier, title, description, sectors, locations, the four activity dates). Its
  sectors need codelists that iatikit downloads from the IATI website; the benchmark
  writes them instead, in iatikit's cache format, from the 2.03 codelists in tests/data.

It prints MB/s, each mode's ratio to the bare pass, the import's speed-up over iatikit,
and peak memory (resident set), plus the reader's peak on a quarter-size file to show
that memory does not grow with the file. Targets: parse ≥ 50 % of the bare pass, import
≥ 25 %, import ≥ 5× iatikit, flat memory.

Run it as::

    python benchmarks/iati_import.py [--size-mb 200] [--file PATH] [--install]

``--install`` installs iatikit into this Python's environment first (pip); without it
the iatikit row is skipped when iatikit is not installed. iatikit is not a dependency
of Greenfolio. The 1.0x files are left out of the built file: one file has one version,
and a 2.03 file of 1.0x activities would measure nothing real.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SOURCES = [
    DATA / "iati" / "files" / "es-maec-indonesia-v201.xml",
    DATA / "iati" / "files" / "iati-example-v203.xml",
]
MODES = ("bare", "bare-activity", "parse", "import", "iatikit")
MB = 1_000_000


def build(path: Path, size_mb: float) -> int:
    """Write a 2.03 file of at least ``size_mb`` MB from the real activities; returns count."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    activities = [
        act
        for src in SOURCES
        for act in etree.parse(str(src), parser).getroot()
        if act.tag == "iati-activity"
    ]
    target = int(size_mb * MB)
    count = 0
    with open(path, "wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        written = 0
        round_no = 0
        while written < target:
            round_no += 1
            for act in activities:
                ident = act.find("iati-identifier")
                assert ident is not None and ident.text
                original = ident.text
                ident.text = f"{original}-R{round_no:05d}"
                data = etree.tostring(act) + b"\n"
                ident.text = original
                out.write(data)
                written += len(data)
                count += 1
        out.write(b"</iati-activities>\n")
    return count


def _iatikit_codelists(folder: Path) -> None:
    """Write the codelists iatikit's sectors need, in its cache layout, from shared data."""
    source = DATA / "iati" / "codelists-2.03"
    target = folder / "codelists"
    target.mkdir(parents=True, exist_ok=True)
    names = ["Sector", "SectorCategory", "SectorVocabulary"]
    for name in names:
        root = etree.parse(str(source / f"{name}.xml")).getroot()
        data = {}
        for item in root.iter("codelist-item"):
            code = (item.findtext("code") or "").strip()
            data[code] = {
                "code": code,
                "name": (item.findtext("name/narrative") or "").strip(),
                "category": (item.findtext("category") or "").strip() or None,
                "status": item.get("status", "active"),
            }
        attributes = {"name": name, "complete": root.get("complete"), "embedded": "1"}
        (target / f"{name}.json").write_text(
            json.dumps({"attributes": attributes, "metadata": {}, "data": data})
        )
    # iatikit first looks a vocabulary up in the 1.0x list; an empty one sends it on.
    (target / "Vocabulary.json").write_text(
        json.dumps({"attributes": {}, "metadata": {}, "data": {}})
    )
    versions = {name: ["2.03"] for name in [*names, "Vocabulary"]}
    (target / "codelists.json").write_text(json.dumps(versions))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path) -> dict[str, Any]:
    """Run one mode in this process; returns seconds, activities and peak memory.

    Modules and reference tables are loaded before the clock starts: they are a fixed
    start-up cost, not a cost per megabyte.
    """
    from greenfolio.services.exchange.xml_safety import PARSER_OPTIONS

    if mode in ("parse", "import"):
        from greenfolio.services.exchange.iati_parse import ActivityReader, alpha3_by_alpha2

        alpha3_by_alpha2()
    start = time.perf_counter()
    count = 0
    if mode == "bare":
        for _event, el in etree.iterparse(str(path), events=("end",), **PARSER_OPTIONS):
            count += el.tag == "iati-activity"
            el.clear(keep_tail=False)
    elif mode == "bare-activity":
        for _event, el in etree.iterparse(
            str(path),
            events=("end",),
            tag="iati-activity",
            remove_comments=True,
            remove_pis=True,
            **PARSER_OPTIONS,
        ):
            count += 1
            el.clear(keep_tail=False)
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
    elif mode == "parse":
        for parsed in ActivityReader(path):
            count += parsed.activity is not None
    elif mode == "import":
        from greenfolio.services import reference
        from greenfolio.services.database import Database
        from greenfolio.services.exchange.iati_import import import_file

        with tempfile.TemporaryDirectory() as tmp:
            db = Database.open(str(Path(tmp) / "bench.sqlite"))
            db.upgrade()
            reference.sync(db)
            start = time.perf_counter()
            summary = import_file(db, path)
            count = summary.created
            db.close()
    elif mode == "iatikit":
        import iatikit
        from iatikit.utils.config import CONFIG

        cache = Path(tempfile.mkdtemp())
        _iatikit_codelists(cache)
        CONFIG["paths"]["standard"] = str(cache)
        start = time.perf_counter()
        dataset = iatikit.Dataset(str(path))
        for act in dataset.activities:
            _ = (
                act.iati_identifier,
                act.title,
                act.description,
                act.sector,
                act.location,
                act.planned_start,
                act.actual_start,
                act.planned_end,
                act.actual_end,
            )
            count += 1
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return {
        "mode": mode,
        "seconds": time.perf_counter() - start,
        "activities": count,
        "peak_mib": _peak_mib(),
    }


def _child(mode: str, path: Path) -> dict[str, Any] | None:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", mode, "--file", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        print(f"{mode}: failed\n{result.stderr.strip()[-2000:]}", file=sys.stderr)
        return None
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def _has_iatikit() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import iatikit"], capture_output=True, check=False
    )
    return probe.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=200.0, help="Least size of the file.")
    parser.add_argument("--file", type=Path, help="Use (or build) this file.")
    parser.add_argument("--install", action="store_true", help="pip install iatikit first.")
    parser.add_argument("--measure", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.file)))
        return
    if args.install:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "iatikit"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "iati-bench.xml"
        if not path.exists():
            count = build(path, args.size_mb)
            print(f"built {path} with {count:,} activities")
        quarter = Path(tmp) / "iati-bench-quarter.xml"
        build(quarter, args.size_mb / 4)
        size = path.stat().st_size / MB
        print(f"file: {size:,.1f} MB")
        modes = [m for m in MODES if m != "iatikit" or _has_iatikit()]
        if "iatikit" not in modes:
            print("iatikit not installed: run with --install to compare with it")
        rows = {m: r for m in modes if (r := _child(m, path)) is not None}
        small = _child("parse", quarter)
    bare, tight = rows.get("bare"), rows.get("bare-activity")

    def ratio(base: dict[str, Any] | None, row: dict[str, Any]) -> str:
        return f"{base['seconds'] / row['seconds']:.0%}" if base else "-"

    print(
        f"{'mode':14} {'seconds':>8} {'MB/s':>7} {'vs bare':>8} {'vs bare-act':>11} "
        f"{'peak MiB':>9} activities"
    )
    for mode, row in rows.items():
        print(
            f"{mode:14} {row['seconds']:8.2f} {size / row['seconds']:7.1f} "
            f"{ratio(bare, row):>8} {ratio(tight, row):>11} {row['peak_mib']:9.0f} "
            f"{row['activities']:,}"
        )
    if "import" in rows and "iatikit" in rows:
        times = rows["iatikit"]["seconds"] / rows["import"]["seconds"]
        print(f"import is {times:.1f}x as fast as iatikit reading the same fields")
    if small is not None and "parse" in rows:
        print(
            f"parse peak memory: {small['peak_mib']:.0f} MiB on a quarter-size file, "
            f"{rows['parse']['peak_mib']:.0f} MiB on the full file"
        )


if __name__ == "__main__":
    main()
