"""``greenfolio methods …``: run the calculators, store runs, make results, recompute."""

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer

from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces.cli.common import (
    DbOption,
    JsonOption,
    errors,
    number,
    out,
    plain_table,
    print_json,
    table,
    warn,
)
from greenfolio.interfaces.cli.db_target import open_db
from greenfolio.interfaces.cli.lazy import Lazy, LazyGroup

# The calculators, their reference data and pydantic are imported when a command runs
# (``_show`` and the commands below), not when the app is built or --help is printed.
_PATHWAY_COLUMNS = "air,water,land,products,general_waste,sector_treatment"
"""The release pathways of greenfolio.methods.mercury.PATHWAYS, for the help text
(tests/test_cli_imports.py checks they are the same)."""

_HERE = "greenfolio.interfaces.cli.methods"


class MethodsGroup(LazyGroup):
    """``greenfolio methods``: each convention's group is built (its commands' options
    resolved by Typer) only when it is the one asked for."""

    lazy: ClassVar[dict[str, Lazy]] = {
        "montreal": Lazy(_HERE, "montreal_app", "Montreal Protocol conversions and limits."),
        "upops": Lazy(
            _HERE, "upops_app", "Stockholm Convention: unintentional POPs and stockpiles."
        ),
        "mercury": Lazy(_HERE, "mercury_app", "Minamata Convention: mercury inventory and ASGM."),
        "ghg": Lazy(_HERE, "ghg_app", "Greenhouse-gas mitigation (GEF core indicator 6)."),
    }
    order = ("list", "run", "result", "recompute", "montreal", "upops", "mercury", "ghg")


methods_app = typer.Typer(
    cls=MethodsGroup,
    help="Calculation methods (Montreal, Stockholm, Minamata, GHG).",
    no_args_is_help=True,
)
montreal_app = typer.Typer(help="Montreal Protocol conversions and limits.", no_args_is_help=True)
upops_app = typer.Typer(
    help="Stockholm Convention: unintentional POPs and stockpiles.", no_args_is_help=True
)
mercury_app = typer.Typer(
    help="Minamata Convention: mercury inventory and ASGM.", no_args_is_help=True
)
ghg_app = typer.Typer(
    help="Greenhouse-gas mitigation (GEF core indicator 6).", no_args_is_help=True
)

StoreOption = Annotated[bool, typer.Option("--store", help="Keep the run in the database.")]

_MEASURES = {
    "t": ("t", 1.0),
    "tonne": ("t", 1.0),
    "kg": ("t", 0.001),
    "odp": ("odp", 1.0),
    "odp_t": ("odp", 1.0),
    "odp_tonne": ("odp", 1.0),
    "co2e": ("co2e", 1.0),
    "tco2e": ("co2e", 1.0),
}

_BY_CODE = {"t": ("t", 1.0), "kg": ("t", 0.001), "ODP_tonne": ("odp", 1.0), "tCO2e": ("co2e", 1.0)}


def _measure(unit: str) -> tuple[str | None, float]:
    """What ``unit`` measures and its size in that measure's unit: the short names, or a
    unit as people write it ("tonnes", "ODP tonnes", "t CO2-eq", "kilogrammes")."""
    found = _MEASURES.get(unit.strip().lower())
    if found is not None:
        return found
    from greenfolio.domain.units import canonical_unit

    return _BY_CODE.get(canonical_unit(unit), (None, 1.0))


def _show(
    method_id: str, inputs: dict[str, Any], store: bool, db: str | None, as_json: bool
) -> None:
    from greenfolio.interfaces.cli.method_words import detail, output
    from greenfolio.interfaces.cli.words import said
    from greenfolio.methods import registry

    with errors():
        if store:
            from greenfolio.services import methods as method_service

            run = method_service.run(open_db(db), method_id, inputs)
        else:
            run = registry.calculate(method_id, inputs)
        if as_json:
            print_json(run)
            return
        # A few lines of plain text: printed without Rich, whose import would double the
        # time this command takes to start (benchmarks/cli_start.py).
        rows = [
            (output(name), number(q["value"]), said("unit", str(q["unit"])))
            for name, q in run["outputs"]["quantities"].items()
        ]
        title = f"{said('method', run['method'])} (version {run['method_version']})"
        # no quantity (no control measure in force that year): the title, then the details
        lines = [plain_table(("output", "value", "unit"), rows, title) if rows else title]
        for name, value in run["outputs"]["details"].items():
            if isinstance(value, float) and not isinstance(value, bool):
                value = number(value)
            if not isinstance(value, list | dict):
                lines.append(detail(name, value))
        # a component with no GWP in the chosen basis counts zero: said, not only in --json
        # (a newcomer read 385.5 for HFC-32/HFO-1234yf under AR6 without knowing why)
        without = run["outputs"]["details"].get("components_without_gwp") or []
        if without:
            code = str(run["outputs"]["details"].get("gwp_basis", ""))
            basis = detail("gwp_basis", code).split(": ", 1)[-1]
            if code in ("ar4", "mlf"):  # the Protocol's own values
                lines.append(
                    f"Counted as zero, as the Montreal Protocol gives them no GWP (not "
                    f"controlled, or controlled without one): {', '.join(without)}"
                )
            else:
                lines.append(
                    f"Counted as zero, with no GWP in this basis ({basis}) in the reference "
                    f"data: {', '.join(without)}"
                )
        left = run["outputs"]["details"].get("components_not_counted") or []
        if left:
            lines.append(
                "Not counted under the MLF convention (a blend not made of ozone-depleting "
                f"substances alone counts its HFC share only): {', '.join(left)}"
            )
        names = list(run["outputs"]["quantities"])
        if "run_id" in run:
            lines.append(f"stored as method run {run['run_id']}")
            lines.extend(_recording(run["run_id"], names))
        else:
            lines.append(f"reference data: {run['refdata_version']}")
            if names:
                lines.append(
                    "add --store to keep the run, then record an output as a result with "
                    "`greenfolio methods result`"
                )
        sys.stdout.write("\n".join(lines) + "\n")


def _recording(run_id: int, names: list[str]) -> list[str]:
    """How to record an output of a stored run as a result: the command, with the names
    --output takes (the table shows each output in words)."""
    from greenfolio.interfaces.cli.method_words import output

    if not names:
        return []
    chosen = names[0] if len(names) == 1 else "NAME"
    lines = [
        "record an output as a draft result: greenfolio methods result "
        f"{run_id} --output {chosen} --work KEY --indicator CODE "
        "--period-start YYYY-MM-DD --period-end YYYY-MM-DD"
    ]
    if len(names) > 1:
        listed = ", ".join(f"{name} ({output(name)})" for name in names)
        lines.append(f"  NAME: {listed}")
    return lines


def _pairs(text: str, what: str) -> dict[str, float]:
    """``NAME=NUMBER`` pairs split at commas, or at semicolons where the text has any (a
    name may hold commas: "1,1,1-trichloroethane"); "50%" is read as 50, as the MLF's
    tables write shares. A name given twice is refused, not overwritten."""
    pairs: dict[str, float] = {}
    form = f"{what} takes NAME=NUMBER pairs, e.g. 'HFC-32=50,HFC-125=50'"
    for part in filter(None, (p.strip() for p in text.split(";" if ";" in text else ","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        try:
            number = float(value.strip().removesuffix("%"))
        except ValueError as exc:
            raise ValidationError(f"{form}: {part!r} is not one") from exc
        if not sep or not name:
            raise ValidationError(f"{form}: {part!r} is not one")
        if name in pairs:
            raise ValidationError(f"{what}: {name} is given twice; give it once")
        pairs[name] = number
    return pairs


@methods_app.command("list")
def methods_list(as_json: JsonOption = False) -> None:
    """Every method with its version, reference-data version and sources."""
    from greenfolio.methods import registry

    rows = registry.list_methods()
    if as_json:
        print_json(rows)
        return
    grid = table("method", "version", "title", "sources", wrap=("title", "sources"))
    for r in rows:
        grid.add_row(r["id"], r["version"], r["title"], "; ".join(r["sources"]))
    out.print(grid)


@montreal_app.command("convert")
def montreal_convert(
    quantity: Annotated[float, typer.Argument(help="How much.")],
    unit: Annotated[str, typer.Argument(help="t, kg, odp (ODP tonnes) or co2e (t CO2-eq).")],
    substance: Annotated[
        str,
        typer.Argument(
            help="e.g. HCFC-22, HFC-134a, R-410A, R448B, FX-20, 'Free Zone', or a name of "
            "your own (or 'Other mixture (HFC only)') with --composition."
        ),
    ],
    to: Annotated[str, typer.Option(help="t, odp or co2e.")],
    gwp: Annotated[str, typer.Option(help="ar4 (Kigali, default), ar5, ar6 or mlf.")] = "ar4",
    composition: Annotated[
        str | None,
        typer.Option(help="A blend of your own: 'HFC-32=50,HFC-125=50' (mass %, summing to 100)."),
    ] = None,
    composition_source: Annotated[
        str,
        typer.Option(
            help="Where ASHRAE 34 and the MLF's reporting system both list a blend with "
            "different shares (e.g. R-506), which to use: ashrae (default) or mlf."
        ),
    ] = "ashrae",
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Convert between metric tonnes, ODP tonnes and tonnes CO2-eq."""
    with errors():
        measure, scale = _measure(unit)
        if measure is None:
            raise ValidationError(f"unknown unit {unit!r}: use t, kg, odp or co2e")
        target, size = _measure(to)
        if target is None or size != 1.0:
            raise ValidationError(f"unknown target {to!r}: use t, odp or co2e")
        if composition_source.lower() not in ("ashrae", "mlf"):
            raise ValidationError(
                f"unknown --composition-source {composition_source!r}: use ashrae or mlf"
            )
        inputs: dict[str, Any] = {
            "quantity": quantity * scale,
            "measure": measure,
            "substance": substance,
            "to": target,
            "gwp": gwp.strip().lower(),  # "AR6" as well as "ar6"
            "composition_source": composition_source.lower(),
        }
        if composition:
            inputs["composition"] = _pairs(composition, "--composition")
    _show("montreal.convert", inputs, store, db, as_json)


@montreal_app.command("limits")
def montreal_limits(
    party: Annotated[str, typer.Argument(help="Party, ISO 3166-1 alpha-3 (e.g. NGA).")],
    group: Annotated[str, typer.Option(help="Annex group, e.g. C/I (HCFCs) or F (HFCs).")],
    year: Annotated[int, typer.Option(help="Control year.")],
    baseline: Annotated[
        float | None, typer.Option(help="Baseline (ODP t; CO2-eq t for F). Default: packaged.")
    ] = None,
    limit: Annotated[str, typer.Option(help="consumption or production.")] = "consumption",
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Allowed consumption or production of a party in a year."""
    inputs = {"party": party, "group": group, "year": year, "baseline": baseline, "limit": limit}
    _show("montreal.limits", inputs, store, db, as_json)


@montreal_app.command("compliance")
def montreal_compliance(
    party: Annotated[str, typer.Argument()],
    group: Annotated[str, typer.Option()],
    baseline: Annotated[float, typer.Option()],
    series: Annotated[str, typer.Option(help="Consumption by year: '2020=200,2021=230'.")],
    limit: Annotated[str, typer.Option()] = "consumption",
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Check a consumption series against the limits in force each year."""
    with errors():
        data = {int(k): v for k, v in _pairs(series, "--series").items()}
    inputs = {"party": party, "group": group, "baseline": baseline, "series": data, "limit": limit}
    _show("montreal.compliance", inputs, store, db, as_json)


@upops_app.command("releases")
def upops_releases(
    category: Annotated[str, typer.Option(help="Toolkit category, e.g. 1c.")],
    klass: Annotated[str, typer.Option("--class", help="Technology class, e.g. 1.")],
    activity: Annotated[float, typer.Option(help="Activity rate, tonnes per year.")],
    factors: Annotated[Path | None, typer.Option(help="A factor table CSV of your own.")] = None,
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Unintentional POPs releases (g TEQ/a) per vector."""
    inputs = {
        "category": category,
        "class": klass,
        "activity_t": activity,
        "factor_table": str(factors) if factors else None,
    }
    _show("stockholm.upops_releases", inputs, store, db, as_json)


@upops_app.command("avoided")
def upops_avoided(
    category: Annotated[str, typer.Option()],
    before: Annotated[str, typer.Option("--from", help="Class before.")],
    after: Annotated[str, typer.Option("--to", help="Class after.")],
    activity: Annotated[float, typer.Option(help="Tonnes per year.")],
    factors: Annotated[Path | None, typer.Option()] = None,
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Releases avoided by a cleaner technology class (GEF core indicator 10)."""
    inputs = {
        "category": category,
        "class_before": before,
        "class_after": after,
        "activity_t": activity,
        "factor_table": str(factors) if factors else None,
    }
    _show("stockholm.upops_avoided", inputs, store, db, as_json)


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValidationError(f"{path} does not exist")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@upops_app.command("stockpile")
def upops_stockpile(
    ledger: Annotated[Path, typer.Argument(help="CSV with columns pops_type,fate,tonnes.")],
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Tonnes of POPs destroyed and safeguarded, by type (GEF core indicator 9.1)."""
    with errors():
        rows = _read_csv(ledger)
    _show("stockholm.stockpile", {"entries": rows}, store, db, as_json)


@mercury_app.command("inventory")
def mercury_inventory(
    factors: Annotated[
        Path,
        typer.Option(
            help=f"CSV: category,input_g_per_unit,activity_unit,{_PATHWAY_COLUMNS},source"
        ),
    ],
    activities: Annotated[Path, typer.Option(help="CSV: category,amount")],
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Mercury inputs and releases by pathway, from your factor table."""
    from greenfolio.methods.mercury import PATHWAYS

    with errors():
        table = []
        for row in _read_csv(factors):
            dist = {p: float(row[p]) for p in PATHWAYS if row.get(p, "").strip()}
            table.append(
                {
                    "category": row["category"],
                    "input_g_per_unit": row["input_g_per_unit"],
                    "activity_unit": row.get("activity_unit") or "t",
                    "distribution": dist,
                    "source": row.get("source", ""),
                }
            )
        acts = _read_csv(activities)
    _show("minamata.inventory", {"factors": table, "activities": acts}, store, db, as_json)


@mercury_app.command("asgm")
def mercury_asgm(
    gold_kg: Annotated[float, typer.Option(help="Gold produced, kg.")],
    ratio: Annotated[float, typer.Option(help="kg mercury used per kg gold.")],
    ratio_source: Annotated[str, typer.Option(help="Where the ratio comes from.")],
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Mercury used in artisanal and small-scale gold mining."""
    inputs = {"gold_kg": gold_kg, "mercury_to_gold": ratio, "ratio_source": ratio_source}
    _show("minamata.asgm", inputs, store, db, as_json)


@ghg_app.command("grid-factor")
def ghg_grid_factor(
    om: Annotated[float, typer.Option(help="Operating margin, t CO2/MWh.")],
    bm: Annotated[float, typer.Option(help="Build margin, t CO2/MWh.")],
    w_om: Annotated[float, typer.Option(help="Weight of the operating margin.")],
    w_bm: Annotated[float, typer.Option(help="Weight of the build margin.")],
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Combined-margin grid emission factor."""
    inputs = {"operating_margin": om, "build_margin": bm, "weight_om": w_om, "weight_bm": w_bm}
    _show("ghg.grid_factor", inputs, store, db, as_json)


@ghg_app.command("mitigation")
def ghg_mitigation(
    energy: Annotated[float, typer.Option(help="MWh saved or generated per year.")],
    factor: Annotated[float, typer.Option(help="Emission factor, t CO2e/MWh.")],
    lifetime: Annotated[float, typer.Option(help="Lifetime of the investment, years.")],
    factor_source: Annotated[str, typer.Option(help="Where the emission factor comes from.")],
    post_project_energy: Annotated[float, typer.Option()] = 0.0,
    post_project_lifetime: Annotated[float, typer.Option()] = 0.0,
    replication_factor: Annotated[float | None, typer.Option()] = None,
    technical_potential: Annotated[float | None, typer.Option()] = None,
    causality_factor: Annotated[float | None, typer.Option()] = None,
    store: StoreOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Lifetime direct, direct post-project and indirect tCO2e."""
    inputs = {
        "energy_mwh_per_year": energy,
        "emission_factor": factor,
        "lifetime_years": lifetime,
        "factor_source": factor_source,
        "post_project_mwh_per_year": post_project_energy,
        "post_project_lifetime_years": post_project_lifetime,
        "replication_factor": replication_factor,
        "technical_potential_tco2e": technical_potential,
        "causality_factor": causality_factor,
    }
    _show("ghg.mitigation", inputs, store, db, as_json)


@methods_app.command("run")
def methods_run(
    method: Annotated[str, typer.Argument(help="Method id, e.g. montreal.convert.")],
    inputs: Annotated[str, typer.Option(help="Inputs as JSON, or @file.json.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Run any method on JSON inputs and store the run."""
    with errors():
        text = Path(inputs[1:]).read_text("utf-8") if inputs.startswith("@") else inputs
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"--inputs is not valid JSON: {exc}") from exc
    _show(method, data, True, db, as_json)


@methods_app.command("result")
def methods_result(
    run_id: Annotated[int, typer.Argument(help="A stored method run.")],
    output: Annotated[str, typer.Option(help="Which output of the run.")],
    work: Annotated[str, typer.Option(help="Work item key.")],
    indicator: Annotated[str, typer.Option(help="Indicator code.")],
    period_start: Annotated[str | None, typer.Option()] = None,
    period_end: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Record one output of a run as a draft result that keeps the link to the run."""
    from greenfolio.services import coverage
    from greenfolio.services import methods as method_service

    with errors():
        spec = method_service.FromRun(
            run_id=run_id,
            output=output,
            work=work,
            indicator=indicator,
            period_start=period_start,
            period_end=period_end,
            country=country,
        )
        database = open_db(db)
        rid = method_service.result_from_run(database, spec)
        if as_json:
            print_json({"id": rid, "run_id": run_id, "review_state": "draft"})
        else:
            out.print(f"result {rid} recorded as draft from method run {run_id}")
        for text in coverage.warnings(database, [rid]).values():
            warn(text)


@methods_app.command("recompute")
def methods_recompute(
    apply: Annotated[
        bool, typer.Option(help="Update the results and send them to review.")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List every result made by a method whose value the current reference data changes."""
    from greenfolio.interfaces.cli.words import said
    from greenfolio.services import methods as method_service

    with errors():
        changes = method_service.recompute(open_db(db), apply=apply)
        if as_json:
            print_json(changes)
            return
        if not changes:
            out.print("no result would change")
            return
        grid = table("result", "run", "method", "old", "new", "difference", "unit")
        for c in changes:
            grid.add_row(
                str(c["result_id"]),
                str(c["run_id"]),
                said("method", c["method"]),
                number(c["old_value"]),
                number(c["new_value"]),
                ("+" if c["difference"] > 0 else "") + number(c["difference"]),
                said("unit", c["unit"]),
            )
        out.print(grid)
        if apply:
            out.print(f"{len(changes)} result(s) updated and sent back to review")
