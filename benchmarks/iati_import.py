"""Benchmark: IATI import, rules and export against the tight lxml pass, and memory.

Why this exists: the design (DESIGN.md, "Performance") and issue 11 ask for IATI import
"≥ 0.40× a tight lxml iterparse pass that frees each activity (parse alone ≥ 0.70×);
memory flat whatever the file size; export at least as fast as import", and issue 14
asks the same import target with ``--rules standard``. This script builds files by
repeating the real 2.0x activities of ``tests/data/iati/files`` under new identifiers
(the 1.0x files are left out: a 2.03 file of 1.0x activities would measure nothing
real) and measures, each mode in a process of its own:

- ``tight`` (the baseline): ``iterparse`` told to stop only at ``iati-activity`` end
  events, with Greenfolio's safe parser settings, that clears each activity and deletes
  the siblings before it (``while el.getprevious() is not None: del parent[0]``);
- ``parse``: Greenfolio's reader alone (every field it stores, codes checked): the
  compiled reader (``iati_native``) where the install built it, as it does with a C
  compiler, the Python readers for each activity with something to report;
- ``import``: parse and store into a new database (one transaction for the file);
- ``import-rules``: the same with ``--rules standard`` (IATI's rules in the same pass);
- ``export``: ``export iati`` of the database the import made, per activity;
- ``store-floor``: the database's own share of an import: the rows an import of the file
  wrote (read back from a database it was imported into, untimed) written again into a
  new database by one ``executemany`` (SQLite) or one raw ``COPY`` of the server's own
  text (PostgreSQL) per table, with the same indexes and triggers. It is printed beside
  ``import`` as ``tight + floor``: the least any importer of these rows can take, so the
  share of the import that is Greenfolio's own work can be read off.

Each process runs its mode twice: ``cold`` is the first pass in a fresh process (XPaths
compiled, rule plans and caches built on the way; the file is in the page cache, read
by the baseline first), ``warm`` the second (for imports: into another new database).
Times are CPU seconds of the process (``process_time``, steadier than wall time on a
shared machine) and wall seconds; the ratio is baseline time / mode time, from the
same run. With PostgreSQL the server's work is in another process: the wall ratio is
the one to read there. Peak memory is the process's peak resident set
(``ru_maxrss``), measured for parse and import at each ``--sizes`` file.

Run it as::

    python benchmarks/iati_import.py [--size-mb 50] [--sizes 50,100,200] [--repeat 3]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--no-rules]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SOURCES = [
    DATA / "iati" / "files" / "es-maec-indonesia-v201.xml",
    DATA / "iati" / "files" / "iati-example-v203.xml",
]
MODES = ("tight", "parse", "import", "import-rules", "export", "store-floor")
MB = 1_000_000


def build(path: Path, size_mb: float) -> int:
    """Write a 2.03 file of at least ``size_mb`` MB from the real activities; returns count."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    activities = [
        etree.tostring(a)
        for src in SOURCES
        for a in etree.parse(str(src), parser).getroot()
        if a.tag == "iati-activity"
    ]
    count = 0
    with open(path, "wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        while out.tell() < size_mb * MB:
            raw = activities[count % len(activities)]
            out.write(raw.replace(b"<iati-identifier>", b"<iati-identifier>B%d-" % count, 1))
            out.write(b"\n")
            count += 1
        out.write(b"</iati-activities>\n")
    return count


def _reader() -> str:
    """Which reader the figures are of: the compiled one is built by the install."""
    from greenfolio.services.exchange.iati_parse import compiled_reader_built

    if not compiled_reader_built():
        return "Python readers only (iati_native not built: no C compiler at install)"
    return "compiled (iati_native), the Python readers for activities with a problem"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tight(path: Path) -> int:
    """The baseline: the least work a streaming reader of activities must do."""
    from greenfolio.services.exchange.xml_safety import PARSER_OPTIONS

    count = 0
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
    return count


def _database(url: str | None, folder: Path) -> tuple[Any, Callable[[], None]]:
    """A new, upgraded database (a file, or a database on the PostgreSQL server)."""
    from greenfolio.services import reference
    from greenfolio.services.database import Database

    if url is None:
        db = Database.open(str(folder / f"bench-{uuid.uuid4().hex[:8]}.sqlite"))
        drop: Callable[[], None] = db.close
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        name = f"greenfolio_bench_{uuid.uuid4().hex[:10]}"
        admin = make_url(url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db = Database.open(make_url(url).set(database=name).render_as_string(False))

        def drop() -> None:
            db.close()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    db.upgrade()
    reference.sync(db)
    return db, drop


def _table_rows(db: Any) -> dict[str, tuple[int, int | None, list[Any]]]:
    """Each table's row count, highest integer id (None without an ``id`` column) and,
    for a table keyed otherwise by one column, the keys it holds."""
    from greenfolio.store.tables import Base

    out: dict[str, tuple[int, int | None, list[Any]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            has_id = "id" in table.c
            top = ", max(id)" if has_id else ""
            count, *rest = conn.exec_driver_sql(f'SELECT count(*){top} FROM "{table.name}"').one()
            keys: list[Any] = []
            pk = list(table.primary_key.columns)
            if count and not has_id and len(pk) == 1:
                keys = list(conn.execute(select(pk[0])).scalars())
            out[table.name] = (int(count), int(rest[0] or 0) if has_id else None, keys)
    return out


def _import_rows(db: Any, before: dict[str, tuple[int, int | None, list[Any]]]) -> list[Any]:
    """(table and its columns, SELECT of the rows the import added), tables in the
    order they are made."""
    from greenfolio.store.tables import Base

    out = []
    for name, (count, _top, _keys) in _table_rows(db).items():
        was, was_top, was_keys = before[name]
        table = Base.metadata.tables[name]
        query = select(table)
        if count == was:
            continue
        if was and was_top is not None:
            query = query.where(table.c.id > was_top)
        elif was and was_keys:
            query = query.where(next(iter(table.primary_key.columns)).not_in(was_keys))
        elif was:
            print(f"store-floor: {name} had rows before the import; left out", file=sys.stderr)
            continue
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        columns = ", ".join(f'"{c.name}"' for c in table.c)
        out.append((f'"{name}" ({columns})', str(compiled)))
    return out


def _store_floor(db: Any, fresh: Any, selects: list[tuple[str, str]]) -> tuple[float, float]:
    """Write the rows ``selects`` read from ``db`` into ``fresh``; only the writing is
    timed. Returns the projects written."""
    raw_from = db.engine.raw_connection()
    raw_to = fresh.engine.raw_connection()
    try:
        if db.engine.dialect.name == "postgresql":
            data: list[tuple[str, bytes]] = []
            with raw_from.cursor() as cur:
                for name, query in selects:
                    with cur.copy(f"COPY ({query}) TO STDOUT") as copy:
                        data.append((name, b"".join(bytes(chunk) for chunk in copy)))
            cpu, wall = time.process_time(), time.perf_counter()
            with raw_to.cursor() as cur:
                for name, text in data:
                    with cur.copy(f"COPY {name} FROM STDIN") as copy:
                        copy.write(text)
            raw_to.commit()
        else:
            rows: list[tuple[str, list[Any]]] = []
            cur = raw_from.cursor()
            for name, query in selects:
                rows.append((name, cur.execute(query).fetchall()))
            cpu, wall = time.process_time(), time.perf_counter()
            out = raw_to.cursor()
            out.execute("BEGIN")
            for name, found in rows:
                if found:
                    marks = ", ".join("?" for _ in found[0])
                    out.executemany(f"INSERT INTO {name} VALUES ({marks})", found)
            out.execute("COMMIT")
        spent = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        raw_from.close()
        raw_to.close()
    return spent


def _timed(run: Callable[[], int]) -> dict[str, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    count = run()
    return {
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "activities": count,
    }


def _imported(import_file: Callable[..., Any], db: Any, path: Path, rules: Any) -> int:
    return int(import_file(db, path, rules=rules).created)


def _exported(export: Callable[..., Any], db: Any, target: Path) -> int:
    return int(export(db, target).exported)


def measure(mode: str, path: Path, url: str | None, once: bool = False) -> dict[str, Any]:
    """Run ``mode`` twice in this process (cold, warm; ``once``: cold only); start-up
    costs are not timed."""
    from greenfolio.services.exchange import iati_rules
    from greenfolio.services.exchange.iati_export import export
    from greenfolio.services.exchange.iati_import import import_file
    from greenfolio.services.exchange.iati_parse import ActivityReader, alpha3_by_alpha2

    alpha3_by_alpha2()
    out: dict[str, Any] = {"mode": mode}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for when in ("cold",) if once else ("cold", "warm"):
            if mode == "tight":
                out[when] = _timed(lambda: tight(path))
            elif mode == "parse":
                out[when] = _timed(lambda: sum(1 for p in ActivityReader(path) if p.activity))
            elif mode == "store-floor":
                db, drop = _database(url, folder)
                fresh, drop_fresh = _database(url, folder)
                try:
                    before = _table_rows(db)
                    count = _imported(import_file, db, path, None)
                    cpu, wall = _store_floor(db, fresh, _import_rows(db, before))
                    out[when] = {"cpu": cpu, "wall": wall, "activities": count}
                finally:
                    drop()
                    drop_fresh()
            elif mode in ("import", "import-rules", "export"):
                db, drop = _database(url, folder)
                rules = iati_rules.load_ruleset("standard") if mode == "import-rules" else None
                try:
                    imported = _timed(partial(_imported, import_file, db, path, rules))
                    if mode == "export":
                        target = folder / "export.xml"
                        out[when] = _timed(partial(_exported, export, db, target))
                    else:
                        out[when] = imported
                finally:
                    drop()
    out["peak_mib"] = _peak_mib()
    return out


def _child(mode: str, path: Path, url: str | None, once: bool = False) -> dict[str, Any] | None:
    command = [sys.executable, __file__, "--measure", mode, "--file", str(path)]
    if once:
        command.append("--once")
    if url:
        command += ["--postgres", url]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        print(f"{mode}: failed\n{result.stderr.strip()[-2000:]}", file=sys.stderr)
        return None
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def _spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def speed(path: Path, modes: list[str], url: str | None, repeat: int) -> None:
    """Each mode against the tight pass of the same round, ``repeat`` rounds."""
    size = path.stat().st_size / MB
    backend = "PostgreSQL" if url else "SQLite"
    print(f"\nspeed, {size:.1f} MB file, {backend}, {repeat} round(s): ratio = tight / mode")
    ratios: dict[tuple[str, str, str], list[float]] = {}
    per_activity: dict[tuple[str, str], list[float]] = {}
    for round_no in range(1, repeat + 1):
        base = _child("tight", path, url)
        if base is None:
            return
        done_rows: dict[str, dict[str, Any]] = {}
        for mode in modes:
            row = base if mode == "tight" else _child(mode, path, url)
            if row is None:
                continue
            done_rows[mode] = row
            for when in ("cold", "warm"):
                figures = row[when]
                done = max(int(figures["activities"]), 1)
                line = [f"round {round_no} {mode:13} {when}:"]
                for clock in ("cpu", "wall"):
                    ratio = base[when][clock] / figures[clock]
                    ratios.setdefault((mode, when, clock), []).append(ratio)
                    line.append(
                        f"{clock} {figures[clock]:6.2f} s ({size / figures[clock]:6.1f} MB/s, "
                        f"{ratio:4.2f}x tight {base[when][clock]:.2f} s)"
                    )
                per_activity.setdefault((mode, when), []).append(figures["cpu"] / done * 1000)
                print("  ".join(line), f"{figures['cpu'] / done * 1000:.3f} ms/activity")
        floor = done_rows.get("store-floor")
        for mode in ("import", "import-rules"):
            if floor is None or mode not in done_rows:
                continue
            for when in ("cold", "warm"):
                line = [f"round {round_no} {mode:13} {when}: against tight + store-floor"]
                for clock in ("cpu", "wall"):
                    least = base[when][clock] + floor[when][clock]
                    ratio = least / done_rows[mode][when][clock]
                    ratios.setdefault((f"{mode} / floor", when, clock), []).append(ratio)
                    line.append(f"{clock} {ratio:4.2f}x ({least:.2f} s)")
                print("  ".join(line))
    print("summary (median, min–max over rounds):")
    for (mode, when, clock), values in ratios.items():
        if clock != "cpu":
            continue
        wall = ratios[(mode, when, "wall")]
        if mode.endswith(" / floor"):
            print(
                f"  {mode.removesuffix(' / floor'):13} {when}: {_spread(values)}x tight + "
                f"store-floor (CPU), {_spread(wall)}x (wall)"
            )
            continue
        ms = per_activity[(mode, when)]
        print(
            f"  {mode:13} {when}: {_spread(values)}x tight (CPU), {_spread(wall)}x (wall), "
            f"{_spread(ms)} ms CPU per activity"
        )


def memory(folder: Path, sizes: list[float], url: str | None) -> None:
    """Peak resident memory of parse and import by file size."""
    print("\npeak resident memory (MiB) by file size")
    peaks: dict[str, list[float]] = {"tight": [], "parse": [], "import": []}
    for size_mb in sizes:
        path = folder / f"memory-{size_mb:g}.xml"
        count = build(path, size_mb)
        row = [f"  {path.stat().st_size / MB:6.1f} MB ({count:,} activities):"]
        for mode in peaks:
            found = _child(mode, path, url, once=True)
            if found is not None:
                peaks[mode].append(found["peak_mib"])
                row.append(f"{mode} {found['peak_mib']:6.1f}")
        path.unlink()
        print("  ".join(row))
    for mode, values in peaks.items():
        if len(values) == len(sizes) and len(values) > 1:
            print(f"  {mode}: largest / smallest file peak = {values[-1] / values[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="File for the speed runs.")
    parser.add_argument("--sizes", default="50,100,200", help="Files for memory ('' for none).")
    parser.add_argument("--repeat", type=int, default=3, help="Rounds of the speed runs.")
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server to use.")
    parser.add_argument("--no-rules", action="store_true", help="Leave out import-rules.")
    parser.add_argument("--modes", help="Comma-separated modes to time (default: all).")
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.file, args.postgres, args.once)))
        return
    modes = args.modes.split(",") if args.modes else list(MODES)
    if args.no_rules and "import-rules" in modes:
        modes.remove("import-rules")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "iati-bench.xml"
        count = build(path, args.size_mb)
        print(f"built {path.stat().st_size / MB:.1f} MB with {count:,} activities")
        print(f"reader: {_reader()}")
        tight(path)  # the file into the page cache
        speed(path, modes, args.postgres, args.repeat)
        path.unlink()
        sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
        if sizes:
            memory(folder, sizes, args.postgres)


if __name__ == "__main__":
    main()
