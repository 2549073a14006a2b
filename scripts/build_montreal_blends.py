"""Regenerate the blend tables of greenfolio/refdata/montreal/ from published blend tables.

Sources, each read at a pinned commit with ``git show`` from a clone of its repository:

* ASHRAE 34 designations as openscm-units 0.6.3 ships them (``shared/refdata``, BSD-3-Clause);
* the Multilateral Fund Secretariat's online reporting system, multilateralfund/ors
  (``core/import_data/resources/blends.json``, ``blend_components.json``, ``substances.json``);
* the Ozone Secretariat's online reporting system, mutisyag/ozone
  (``data/fixtures/blends.json``, ``blend_components.json``).

Neither ORS repository licenses its files for reuse in this project (the MLF one states no
licence, the Ozone Secretariat one is GPL-3.0), so the package carries no copy of them: only
the facts read from them (names, mass percentages, published ODP and CO2-eq per tonne), each
row citing repository, path and commit. Run from the repository root::

    python scripts/build_montreal_refdata.py --mlf-ors PATH/TO/ors.git --ozone-ors PATH/TO/ozone.git

Both options take a git directory (a clone or a bare mirror) that holds the pinned commit.
The script checks every blend's published ODP and CO2-eq against the values computed from
its composition and prints the blends where they differ.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "refdata"
OUT = ROOT / "greenfolio" / "refdata" / "montreal"

MLF_REPO = "multilateralfund/ors"
MLF_COMMIT = "f3a57a1b092f2d42b13c5ed86e366091472eefce"
MLF_DIR = "core/import_data/resources"
OZONE_REPO = "mutisyag/ozone"
OZONE_COMMIT = "a61d1ed9be52f9e7b22c02879c954f128a3ce0d4"
OZONE_DIR = "data/fixtures"

OPENSCM = "ASHRAE 34 composition via openscm-units 0.6.3 mixtures.py (BSD-3-Clause)"
MLF_BLENDS = f"MLF ORS {MLF_DIR}/blends.json + blend_components.json ({MLF_REPO} {MLF_COMMIT[:7]})"
MLF_SUBSTANCES = f"MLF ORS {MLF_DIR}/substances.json ({MLF_REPO} {MLF_COMMIT[:7]})"
OZONE_BLENDS = (
    f"Ozone Secretariat ORS {OZONE_DIR}/blends.json + blend_components.json "
    f"({OZONE_REPO} {OZONE_COMMIT[:7]})"
)

PFC_FORMULAS = {"PFC14": "CF4", "PFC116": "C2F6", "PFC218": "C3F8", "PFCC318": "cC4F8"}
"""ASHRAE 34 numbers of the perfluorocarbons that blends contain, as IPCC species (R-14 is
CF4, R-116 C2F6, R-218 C3F8, R-C318 c-C4F8; openscm-units names the same components so)."""

OTHER_MIXTURES = {
    "Other mixture (ODS or HFC or both or neither)": ("any", "mlf"),
    "Other mixture (ODS only)": ("ods", "mlf"),
    "Other mixture (HFC only)": ("hfc", "mlf"),
    "Other mixture": ("any", "ozone"),
}
"""MLF 'other mixture' entries (no composition): what a user composition may contain."""


def key(name: str) -> str:
    """Same normalisation as greenfolio.refdata.montreal_tables.blend_key."""
    return "".join(ch for ch in name.upper() if ch.isalnum()) + "*" * name.count("*")


_ISOMER = re.compile(r"^((?:H?C?F?C|HFC|HCFC|CFC|HBFC)-\d+)([A-Z]{1,2})$")


def annex_spelling(name: str) -> str:
    """'HCFC-141B' -> 'HCFC-141b': the isomer letters in lower case, as the Protocol's annexes
    and the IPCC write them (the MLF's data writes some in capitals)."""
    found = _ISOMER.match(name)
    return f"{found.group(1)}{found.group(2).lower()}" if found else name


def short(name: str) -> str:
    """'PFC-218 (octafluoropropane)' -> 'PFC-218'; tidy spaces; isomer letters as the
    annexes write them."""
    return annex_spelling(" ".join(name.replace("\xa0", " ").split(" (")[0].split()))


def inner_names(name: str) -> list[str]:
    """'IFC-13I1 (Trifluoroiodomethane (CF3I))' -> ['Trifluoroiodomethane', 'CF3I']."""
    _, _, rest = name.replace("\xa0", " ").partition(" (")
    return [p.strip() for p in re.split(r"[()]", rest) if p.strip()]


def git_json(git_dir: Path, commit: str, path: str) -> Any:
    text = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(text)


def pct(value: Any) -> float:
    """A fraction as published (string or number) -> mass percent, without float noise."""
    return round(float(value) * 100, 6)


def num(value: Any) -> float | None:
    return None if value is None or value == "" else round(float(value), 10)


def fmt(value: float | None) -> str:
    return "" if value is None else repr(value)


class Sources:
    """The three published tables, read once."""

    def __init__(self, mlf_git: Path, ozone_git: Path) -> None:
        self.mlf_subs = {
            r["pk"]: r["fields"]
            for r in git_json(mlf_git, MLF_COMMIT, f"{MLF_DIR}/substances.json")
        }
        self.mlf_blends = [
            r
            for r in git_json(mlf_git, MLF_COMMIT, f"{MLF_DIR}/blends.json")
            if r["fields"]["party"] is None and not r["fields"]["is_deactivated"]
        ]
        self.mlf_parts: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in git_json(mlf_git, MLF_COMMIT, f"{MLF_DIR}/blend_components.json"):
            self.mlf_parts[r["fields"]["blend"]].append(r["fields"])
        self.oz_blends = git_json(ozone_git, OZONE_COMMIT, f"{OZONE_DIR}/blends.json")
        self.oz_parts: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in git_json(ozone_git, OZONE_COMMIT, f"{OZONE_DIR}/blend_components.json"):
            self.oz_parts[r["fields"]["blend_id"]].append(r["fields"])
        data = json.loads((SHARED / "refrigerant_blends__openscm-units-0.6.3.json").read_text())
        self.ashrae: dict[str, dict[str, float]] = {}
        for name, parts in data["mixtures"].items():
            number = name.lstrip("HCFO").upper() if not name.startswith("R") else name[1:]
            self.ashrae[f"R-{number}"] = {c: float(s["mass_pct"]) for c, s in parts.items()}

    def mlf_composition(self, pk: int) -> dict[str, float]:
        return {short(p["component_name"]): pct(p["percentage"]) for p in self.mlf_parts[pk]}


def controlled_names() -> dict[str, str]:
    with (OUT / "substances.csv").open(encoding="utf-8") as f:
        return {key(r["name"]): r["name"] for r in csv.DictReader(f)}


def other_substances(src: Sources, gwp_species: set[str]) -> list[dict[str, str]]:
    """Components outside the Protocol's annexes that the MLF ORS lists (group empty)."""
    by_key = {key(s): s for s in gwp_species}
    rows = []
    for fields in src.mlf_subs.values():
        if fields["group"] is not None:
            continue
        name = short(fields["name"])
        formula = (fields["formula"] or "").strip()
        aliases = [fields["name"].replace("\xa0", " ").strip(), *inner_names(fields["name"])]
        if formula:
            aliases.append(formula)
        species = PFC_FORMULAS.get(key(name), "")
        # a formula given two ways ("SF5CF3 or CF8S") is tried each way
        for candidate in (name, *formula.split(" or "), *inner_names(fields["name"])):
            species = species or by_key.get(key(candidate), "")
        if formula == "CO2":
            species = "CO2"
        rows.append({"name": name, "formula": formula, "aliases": aliases, "species": species})
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for alias in {key(a) for a in row["aliases"]}:
            counts[alias] += 1
    out = []
    for row in sorted(rows, key=lambda r: r["name"].lower()):
        aliases = sorted(
            {a for a in row["aliases"] if counts[key(a)] == 1 and key(a) != key(row["name"])}
        )
        out.append(
            {
                "name": row["name"],
                "formula": row["formula"],
                "aliases": "; ".join(aliases),
                "ipcc_species": row["species"],
                "source": f"not controlled under the Montreal Protocol; {MLF_SUBSTANCES}",
            }
        )
    return out


def ashrae_names(
    src: Sources, controlled: dict[str, str], others: dict[str, str]
) -> dict[str, str]:
    """openscm-units component name -> package name, paired through blends both tables list."""
    mlf_by_key = {key(b["fields"]["blend_id"]): b["pk"] for b in src.mlf_blends}
    pairs: dict[str, set[str]] = defaultdict(set)
    for blend, parts in src.ashrae.items():
        pk = mlf_by_key.get(key(blend))
        if pk is None:
            continue
        mlf = src.mlf_composition(pk)
        for comp, share in parts.items():
            if key(comp) in controlled or key(comp) in others:
                continue
            same = [m for m, s in mlf.items() if abs(s - share) < 1e-6 and key(m) in others]
            if len(same) == 1:
                pairs[comp].add(same[0])
    mapping = {}
    for comp, names in pairs.items():
        if len(names) != 1:
            raise SystemExit(f"openscm-units component {comp} pairs with several MLF names {names}")
        mapping[comp] = names.pop()
    return mapping


def blends(src: Sources) -> tuple[list[list[str]], list[str]]:
    """blends.csv rows (ASHRAE then MLF) and notes on corrections made."""
    controlled = controlled_names()
    with (OUT / "other_substances.csv").open(encoding="utf-8") as f:
        others = {key(r["name"]): r["name"] for r in csv.DictReader(f)}
    renamed = ashrae_names(src, controlled, others)
    mlf_by_key = {key(b["fields"]["blend_id"]): b["pk"] for b in src.mlf_blends}
    rows: list[list[str]] = []
    notes: list[str] = []
    for blend, parts in src.ashrae.items():
        mlf = src.mlf_composition(mlf_by_key[key(blend)]) if key(blend) in mlf_by_key else {}
        for comp, share in parts.items():
            name = controlled.get(key(comp)) or others.get(key(comp)) or renamed.get(comp, comp)
            source = OPENSCM
            wrong = mlf and not any(key(m) == key(name) for m in mlf)
            twin = [m for m, s in mlf.items() if abs(s - share) < 1e-6 and key(m) in controlled]
            if wrong and len(twin) == 1:
                notes.append(f"{blend}: openscm-units names {comp}; MLF and Ozone ORS {twin[0]}")
                name = controlled[key(twin[0])]
                source = f"{OPENSCM}; component {name} as in {MLF_BLENDS} (openscm-units: {comp})"
            rows.append([blend, "ashrae", name, fmt(share), source])
    for b in src.mlf_blends:
        for comp, share in src.mlf_composition(b["pk"]).items():
            name = controlled.get(key(comp)) or others.get(key(comp), comp)
            rows.append([b["fields"]["blend_id"], "mlf", name, fmt(share), MLF_BLENDS])
    return rows, notes


def _split_names(text: str) -> Iterable[str]:
    for part in re.split(r"[,;]| / ", text or ""):
        if part.strip():
            yield part.strip()


def ozone_to_mlf(src: Sources) -> dict[str, str]:
    """Each Ozone Secretariat blend with a composition -> the MLF blend of that composition."""
    mlf = {
        b["fields"]["blend_id"]: {key(c): s for c, s in src.mlf_composition(b["pk"]).items()}
        for b in src.mlf_blends
    }
    out = {}
    for b in src.oz_blends:
        blend_id = b["fields"]["blend_id"]
        if not src.oz_parts[b["pk"]]:
            continue
        comp = {
            key(short(p["component_name"])): pct(p["percentage"]) for p in src.oz_parts[b["pk"]]
        }
        same = [m for m, c in mlf.items() if c == comp]
        named = [m for m in same if key(m) == key(blend_id)]
        if named or len(same) == 1:
            out[blend_id] = (named or same)[0]
        else:
            raise SystemExit(f"Ozone ORS blend {blend_id} matches no single MLF blend: {same}")
    return out


def names(src: Sources) -> list[list[str]]:
    """Other names of blends: MLF trade and other names, Ozone Secretariat identifiers."""
    ids = {key(b["fields"]["blend_id"]) for b in src.mlf_blends} | {key(b) for b in src.ashrae}
    ids |= set(controlled_names())
    rows: dict[tuple[str, str], tuple[str, str, str]] = {}
    for b in src.mlf_blends:
        f = b["fields"]
        for field in ("trade_name", "other_names"):
            for alias in _split_names(f[field]):
                if key(alias) not in ids:
                    rows.setdefault(
                        (key(alias), f["blend_id"]),
                        (
                            alias,
                            f["blend_id"],
                            f"MLF ORS blends.json {field} ({MLF_REPO} {MLF_COMMIT[:7]})",
                        ),
                    )
    for oz_id, mlf_id in ozone_to_mlf(src).items():
        if key(oz_id) not in ids:
            rows[(key(oz_id), mlf_id)] = (
                oz_id,
                mlf_id,
                "Ozone Secretariat ORS blends.json blend_id, same composition as the MLF's "
                f"({OZONE_REPO} {OZONE_COMMIT[:7]})",
            )
    return [list(r) for r in sorted(rows.values(), key=lambda r: (r[1].lower(), r[0].lower()))]


def published(src: Sources) -> list[list[str]]:
    """ODP and CO2-eq per tonne as each system publishes them for its blends."""
    rows = []
    for b in src.mlf_blends:
        f = b["fields"]
        if src.mlf_parts[b["pk"]]:
            rows.append([f["blend_id"], "mlf", fmt(num(f["odp"])), fmt(num(f["gwp"])), MLF_BLENDS])
    as_mlf = ozone_to_mlf(src)
    for b in src.oz_blends:
        f = b["fields"]
        if f["odp"] is not None and src.oz_parts[b["pk"]]:
            blend, source = as_mlf[f["blend_id"]], OZONE_BLENDS
            if blend != f["blend_id"]:
                source = f"{OZONE_BLENDS}, as {f['blend_id']}"
            rows.append([blend, "ozone", fmt(num(f["odp"])), fmt(num(f["gwp"])), source])
    return rows


def _mixture_source(system: str) -> str:
    if system == "mlf":
        return f"MLF ORS blends.json, entry without composition ({MLF_REPO} {MLF_COMMIT[:7]})"
    return (
        "Ozone Secretariat ORS blends.json, entry without composition "
        f"({OZONE_REPO} {OZONE_COMMIT[:7]})"
    )


def write(name: str, header: list[str], rows: Iterable[Iterable[str]]) -> None:
    with (OUT / name).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def build(mlf_git: Path, ozone_git: Path, gwp_species: set[str]) -> list[str]:
    """Write the blend tables; returns notes for the person running the build."""
    src = Sources(mlf_git, ozone_git)
    others = other_substances(src, gwp_species)
    write("other_substances.csv", list(others[0]), ([r[k] for k in others[0]] for r in others))
    rows, notes = blends(src)
    write("blends.csv", ["blend", "table", "component", "mass_pct", "source"], rows)
    write("blend_names.csv", ["name", "blend", "source"], names(src))
    write("blend_published.csv", ["blend", "system", "odp", "co2e", "source"], published(src))
    write(
        "other_mixtures.csv",
        ["name", "may_contain", "source"],
        [[n, c, _mixture_source(system)] for n, (c, system) in OTHER_MIXTURES.items()],
    )
    return notes


def check() -> list[str]:
    """Blends whose published ODP or CO2-eq the package's computation does not reproduce.

    ODP is compared with both systems; CO2-eq with the MLF's under its convention (``mlf``
    basis) and with the Ozone Secretariat's as the Protocol's AR4 sum (``ar4`` basis).
    """
    sys.path.insert(0, str(ROOT))
    from greenfolio.methods import montreal
    from greenfolio.refdata import montreal_tables

    montreal_tables.clear_cache()
    basis = {"mlf": montreal.GwpBasis.MLF, "ozone": montreal.GwpBasis.AR4}
    out = []
    with (OUT / "blend_published.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            agent = montreal.resolve(r["blend"], source=montreal.CompositionSource.MLF)
            odp, co2e = agent.odp(), agent.gwp(basis[r["system"]])[0]
            for what, mine, theirs in (("ODP", odp, r["odp"]), ("CO2-eq", co2e, r["co2e"])):
                if theirs and abs(mine - float(theirs)) > max(1e-6, 5e-4 * abs(float(theirs))):
                    out.append(f"{r['blend']} ({r['system']}): {what} {mine:g}, published {theirs}")
    return out
