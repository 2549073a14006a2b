"""Unit safety: unlike measures never add; like ones convert."""

from __future__ import annotations

import json
import random
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenfolio.domain import units
from greenfolio.domain.errors import UnitMismatchError, ValidationError
from greenfolio.domain.units import UnitGroup, compatible, convert, parse_unit, sum_groups


def test_tonnes_and_odp_tonnes_do_not_add() -> None:
    groups = [UnitGroup("t", 10.0, [1]), UnitGroup("ODP_tonne", 2.0, [7, 8])]
    with pytest.raises(UnitMismatchError) as info:
        sum_groups("ods_phased_out", "t", groups)
    message = str(info.value)
    assert "ods_phased_out" in message
    assert "[7, 8]" in message
    assert "ODP_tonne" in message and " t" in message


def test_g_teq_and_plain_milligrams_do_not_add() -> None:
    with pytest.raises(UnitMismatchError) as info:
        sum_groups("upops_avoided", "g_TEQ", [UnitGroup("mg", 5.0, [3])])
    assert "upops_avoided" in str(info.value) and "mg" in str(info.value)
    assert "g_TEQ" in str(info.value)


def test_mg_teq_converts_to_g_teq() -> None:
    assert convert(119489, "mg_TEQ", "g_TEQ") == pytest.approx(119.489)
    assert sum_groups("x", "g_TEQ", [UnitGroup("mg_TEQ", 500, []), UnitGroup("g_TEQ", 1, [])]) == (
        pytest.approx(1.5)
    )


def test_kilograms_add_to_tonnes() -> None:
    assert sum_groups(
        "pops_destroyed", "t", [UnitGroup("kg", 1500, []), UnitGroup("t", 1, [])]
    ) == (pytest.approx(2.5))


def test_counts_of_different_things_do_not_mix() -> None:
    assert not compatible("person", "country")
    assert compatible("ktCO2e", "tCO2e")
    assert not compatible("tCO2e", "t")


def test_unknown_unit_is_named() -> None:
    with pytest.raises(ValidationError, match="'tonnez'"):
        parse_unit("tonnez")


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_conversion_round_trips(value: float) -> None:
    there = convert(value, "kg", "t")
    assert convert(there, "t", "kg") == pytest.approx(value, rel=1e-12, abs=1e-9)


def test_the_unit_table_says_what_pint_says() -> None:
    # refdata/unit_table.json spares figures and checks loading pint: it must be what pint
    # gives now (regenerate it with `python -m greenfolio.domain.units PATH` if pint or
    # units.txt changed).
    shipped = json.loads(
        resources.files("greenfolio.refdata").joinpath(units.TABLE_FILE).read_text("utf-8")
    )
    assert shipped == json.loads(json.dumps(units.make_table()))
    assert "USD" not in shipped["dimensions"] and "t" in shipped["dimensions"]


def test_tabled_conversions_equal_pints_to_the_last_digit() -> None:
    rng = random.Random(7)
    values = [0.0, 1.0, 0.1, 119489, 1500, 2.675, -3.3, 1e15, 5e-324]
    values += [round(rng.uniform(1, 500), 2) * 1000.0 for _ in range(10)]
    values += [rng.uniform(-1e12, 1e12) for _ in range(10)] + [rng.randint(0, 10**9)]
    for src in units.TABLED_UNITS:
        for dst in units.TABLED_UNITS:
            like = units.compatible(src, dst)
            assert like == (parse_unit(src).dimensionality == parse_unit(dst).dimensionality)
            if not like:
                with pytest.raises(UnitMismatchError):
                    convert(1.0, src, dst)
                continue
            for value in values:
                fast = convert(value, src, dst)
                assert fast == units._pint_convert(value, src, dst), (src, dst, value)
                assert type(fast) is float


def test_a_unit_outside_the_table_is_asked_of_pint() -> None:
    assert "lb" not in units.TABLED_UNITS
    assert convert(1.0, "lb", "kg") == pytest.approx(0.45359237)
    assert compatible("lb", "t") and not compatible("lb", "tCO2e")
    with pytest.raises(ValidationError, match="'tonnez'"):
        units.check_unit("tonnez")
    units.check_unit("ODP_tonne")


def test_tons_is_refused_not_read_as_short_tons() -> None:
    """pint reads "ton" as the short ton (907 kg): a report meaning metric tonnes would be
    a tenth off without a word, so the name is refused, saying what to write."""
    import pytest

    from greenfolio.domain.errors import ValidationError
    from greenfolio.domain.units import canonical_unit, parse_unit

    for name in ("ton", "tons", "Tons", "mt"):  # "mt": pint's millitonne, 1 kg
        with pytest.raises(ValidationError) as refused:
            parse_unit(canonical_unit(name))
        assert refused.value.message_id == "unit_ambiguous"
        assert "write t for metric tonnes" in str(refused.value)
    # as people write the units the pages name: read, each as the one stored code
    for name, code in (
        ("Tonnes", "t"),
        ("metric tonnes", "t"),
        ("people", "person"),
        ("Countries", "country"),
        ("personnes", "person"),
        ("short_ton", "short_ton"),  # named for what it is: kept
        ("МВт", "MW"),
        ("Mt", "Mt"),  # the megatonne, as written
        # an officer's review: typed on a keyboard (no subscript two), and tonnes and
        # kilograms as CLDR names them in each language, plural and counted forms
        ("t CO2e", "tCO2e"),
        ("toneladas", "t"),
        ("тонн", "t"),
        ("тонны", "t"),
        ("公吨", "t"),
        ("طن متري", "t"),
        ("kilogrammes", "kg"),
        ("килограмм", "kg"),
    ):
        assert canonical_unit(name) == code, name
    # a symbol's case is its prefix: never read in another case
    for name, not_this in (
        ("mW", "MW"),
        ("мВт", "MW"),
        ("Mg TEQ", "mg_TEQ"),
        ("KG", "kg"),
        ("КГ", "kg"),
        ("Мг", "mg"),
    ):
        assert canonical_unit(name) != not_this, name
