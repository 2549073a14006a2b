"""Arabic in the Board documents as the UN's Arabic editions write it: months by both
their names, footnote calls after the word before the punctuation, every count in each
CLDR plural form, verbs agreeing with the counted noun after them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from greenfolio.domain.results import Qualifier
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_template


def test_arabic_months_are_double_names_throughout(
    board: dict[str, reporting.BuiltReport],
) -> None:
    text = board["ar"].document.plain_text()
    single = (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيه",
        "يوليه",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    )
    for month in single:
        for found in re.finditer(rf"(?<![/\w]){month}(?!\w)", text):
            pytest.fail(f"{month} without its pair at {text[found.start() - 20 : found.end()]}")
    assert "آذار/مارس 2021" in text
    assert "يوليو" not in text  # CLDR's single Egyptian name


def test_arabic_footnote_calls_follow_the_word_before_the_punctuation(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """As the Chinese source (and the UN's French and Spanish) place them: the call after the
    word, before a full stop or comma, never after it."""
    calls = 0
    for para in board["ar"].document.paragraphs():
        for before, run in zip(para.runs, para.runs[1:], strict=False):
            if run.footnote is not None:
                calls += 1
                assert not re.search(r"[.,،؛:]\s*$", before.text), (para.key, before.text[-30:])
                assert not before.text.endswith(" "), (para.key, before.text[-30:])
    assert calls >= 14


_AR_TEMPLATE = Path(reporting.__file__).parent.parent / "reports/board/templates/ar.yaml"
_AR_COUNT = re.compile(r'count\("(\w+)", ((?:\w+="[^"]*"(?:, )?)+)\)')


def test_every_arabic_count_gives_each_cldr_form() -> None:
    """Arabic counts: one, two (the dual), few (3–10, plural), many (11–99, accusative
    singular), other (100, genitive singular). A count whose forms print the number gives
    all five, and its 3–10 and 11–99 forms differ (a missing "many" would print "11 بلدان");
    "other" has no accusative alif ("100 بلد", not "100 بلدا")."""
    calls = _AR_COUNT.findall(_AR_TEMPLATE.read_text("utf-8"))
    assert len(calls) > 20
    for fid, args in calls:
        forms = dict(re.findall(r'(\w+)="([^"]*)"', args))
        if not any("{n}" in form for form in forms.values()):
            continue
        assert set(forms) == {"one", "two", "few", "many", "other"}, (fid, sorted(forms))
        assert forms["few"] != forms["many"], (fid, forms)
        first = forms["other"].split()[1]
        assert not first.endswith("ا"), (fid, "100 takes the genitive, not", first)


@pytest.mark.parametrize(
    ("n", "completed", "under_way"),
    [
        (1, "أنجز بلد واحد", "يجري بلد آخر"),
        (2, "أنجز بلدان اثنان", "يجري بلدان آخران"),
        (3, "أنجز ثلاثة بلدان", "يجري ثلاثة بلدان أخرى"),
        (11, "أنجز 11 بلدا", "يجري 11 بلدا آخر"),
        (100, "أنجز 100 بلد", "يجري 100 بلد آخر"),
    ],
)
def test_arabic_verbs_agree_with_the_counted_noun_after_them(
    demo_db_module: Database, n: int, completed: str, under_way: str
) -> None:
    """A verb before a counted masculine noun is masculine singular ("أنجز 22 بلدا"), and
    the noun takes the CLDR form of each number, every counted figure set to ``n``."""
    import dataclasses

    definition = reporting.load_definition("board")
    computed = reporting.compute(demo_db_module, definition, 2021)
    counted = {fid for fid, _ in _AR_COUNT.findall(_AR_TEMPLATE.read_text("utf-8"))}
    figures = {
        fid: dataclasses.replace(fig, value=n, qualifier=Qualifier.EXACT) if fid in counted else fig
        for fid, fig in computed.figures.items()
    }
    template = load_template("board", "ar")
    document, _ = reporting.render_document(definition, template, "ar", figures, 2021)
    text = document.plain_text()
    assert completed in text and under_way in text, text[text.find("ميناماتا") - 120 :][:400]
    feminine = re.search(r"(?<!\w)و?(?:أنجزت|تجري|تعد|تعمل)\s+(?:\S+\s+)?بلد", text)
    assert not feminine, text[feminine.start() - 30 : feminine.end() + 30]
