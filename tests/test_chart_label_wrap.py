"""An officer's review: on the Russian dashboard "выведенные из обращения
озоноразрушающие вещества" ran past the card's edge ("…вещ"): its width was estimated
with Latin letters' widths. Cyrillic is estimated wider, so the name wraps."""

from __future__ import annotations

from greenfolio.interfaces.web.svg import CHART_WIDTH, _ems, _wrap

RUSSIAN = "выведенные из обращения озоноразрушающие вещества (метрические тонны)"


def test_a_russian_indicator_name_wraps_inside_the_chart() -> None:
    lines = _wrap(RUSSIAN, 13.0, CHART_WIDTH)
    assert lines[0] == "выведенные из обращения озоноразрушающие", lines
    assert all(_ems(line) * 13.0 <= CHART_WIDTH for line in lines)
    assert _ems("вещества") > _ems("articles")  # same letters, wider script
    assert _wrap("countries supported", 13.0, CHART_WIDTH) == ["countries supported"]
