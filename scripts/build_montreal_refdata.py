"""Regenerate greenfolio/refdata/montreal/*.csv from the reporting systems' own data.

The package ships its own tables (one row per fact, each with its source) so that it runs
without the source files; this script records how they were made. The sources (MLF and
Ozone Secretariat ORS exports; some GPL-3.0, so not copied into this repository) are read
from the folder given, the blend tables from the two reporting systems' repositories (see
build_montreal_blends.py). From the repository root:
``python scripts/build_montreal_refdata.py --sources DIR --mlf-ors GIT_DIR --ozone-ors GIT_DIR``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import globalwarmingpotentials

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_montreal_blends import MLF_COMMIT, OZONE_COMMIT, annex_spelling
from build_montreal_blends import build as build_blends
from build_montreal_blends import check as check_blends

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path()
"""Folder of the ORS exports (set from --sources)."""
OUT = ROOT / "greenfolio" / "refdata" / "montreal"

ANNEX_ARTICLES = {
    "A": "Montreal Protocol Annex A",
    "B": "Montreal Protocol Annex B",
    "C": "Montreal Protocol Annex C",
    "E": "Montreal Protocol Annex E",
    "F": "Montreal Protocol Annex F (Kigali Amendment, 2016)",
}
MLF_ORS = "values as in MLF Secretariat ORS substances.json (multilateralfund/ors 6fb604c)"
OZONE_ORS = "schedule as in Ozone Secretariat ORS control_measures.json (mutisyag/ozone 2a4e6ae)"
CONTROL_ARTICLES = {
    "AI": "Art. 2A, 5", "AII": "Art. 2B, 5", "BI": "Art. 2C, 5", "BII": "Art. 2D, 5",
    "BIII": "Art. 2E, 5", "CI": "Art. 2F, 5(8 ter)", "CII": "Art. 2G, 5", "CIII": "Art. 2I, 5",
    "EI": "Art. 2H, 5", "F": "Art. 2J, 5(8 qua) (Kigali Amendment)",
}


def group_label(group_id: str) -> str:
    """ORS 'CI' -> 'C/I'; 'F' stays 'F'."""
    return group_id if len(group_id) == 1 else f"{group_id[0]}/{group_id[1:]}"


def substances() -> None:
    with (SHARED / "montreal_substances__mlf-ors.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["annex"] in ANNEX_ARTICLES]
    with (OUT / "substances.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "formula", "annex", "group", "odp", "odp_min", "odp_max",
                    "gwp_ar4_protocol", "source"])
        for r in rows:
            gwp = r["gwp_ar4_100"] if r["gwp_ar4_100"] not in ("", "0.0") else ""
            group = r["group_id"] if r["group_id"] != "F" else "F"
            name = annex_spelling(r["name"])
            w.writerow([name, r["formula"], r["annex"], group_label(group), r["odp"],
                        r["min_odp"], r["max_odp"], gwp,
                        f"{ANNEX_ARTICLES[r['annex']]}; {MLF_ORS}"])


def control_measures() -> None:
    with (SHARED / "montreal_control_measures__ozone-ors.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["limit_type"] in ("Consumption", "Production")]
    with (OUT / "control_measures.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["group", "party_type", "limit", "start", "fraction_of_baseline", "source"])
        for r in rows:
            w.writerow([group_label(r["group_id"]), r["party_type"], r["limit_type"].lower(),
                        r["start_date"], r["allowed_fraction_of_baseline"],
                        f"Montreal Protocol {CONTROL_ARTICLES[r['group_id']]}; {OZONE_ORS}"])


def parties() -> None:
    with (SHARED / "montreal_parties_2019__ozone-ors.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with (OUT / "parties.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["party", "article5", "kigali_group", "source"])
        for r in rows:
            w.writerow([r["party_iso3"], r["is_article5"].lower(), r["party_type"],
                        "Ozone Secretariat list of parties, 2019 (mutisyag/ozone a61d1ed); "
                        "HFC groups per Decision XXVIII/2"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mlf-ors", type=Path, required=True,
                        help=f"git directory of multilateralfund/ors holding {MLF_COMMIT[:7]}")
    parser.add_argument("--ozone-ors", type=Path, required=True,
                        help=f"git directory of mutisyag/ozone holding {OZONE_COMMIT[:7]}")
    parser.add_argument("--sources", type=Path, required=True,
                        help="folder of the ORS exports (substances, control measures, parties)")
    args = parser.parse_args()
    global SHARED
    SHARED = args.sources
    OUT.mkdir(parents=True, exist_ok=True)
    substances()
    control_measures()
    parties()
    species = {s for table in globalwarmingpotentials.data.values() for s in table}
    for note in build_blends(args.mlf_ors, args.ozone_ors, species):
        print("corrected:", note)
    for line in check_blends():
        print("published value not reproduced:", line)


if __name__ == "__main__":
    main()
