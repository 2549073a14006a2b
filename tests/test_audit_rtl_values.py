"""In the Arabic audit trail each changed value is isolated: a French description's final
full stop stood at the far end of the Arabic line (".Destruction …")."""

from __future__ import annotations

from typing import Any

from greenfolio.interfaces.http.event_text import describe
from greenfolio.interfaces.http.translator import Translator

FSI, PDI = "\u2068", "\u2069"


def _event() -> dict[str, Any]:
    return {
        "entity": "work_item", "action": "update", "entity_id": "1", "actor": "user:x",
        "before": {"key": "p", "description": {"fr": "Destruction des PCB."}},
        "after": {"key": "p", "description": {"fr": "Destruction des PCB au Sénégal."}},
        "changes": ["description"],
    }  # fmt: skip


def test_values_are_isolated_in_arabic() -> None:
    (line,) = describe(Translator("ar"), _event())["changes"]
    assert f"{FSI}Destruction des PCB.{PDI}" in line
    assert f"{FSI}Destruction des PCB au Sénégal.{PDI}" in line


def test_left_to_right_pages_have_no_isolates() -> None:
    (line,) = describe(Translator("fr"), _event())["changes"]
    assert FSI not in line and "Destruction des PCB." in line


def test_latin_text_in_an_arabic_field_keeps_its_own_direction() -> None:
    """A French description typed in the Arabic field showed as ".Projet pilote …"."""
    tr = Translator("ar")
    assert str(tr.shown({"ar": "Projet pilote (phase 2)."})) == (
        '<bdi dir="ltr">Projet pilote (phase 2).</bdi>'
    )
    assert str(tr.shown({"ar": "مشروع تجريبي (المرحلة 2)."})) == "مشروع تجريبي (المرحلة 2)."
    assert str(Translator("fr").shown({"fr": "Projet pilote."})) == "Projet pilote."
