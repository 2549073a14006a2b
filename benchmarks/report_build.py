"""Benchmark: the Board report in six languages and three formats (18 documents), against
the writers alone on the same, precomputed content.

Why: the report is the product's showpiece and is rebuilt often while a secretariat edits
data; the target (issue 11) is 18 documents in at most 10 s on the 2-core development
machine, cold, as ``greenfolio report build`` runs it.

What is measured, each in the same run:

- build: ``greenfolio report build --lang all --format html,docx,pdf`` over the demo
  database: compute every figure and chart (SQL), fill the templates of each language,
  draw the charts, write the 18 documents and their provenance files (with the HTML's
  sources section, which queries the records behind each figure).
- fair baseline, "the writers alone": the same 18 documents written from content already
  computed (the documents of each language, pickled; the charts' Vega-Lite specifications),
  so only the libraries' own work remains: vl-convert drawing each chart once per language
  (the language-free map once) and rasterising it for DOCX, Jinja filling the HTML page,
  python-docx writing the DOCX, Typst laying out the PDF. No build can do less once it
  knows what to print; the ratio says what Greenfolio's computing and bookkeeping add.

Cold: each in a fresh process (imports, font searches and parses included), wall and CPU
time and peak resident memory (``wait4``'s ``ru_maxrss``). Warm: in this process, after
one round of each, the median of ``--repeat`` rounds, build and baseline interleaved.
The verdict is on the cold build's wall time; the load average is printed with it, since
on a shared machine wall time also counts waiting for a core.

Run: ``python benchmarks/report_build.py [--repeat 3]`` (from the repository root).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LANGS = ["ar", "zh", "en", "fr", "ru", "es"]
FORMATS = ["html", "docx", "pdf"]
TARGET_S = 10.0
ENTRY_POINT = (
    "import sys; from greenfolio.interfaces.cli.app import main; sys.argv[0] = 'greenfolio'; "
    "sys.exit(main())"
)
"""What the installed ``greenfolio`` script runs (this checkout first on the path)."""


def writers_alone(content_file: Path, out_dir: Path) -> int:
    """The baseline: write every document from precomputed content; returns how many."""
    from greenfolio.interfaces.writers.charts import RenderedChart, draw_svg, register_fonts
    from greenfolio.interfaces.writers.docx import write_docx
    from greenfolio.interfaces.writers.html import write_html
    from greenfolio.interfaces.writers.pdf import write_pdf

    content = pickle.loads(content_file.read_bytes())
    register_fonts()
    drawn: dict[str, RenderedChart] = {}  # one drawing per distinct specification
    written = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for document, specs in content:
        charts = {}
        for chart_id, (spec_json, lang) in specs.items():
            if spec_json not in drawn:
                svg = draw_svg(json.loads(spec_json), lang)
                drawn[spec_json] = RenderedChart(chart_id, lang, svg)
            charts[chart_id] = drawn[spec_json]
        stem = out_dir / f"board-{document.lang}"
        write_html(document, stem.with_suffix(".html"), charts)
        write_docx(document, stem.with_suffix(".docx"), charts)
        write_pdf(document, stem.with_suffix(".pdf"), charts)
        written += 3
    return written


def precompute(db_file: Path, content_file: Path) -> None:
    """Each language's document and its charts' specifications, for the baseline."""
    from greenfolio.interfaces.writers.charts import vegalite_spec
    from greenfolio.services import reporting
    from greenfolio.services.database import Database
    from greenfolio.services.report_definition import load_definition

    db = Database.open(str(db_file))
    computed = reporting.compute(db, load_definition("board"), 2021)
    content = []
    for lang in LANGS:
        built = reporting.build(db, "board", 2021, lang, computed)
        specs = {}
        for ref in built.document.charts:
            if not ref.drawn:  # a table alone (as in the build)
                continue
            data = computed.charts[ref.id]
            spec = vegalite_spec(data, lang, dict(ref.labels), ref.axis)
            specs[ref.id] = (json.dumps(spec, sort_keys=True), lang)
        content.append((built.document, specs))
    content_file.write_bytes(pickle.dumps(content))
    db.close()


def build(db_file: Path, out_dir: Path) -> int:
    """What ``greenfolio report build`` does, in this process; returns the documents."""
    from greenfolio.interfaces.report_files import write_all
    from greenfolio.services.database import Database

    db = Database.open(str(db_file))
    written = write_all(db, "board", 2021, LANGS, FORMATS, out_dir)
    db.close()
    return len([p for p in written if not p.name.endswith(".json")])


def cold(argv: list[str]) -> dict[str, float]:
    """Run ``argv`` in a fresh process: wall and CPU seconds, peak resident MiB."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
    }


def timed(work: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-only", nargs=2, metavar=("CONTENT", "OUT"))
    args = parser.parse_args()
    if args.baseline_only:  # the baseline's cold run, in a process of its own
        writers_alone(Path(args.baseline_only[0]), Path(args.baseline_only[1]))
        return 0

    from greenfolio.services import demo
    from greenfolio.services.database import Database

    with tempfile.TemporaryDirectory(prefix="greenfolio-bench-") as tmp:
        folder = Path(tmp)
        db_file = folder / "demo.sqlite"
        db = Database.open(str(db_file))
        db.upgrade()
        demo.load(db)
        db.close()
        content = folder / "content.pickle"
        precompute(db_file, content)

        cli = [sys.executable, "-c", ENTRY_POINT, "report", "build"]
        cold_build = cold(
            [*cli, "--db", str(db_file), "--year", "2021", "--lang", "all",
             "--format", ",".join(FORMATS), "--out", str(folder / "cold-build")]
        )  # fmt: skip
        cold_base = cold(
            [sys.executable, __file__, "--baseline-only", str(content), str(folder / "cold-base")]
        )

        documents = build(db_file, folder / "warm-0")  # one round of each first
        writers_alone(content, folder / "warm-base-0")
        warm_build: list[tuple[float, float]] = []
        warm_base: list[tuple[float, float]] = []
        for run in range(1, args.repeat + 1):  # interleaved: load hits both alike
            warm_build.append(timed(partial(build, db_file, folder / f"warm-{run}")))
            warm_base.append(timed(partial(writers_alone, content, folder / f"warm-base-{run}")))
        import resource

        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    wb, wbc = (statistics.median(x[i] for x in warm_build) for i in (0, 1))
    ab, abc = (statistics.median(x[i] for x in warm_base) for i in (0, 1))
    print(f"{documents} documents ({len(LANGS)} languages x {len(FORMATS)} formats), each with")
    print("a provenance file; baseline: the writers alone on the same precomputed content")
    print(f"{'':34} {'wall s':>7} {'cpu s':>7} {'peak RSS MiB':>13}")
    print(
        f"{'cold: report build (CLI)':34} {cold_build['wall']:7.2f} {cold_build['cpu']:7.2f}"
        f" {cold_build['rss']:13.0f}"
    )
    print(
        f"{'cold: writers alone':34} {cold_base['wall']:7.2f} {cold_base['cpu']:7.2f}"
        f" {cold_base['rss']:13.0f}"
    )
    print(
        f"{'cold: ratio':34} {cold_build['wall'] / cold_base['wall']:7.2f}"
        f" {cold_build['cpu'] / cold_base['cpu']:7.2f}"
        f" {cold_build['rss'] / cold_base['rss']:13.2f}"
    )
    print(f"{f'warm (median of {args.repeat}): build':34} {wb:7.2f} {wbc:7.2f}")
    print(f"{'warm: writers alone':34} {ab:7.2f} {abc:7.2f}")
    print(f"{'warm: ratio':34} {wb / ab:7.2f} {wbc / abc:7.2f}")
    print(f"peak RSS of this process (warm rounds, both): {rss_self:.0f} MiB")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} on {os.cpu_count()} cores (wall time waits for a")
    print("core when the load exceeds them; CPU time does not)")
    verdict = "PASS" if cold_build["wall"] <= TARGET_S else "FAIL"
    print(
        f"cold build {cold_build['wall']:.2f} s for {documents} documents, "
        f"target ≤ {TARGET_S:g} s: {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
