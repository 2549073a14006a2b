"""Benchmark: the Board report in all six languages and three formats, in one call.

Why: the report is the product's showpiece and is rebuilt often while a secretariat edits
data; the target is seconds, not minutes, in bounded memory. The script loads the demo
portfolio into a fresh SQLite file, then times ``greenfolio report build --lang all
--format html,docx,pdf`` as the CLI runs it (compute once, render each language, write
each format), and prints the wall time, the time per document, the peak Python
allocation (tracemalloc) and the process's peak resident memory. As a baseline in the same
process it times computing the figures alone.

Run: ``python benchmarks/report_build.py [--definition board] [--year 2021] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from greenfolio.interfaces.report_files import write_all
from greenfolio.services import demo, reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition

LANGS = ["ar", "zh", "en", "fr", "ru", "es"]
FORMATS = ["html", "docx", "pdf"]
TARGET_S = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--definition", default="board")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenfolio-bench-") as tmp:
        folder = Path(tmp)
        db = Database.open(str(folder / "demo.sqlite"))
        db.upgrade()
        demo.load(db)
        definition = load_definition(args.definition)
        baseline = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            reporting.compute(db, definition, args.year)
            baseline.append(time.perf_counter() - start)
        write_all(db, args.definition, args.year, LANGS, FORMATS, folder / "warm")
        timings = []
        tracemalloc.start()
        for run in range(args.repeat):
            start = time.perf_counter()
            written = write_all(
                db, args.definition, args.year, LANGS, FORMATS, folder / f"run{run}"
            )
            timings.append(time.perf_counter() - start)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        documents = [p for p in written if not p.name.endswith(".json")]
        median = statistics.median(timings)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"documents per build: {len(documents)} ({len(LANGS)} languages x "
            f"{len(FORMATS)} formats), each with a provenance file"
        )
        print(
            f"build time: min={min(timings):.2f}s median={median:.2f}s max={max(timings):.2f}s "
            f"({median / len(documents) * 1000:.0f} ms per document)"
        )
        print(
            f"baseline (figures and charts computed only): median="
            f"{statistics.median(baseline) * 1000:.1f} ms; build / baseline = "
            f"{median / statistics.median(baseline):.0f}x"
        )
        print(
            f"peak Python allocation during builds: {peak / 2**20:.1f} MiB; "
            f"peak resident memory of the process: {rss_mb:.0f} MiB"
        )
        verdict = "PASS" if median < TARGET_S else "FAIL"
        print(
            f"definition={args.definition} documents={len(documents)} median_s={median:.2f} "
            f"target_s={TARGET_S} {verdict}"
        )
        return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
