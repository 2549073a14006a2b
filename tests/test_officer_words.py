"""Words a Spanish-speaking programme officer found wrong, checked in every language: a
reviewer's note quoted with the reader's own quotation marks (« » in Spanish, not “ ”);
one name per field across the catalogue and the XLSX template (Spanish "Calificador",
not also "Calificativo"; Chinese 数值类型 and 限定词, not also 数值类别 and 限定), files
headed with the former words still read; Russian counted nouns in the genitive after
"более" and "около" ("более 2 мер политики"); and an import that is done said in the past
("presentados", not "se presentarán")."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import lxml.html
import openpyxl
import pytest

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.web.i18n import Translator, catalogue
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_template
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from tests.test_api_support import add_project, add_user, browser, client

MARKS = {
    "en": ("“", "”"),
    "zh": ("“", "”"),
    "fr": ("«\u202f", "\u202f»"),
    "es": ("«", "»"),
    "ru": ("«", "»"),
    "ar": ("«", "»"),
}
"""Each language's quotation marks, as its editors print them."""
NOTE = "Mujeres (70) + hombres (60) = 130, no coincide con el total (120)."


def test_a_return_note_is_quoted_with_the_readers_quotation_marks(db: Database) -> None:
    add_project(db, "qt-phl", "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    body = {"work": "qt-phl", "indicator": "participants", "value": 60, "sex": "male"}
    made = client(db).post("/api/v1/results", json=body, headers=editor.auth)
    rid = made.json()["id"]
    web, csrf = browser(db, editor)
    sent = web.post(
        f"/results/{rid}/review", data={"csrf": csrf, "action": "submit", "version": "1"}
    )
    assert sent.status_code == 303
    rweb, rcsrf = browser(db, reviewer)
    back = {"csrf": rcsrf, "action": "return", "version": "2", "note": NOTE}
    assert rweb.post(f"/results/{rid}/review", data=back).status_code == 303
    for lang in UN_LANGUAGES:
        opening, closing = MARKS[lang]
        assert catalogue(lang)["quoted"] == f"{opening}{{text}}{closing}"
        quoted = f"{opening}{NOTE}{closing}"
        result = lxml.html.fromstring(web.get(f"/results/{rid}?lang={lang}").text)
        note = result.xpath('//*[@data-testid="return-note"]//*[@class="quoted"]')[0]
        assert note.text_content() == quoted, lang
        assert note.xpath("bdi")[0].text == NOTE  # kept in its own direction in Arabic
        (step,) = [s for s in result.xpath('//ol[@class="steps"]/li') if NOTE in s.text_content()]
        assert quoted in step.text_content(), lang
        queue = lxml.html.fromstring(web.get(f"/review?lang={lang}").text)
        cell = queue.xpath(f'//tr[@data-result="{rid}"]')[0]
        assert quoted in cell.text_content(), lang
        if lang not in ("en", "zh"):  # no English marks around a note in these languages
            assert "“" not in cell.text_content() and "“" not in result.text_content()


FIELDS = {
    "qualifier": "field_qualifier",
    "value_kind": "field_kind",
    "milestone": "field_milestone",
    "evidence": "field_evidence",
    "review_state": "field_review_state",
    "entity": "field_entity",
    "scope": "field_scope",
}
"""A field's label on the forms and lists, and its name in the audit trail."""


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_field_has_one_name_in_each_language(lang: str) -> None:
    words = catalogue(lang)
    for label, field in FIELDS.items():
        assert words[label].casefold() == words[field].casefold(), (lang, label, field)
    if lang == "zh":
        assert words["key"] == words["field_key"]
    text = "\n".join(str(v) for v in words.values())
    former = {"es": ["alificativo"], "zh": ["数值类别"], "ar": ["المؤهِّل"]}.get(lang, [])
    for word in former:
        assert word not in text, (lang, word)
    if lang == "zh":  # 限定 only as 限定词
        assert text.count("限定") == text.count("限定词")


def test_the_chinese_template_names_fields_as_the_pages_do_and_old_headings_read(
    db: Database, tmp_path: Path
) -> None:
    add_project(db, "qt-phl", "pops", "PHL")
    words = catalogue("zh")
    book = openpyxl.load_workbook(write_template(db, ["participants"], tmp_path / "zh.xlsx", "zh"))
    sheet = book.worksheets[0]
    headings = [c.value for c in sheet[1]]
    assert words["value_kind"] == "数值类型" and words["qualifier"] == "限定词"
    assert "数值类型" in headings and "限定词" in headings
    readme = " ".join(str(c.value or "") for row in book.worksheets[-1].iter_rows() for c in row)
    assert "数值类型、限定词" in readme and "数值类别" not in readme
    # a file from a template of before, headed 数值类别 and 限定, reads the same
    for cell in sheet[1]:
        cell.value = {"数值类型": "数值类别", "限定词": "限定"}.get(str(cell.value), cell.value)
    row = ["qt-phl", "participants", 40, None, "actual", "more_than", date(2025, 1, 1),
           date(2025, 6, 30), "PHL"]  # fmt: skip
    for col, value in enumerate(row, start=1):
        sheet.cell(row=2, column=col, value=value)
    book.save(tmp_path / "old.xlsx")
    summary = import_results(db, tmp_path / "old.xlsx")
    assert not summary.problems and summary.created == 1, summary.problems
    assert {"数值类别", "数值类型"} <= xlsx_template.headings("kind")


@pytest.mark.parametrize(
    ("value", "qualifier", "unit", "said"),
    [
        (2, "more_than", "policy", "более 2 мер политики"),
        (2, "exact", "policy", "2 меры политики"),
        (21, "about", "country", "около 21 страны"),
        (21, "exact", "country", "21 страна"),
        (5, "more_than", "country", "более 5 стран"),
        (1, "about", "person", "около 1 человека"),
        (3, "more_than", "project", "более 3 проектов"),
        (72_000_000, "about", "person", "около 72 млн человек"),
    ],
)
def test_russian_counts_after_more_than_or_about_are_in_the_genitive(
    value: int, qualifier: str, unit: str, said: str
) -> None:
    assert Translator("ru").amount(value, qualifier, unit).replace("\u00a0", " ") == said


def test_other_languages_keep_the_numbers_form_after_a_qualifier() -> None:
    assert Translator("es").amount(2, "more_than", "policy") == "más de 2 políticas"
    assert Translator("fr").amount(1, "about", "country") == "environ 1 pays"
    assert Translator("en").amount(2, "more_than", "policy") == "more than 2 policies"


def test_a_russian_result_page_says_more_than_two_policies(db: Database) -> None:
    add_project(db, "qt-phl", "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    body = {"work": "qt-phl", "indicator": "policies_adopted", "value": 2, "unit": "policy",
            "qualifier": "more_than"}  # fmt: skip
    rid = client(db).post("/api/v1/results", json=body, headers=editor.auth).json()["id"]
    web, _ = browser(db, editor)
    page = lxml.html.fromstring(web.get(f"/results/{rid}?lang=ru").text)
    heading = " ".join(page.xpath("//h1")[0].text_content().split())
    assert heading.endswith("более 2 мер политики"), heading


FUTURE = {
    "en": "to be",
    "es": "presentarán",
    "fr": "à soumettre",
    "ru": "будут",
    "zh": "将",
    "ar": "ستُ",
}
"""How each language's preview says what an import would do (not yet done)."""


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_an_import_done_is_said_in_the_past(lang: str) -> None:
    words = catalogue(lang)
    assert FUTURE[lang] in words["import_n_new"]  # the preview: what would happen
    for key in ("import_done_new", "import_done_changed", "import_done_unchanged"):
        assert FUTURE[lang] not in words[key], (lang, key)
        assert "{n}" in words[key]
    template = Path(xlsx_template.__file__).parents[2] / "interfaces/web/templates/import.html"
    done = template.read_text("utf-8").split("{% if done %}")[1].split("{% endif %}")[0]
    assert "import_done_new" in done and "import_n_new" not in done


def test_a_value_ending_in_a_full_stop_ends_the_sentence_once() -> None:
    """A programme officer read "… 30 июн. 2021 г.. Только" on the Russian dashboard."""
    from greenfolio.interfaces.web.i18n import Translator

    tr = Translator("ru")
    said = tr("dash_groups_note", year=2021, period=tr.date("2021-06-30"))
    assert "г.." not in said and "г. Только" in said, said
    assert Translator("en")("dash_groups_note", year=2021, period="2021").count("..") == 0


def test_arabic_date_examples_read_left_to_right() -> None:
    """A programme officer saw "(2021-06-30)" shown as "30-06-2021" in Arabic: the
    example is isolated as left-to-right text."""
    from greenfolio.interfaces.web.i18n import catalogue as words

    arabic = words("ar")
    for key in ("err_cell_date", "date_input_hint", "date_hint", "err_cell_activity_date"):
        assert "\u2066" in arabic[key] and "\u2069" in arabic[key], key
        assert not re.search(r"(?<!\u2066)\b\d{4}-\d{2}", arabic[key]), key
