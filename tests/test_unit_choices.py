"""An officer's review: an ODS result's unit list offered "ODP t" twice (ODP_tonne and
its other spelling ODP_t). Each unit is offered once; a unit stored in another spelling
takes its alias's place, so revising keeps it as stored."""

from __future__ import annotations

from greenfolio.interfaces.http.labels import UNITS
from greenfolio.interfaces.web.entry_form import unit_choices


def test_each_unit_is_offered_once() -> None:
    assert "ODP_t" in UNITS  # a spelling the pages can show
    assert unit_choices("ODP_tonne") == ["ODP_tonne"]
    assert unit_choices("ODP_tonne", current="ODP_t") == ["ODP_t"]
    assert unit_choices("t") == ["t", "kg", "g"]
    assert unit_choices("tCO2e", current="megatonne_CO2e") == ["tCO2e", "ktCO2e", "megatonne_CO2e"]
    assert unit_choices("t", current="USD")[-1] == "USD"  # another kind, kept as stored
