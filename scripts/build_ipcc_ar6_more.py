"""Write greenfolio/refdata/montreal/ipcc_ar6_more.csv from IPCC AR6 WG1 Table 7.SM.7.

``globalwarmingpotentials`` (which gives the other IPCC GWPs) has no AR6 value for HFOs,
hydrocarbons and several substances the reporting systems name. The chapter's own data
repository publishes the table (chrisroadmap/ar6, MIT, the file below); this script reads
it at a pinned commit from a clone and keeps the GWP-100 of each substance listed in
``MATCH``, named as the Montreal tables name it. From the repository root:
``python scripts/build_ipcc_ar6_more.py --ar6 GIT_DIR``.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
from pathlib import Path

COMMIT = "24f279260fc2d1ebd09b2bd4114f2be11859e925"
PATH = "data_output/7sm/metrics_supplement_cleaned.csv"
OUT = Path(__file__).resolve().parents[1] / "greenfolio" / "refdata" / "montreal"
SOURCE = f"IPCC AR6 WG1 Table 7.SM.7 GWP-100, as chrisroadmap/ar6 (MIT) {PATH} at {COMMIT[:7]}"

MATCH: dict[str, tuple[str, str]] = {
    # name in the Montreal tables: ("acronym" or "name" column of Table 7.SM.7, its value)
    "HC-170": ("name", "Ethane"),
    "HC-290": ("name", "Propane"),
    "HC-600": ("name", "Butane"),
    "HCFC-31": ("acronym", "HCFC-31"),
    "HCFC-121": ("acronym", "HCFC-121"),
    "HCFC-122": ("acronym", "HCFC-122"),
    "HCFC-123a": ("acronym", "HCFC-123a"),
    "HCFC-124a": ("acronym", "HCFC-124a"),
    "HCFC-132": ("acronym", "HCFC-132"),
    "HCFC-133a": ("acronym", "HCFC-133a"),
    "HCFC-141": ("acronym", "HCFC-141"),
    "CFC-112": ("acronym", "CFC-112"),
    "CFC-113a": ("acronym", "CFC-113a"),
    "Bromochloromethane": ("acronym", "Halon-1011"),
    "HFO-1132a": ("acronym", "HFO-1132a"),
    "HFO-1233zd(E)": ("acronym", "HCFO-1233zd(E)"),
    "HFO-1234yf": ("acronym", "HFO-1234yf"),
    "HFO-1234ze(E)": ("acronym", "HFO-1234ze(E)"),
    "HFO-1336mzz(E)": ("acronym", "HFO-1336mzz(E)"),
    "HFO-1336mzz(Z)": ("acronym", "HFO-1336mzz(Z)"),
    "HFE-338mmz1": ("acronym", "HFE-338mmz1"),
    "HFE-347mmy1": ("acronym", "HFE-347mmy1"),
    # AR6 renamed these two ethers; the structural formula and CAS number are the same
    "HFE-254cb2": ("acronym", "HFE-254cb1"),
    "HFE-263fb2": ("acronym", "HFE-263mf"),
    # HFE-7100, C4F9OCH3 (the MLF writes HFE-449sl, and "Methyl Nonafluoro Ethers")
    "HFE-449sl": ("acronym", "HFE-449s1"),
    "Methyl Nonafluoro Ethers": ("acronym", "HFE-449s1"),
    "1-Bromopropane": ("name", "1-bromopropane"),
    "Bromoethane": ("name", "Bromoethane"),
    "Hexamethyldisiloxane": ("name", "Hexamethyldisiloxane"),
    "bis(trifluoromethyl)methanol": ("acronym", "HFIP"),
    "2,2,3,3,3-pentafluoropropanol": ("name", "2,2,3,3,3-pentafluoropropan-1-ol"),
    "Octafluorotetramethylene": ("name", "2,2,3,3,4,4,5,5-octafluorocyclopentan-1-ol"),
    "Hexafluoropropene": ("acronym", "PFC-1216"),
    # C5H3F7: the table's one heptafluorocyclopentane
    "Heptafluorocyclopentane": ("name", "1,1,2,2,3,3,4-heptafluorocyclopentane"),
    # C8H3F13O
    "Methoxytridecafluoroheptene": ("name", "Methyl-perfluoroheptene-ethers"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ar6", type=Path, required=True, help="git dir of chrisroadmap/ar6")
    args = parser.parse_args()
    text = subprocess.run(
        ["git", "--git-dir", str(args.ar6), "show", f"{COMMIT}:{PATH}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(text)))
    with (OUT / "ipcc_ar6_more.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["name", "ipcc_name", "ipcc_acronym", "cas", "formula", "gwp100", "source"])
        for ours, (column, wanted) in MATCH.items():
            field = "Acronym" if column == "acronym" else "Name"
            found = {r["CAS"]: r for r in rows if r[field] == wanted}
            if len(found) != 1:
                raise SystemExit(f"{ours}: {len(found)} rows of Table 7.SM.7 have {field} {wanted}")
            r = next(iter(found.values()))
            cas = r["CAS"].strip('="')
            out.writerow([ours, r["Name"], r["Acronym"], cas, r["Formula"], r["GWP100"], SOURCE])


if __name__ == "__main__":
    main()
