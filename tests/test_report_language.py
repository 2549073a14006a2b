"""The Board, Montreal and GEF documents read as the UN writes: UNTERM country names with
their articles, UN date forms from Greenfolio's own table, quantities with the convention's
unit, and no phrase that a template adds only to carry a number. Checked on documents
built from the demo portfolio in all six languages, by rule where a rule exists."""

from __future__ import annotations

import re
import shutil
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from babel import Locale

from greenfolio.domain.countries import country_in_text, country_name
from greenfolio.domain.document import Document
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.numbers import format_count, russian_number_word
from greenfolio.domain.results import Qualifier
from greenfolio.domain.typography import (
    DOCUMENT_SYMBOL,
    NBSP,
    NNBSP,
    join_unbroken,
    typeset,
    unbroken_spans,
)
from greenfolio.domain.un_dates import un_date, un_date_range
from greenfolio.domain.un_names import russian_forms, un_name
from greenfolio.services import report_units, reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_template
from tests.pdf_text import pdf_text
from tests.report_builds import build_board

QUANTITIES = (
    "pops_destroyed",
    "pops_safeguarded",
    "upops_avoided",
    "upops_safeguarded",
    "ods_phased_out",
    "co2_avoided",
)


@pytest.fixture(scope="module")
def board(demo_db_module: Database) -> dict[str, reporting.BuiltReport]:
    """The 2021 Board report in the six languages, figures computed once."""
    definition = reporting.load_definition("board")
    computed = reporting.compute(demo_db_module, definition, 2021)
    return {
        lang: reporting.build(demo_db_module, "board", 2021, lang, computed)
        for lang in UN_LANGUAGES
    }


def _runs(doc: Document, fid: str) -> list[str]:
    return [
        r.text for p in doc.paragraphs() for r in p.runs if r.figure == fid and r.part == "value"
    ]


# --- country names ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_every_country_named_as_unterm_writes_it(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    built = board[lang]
    text = built.document.plain_text().replace(NBSP, " ")  # "Sierra\u00a0Leone"
    cldr = Locale.parse({"zh": "zh_Hans_CN"}.get(lang, lang)).territories
    import pycountry

    for fig in built.figures.values():
        if fig.query != "indicator" or not fig.items or fig.id not in built.used:
            continue
        for code in fig.items:
            un = un_name(code, lang)
            assert un is not None, f"{code} has no UNTERM {lang} name"
            names = (typeset(un.text, lang), typeset(un.table, lang))
            if lang == "ru":  # declined as the sentence governs it ("в Бразилии")
                forms = russian_forms(code)
                assert forms is not None, code
                names += tuple(typeset(f, lang) for f in forms.cases.values())
            assert any(n in text for n in names), (fig.id, code, un.text)
            alpha2 = pycountry.countries.get(alpha_3=code).alpha_2
            other = cldr.get(alpha2)
            if other and other not in un.text and other not in un.formal:
                assert not re.search(rf"(?<!\w){re.escape(other)}(?!\w)", text), (code, other)


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        (
            "en",
            [
                "Albania, Jordan, the Philippines and Tunisia",
                "Viet Nam",
                "the Democratic Republic of the Congo and Sierra Leone",
            ],
        ),
        (
            "es",
            [
                "en el Brasil, Tailandia y el Uruguay",
                "Belice, China, la India y el Senegal",
                "Nepal y Viet Nam",
                "Camboya, el Perú, el Senegal y Sudáfrica",
            ],
        ),
        (
            "fr",
            [
                "au Brésil, en Thaïlande et en Uruguay",
                "au Belize, en Chine, en Inde et au Sénégal",
                "le Viet Nam",
                "la République démocratique du Congo et la Sierra Leone",
            ],
        ),
        ("ru", ["в Бразилии, Таиланде и Уругвае", "Вьетнаму", "на Филиппинах"]),
        ("zh", ["巴西、泰国和乌拉圭", "越南", "柬埔寨、印度尼西亚、尼泊尔、菲律宾和越南"]),
        ("ar", ["أوروغواي", "فييت نام"]),
    ],
)
def test_country_lists_read_like_the_un_text(
    board: dict[str, reporting.BuiltReport], lang: str, phrases: list[str]
) -> None:
    text = board[lang].document.plain_text().replace(NBSP, " ")
    for phrase in phrases:
        assert phrase in text, phrase
    assert "Vietnam" not in text and "فيتنام" not in text


def test_articles_contract_with_prepositions() -> None:
    assert country_in_text("BRA", "es", "de") == "del Brasil"
    assert country_in_text("URY", "es", "a") == "al Uruguay"
    assert country_in_text("THA", "es", "a") == "a Tailandia"
    assert country_in_text("BRA", "fr", "de") == "du Brésil"
    assert country_in_text("PHL", "fr", "à") == "aux Philippines"
    assert country_in_text("URY", "fr", "de") == "de l'Uruguay"
    assert country_in_text("PHL", "en") == "the Philippines"
    assert country_in_text("BOL", "en") == "the Plurinational State of Bolivia"
    assert country_name("BRA", "es") == "Brasil"
    assert country_name("VNM", "ar") == "فييت نام"


def test_french_preposition_of_place_follows_the_article() -> None:
    """French "in <country>" (prep="en"): au + masculine, aux + plural, en + feminine or
    vowel, à + a name without article; bracketed UNTERM names take their formal form."""
    cases = {
        "GHA": "au Ghana",
        "SEN": "au Sénégal",
        "SLE": "en Sierra Leone",
        "URY": "en Uruguay",
        "IND": "en Inde",
        "PHL": "aux Philippines",
        "ARE": "aux Émirats arabes unis",
        "VNM": "au Viet Nam",
        "COD": "en République démocratique du Congo",
        "CUB": "à Cuba",
        "LKA": "à Sri Lanka",
        "ISR": "en Israël",
        "IRN": "en République islamique d'Iran",
        "BOL": "dans l'État plurinational de Bolivie",
    }
    for code, wanted in cases.items():
        assert country_in_text(code, "fr", "en") == wanted, code


def test_french_lists_repeat_the_preposition(board: dict[str, reporting.BuiltReport]) -> None:
    text = board["fr"].document.plain_text().replace(NBSP, " ")
    assert "en Afrique du Sud, au Cambodge, au Pérou et au Sénégal" in text
    assert "Au Brésil, l’ONUDI aide" in text
    assert "des incubateurs en Algérie" in text and "mené aux Philippines" in text


def test_spanish_list_joins_the_preposition_to_its_first_name(
    board: dict[str, reporting.BuiltReport],
) -> None:
    text = board["es"].document.plain_text().replace(NBSP, " ")
    assert "ayuda a Albania, Filipinas, Jordania y Túnez" in text
    assert "ayuda a Burkina Faso, Filipinas y Mongolia" in text


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "accredited"),
    [
        ("en", "12–15 July 2021", "20 August 2020"),
        ("fr", "12–15 juillet 2021", "20 août 2020"),
        ("es", "12 a 15 de julio de 2021", "20 de agosto de 2020"),
        ("ru", "12–15 июля 2021 года", "20 августа 2020 года"),
        ("zh", "2021年7月12日至15日", "2020 年 8 月 20 日"),
        ("ar", "12–15 تموز/يوليه 2021", "20 آب/أغسطس 2020"),
    ],
)
def test_dates_in_un_form(
    board: dict[str, reporting.BuiltReport], lang: str, heading: str, accredited: str
) -> None:
    doc = board[lang].document
    assert heading in doc.header.dates_place.replace(NBSP, " ")
    assert accredited in doc.plain_text().replace(NBSP, " ")


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


def test_running_text_ranges() -> None:
    start, end = date(2021, 7, 12), date(2021, 7, 15)
    assert un_date_range(start, end, "es", "text") == "del 12 al 15 de julio de 2021"
    assert un_date_range(start, end, "fr", "text") == "du 12 au 15 juillet 2021"
    assert un_date_range(date(2020, 7, 1), date(2021, 6, 30), "en") == (
        "1 July 2020 – 30 June 2021"
    )
    assert un_date_range(date(2021, 6, 30), date(2021, 7, 2), "zh") == "2021年6月30日至7月2日"
    assert un_date(date(2021, 8, 1), "fr") == "1er août 2021"
    # Chinese as the source: heading closed up, running text spaced
    assert un_date_range(start, end, "zh", "text") == "2021 年 7 月 12 日至 15 日"
    assert un_date(date(2020, 8, 20), "zh", "heading") == "2020年8月20日"


# --- units -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_every_quantity_carries_its_convention_unit(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    built = board[lang]
    for fid in QUANTITIES:
        fig = built.figures[fid]
        labels = tuple(
            typeset(report_units.unit_label(fig.unit, fig.value, lang, fig.qualifier, case), lang)
            for case in ("", "genitive")
        )
        runs = _runs(built.document, fid)
        assert runs, f"{fid} not printed in {lang}"
        assert all(r.endswith(labels) for r in runs), (fid, runs, labels)
    text = built.document.plain_text()
    assert "mg TEQ" in text
    for bare in ("milligram", "milligramme", "miligramo", "миллиграмм", "毫克", "ملغ"):
        assert bare not in text.lower(), bare


def test_unstated_basis_is_said_in_the_provenance(
    board: dict[str, reporting.BuiltReport],
) -> None:
    prov = {f["id"]: f for f in board["en"].provenance()["figures"]}
    assert prov["co2_avoided"]["basis"] == "basis not stated in the source"
    assert prov["ods_phased_out"]["basis"] == "basis not stated in the source"
    assert "basis" not in prov["pops_destroyed"]
    # no basis footnote is invented for them
    notes = " ".join(n.text for n in board["en"].document.footnotes)
    assert "global warming potential" not in notes


# --- typography ------------------------------------------------------------------------


@pytest.mark.parametrize("definition", ["board", "montreal", "gef"])
def test_french_spaces_and_english_quotes(demo_db_module: Database, definition: str) -> None:
    fr = reporting.build(demo_db_module, definition, 2021, "fr").document.plain_text()
    assert not re.search(r"[ \u00a0][;?!»]|[ \u202f]:|« ", fr), re.search(
        r".{20}[ \u00a0][;?!»]|.{20}[ \u202f]:|« .{20}", fr
    )
    assert "'" not in fr
    en = reporting.build(demo_db_module, definition, 2021, "en").document.plain_text()
    assert '"' not in en and "'" not in en


def test_french_typography_rules() -> None:
    text = typeset("pays suivants : le Brésil ; « Passer » ? https://x.org l'Uruguay", "fr")
    assert text == (
        f"pays suivants{NBSP}: le Brésil{NNBSP}; «{NNBSP}Passer{NNBSP}»{NNBSP}? "
        "https://x.org l’Uruguay"
    )


# --- no filler -------------------------------------------------------------------------

_FILLER = re.compile(
    r"\((?:nombre|número|число|عدد)[^)]*[:—–]\s*\D{0,12}\d|[а-яё] \(\d+\)|（共|"
    r"shaped by the programme|"
    r"s'élève à \d|asciende a \d|составляет \d|يبلغ عدد|عددها|عددهم|"
    r"zero named|named countries|\b0 (?:pays|países|стран)"
)


def test_russian_units_agree_with_the_phrase(board: dict[str, reporting.BuiltReport]) -> None:
    text = board["ru"].document.plain_text()
    assert "в\u00a0объеме 13\u00a0194\u00a0метрических тонн" in text
    assert "в\u00a0объеме более\u00a0700\u00a0метрических тонн" in text
    assert "в\u00a0объеме около\u00a072\u00a0млн тонн эквивалента CO₂" in text


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_no_phrase_carries_a_number(board: dict[str, reporting.BuiltReport], lang: str) -> None:
    text = board[lang].document.plain_text()
    assert not _FILLER.search(text), _FILLER.search(text)


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_one_thing_is_written_as_one_thing(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    """Figures worth 1 print as a phrase naming the thing, never as the digit 1."""
    built = board[lang]
    for fid in (
        "eip_strategies",
        "circular_projects",
        "minigrid_publications",
        "chemical_leasing_publications",
        "circular_alliances",
        "gcf_accreditations",
    ):
        assert built.figures[fid].value == 1
        runs = _runs(built.document, fid)
        assert runs and not any(re.search(r"(?<![\d.])1(?![\d.])", r) for r in runs), (fid, runs)


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_montreal_example_reports_no_empty_list(demo_db_module: Database, lang: str) -> None:
    text = reporting.build(demo_db_module, "montreal", 2021, lang).document.plain_text()
    assert not _FILLER.search(text)
    training = {
        "en": "nine countries",
        "fr": "neuf pays",
        "es": "nueve países",
        "ru": "9\u00a0стран",
        "zh": "九个国家",
        "ar": "تسعة بلدان",  # three to ten in words, opposite to بلد in gender
    }[lang]
    assert training in text


def test_a_stated_gwp_basis_goes_in_a_footnote(demo_db: Database) -> None:
    """A CO2-eq figure computed by a method run carries the run's GWP basis: provenance and
    a footnote name it, in every language."""
    from greenfolio.services import methods, results

    run = methods.run(
        demo_db, "montreal.convert", {"quantity": 100, "substance": "HCFC-22", "to": "co2e"}
    )
    rid = methods.result_from_run(
        demo_db,
        methods.FromRun(
            run_id=run["run_id"],
            output="value",
            work="idb49-montreal-portfolio",
            indicator="ghg_avoided",
            period_start="2021-01-01",
            period_end="2021-06-30",
        ),
    )
    results.apply_review(demo_db, [rid], "submit")
    results.apply_review(demo_db, [rid], "verify", actor="user:checker")
    notes = {
        "en": "global warming potentials of basis AR4",
        "fr": "réchauffement global sur 100 ans de la base AR4",
        "es": "calentamiento global a 100 años de la base AR4",
        "ru": "глобального потепления за 100 лет на основе AR4",
        "zh": "按 AR4 的 100 年全球升温潜能值计算",
        "ar": "وفق الأساس AR4",
    }
    for lang, wanted in notes.items():
        built = reporting.build(demo_db, "gef", 2021, lang)
        prov = {f["id"]: f for f in built.provenance()["figures"]}
        assert prov["ci6_ghg"]["basis"] == "AR4"
        runs = [r for p in built.document.paragraphs() for r in p.runs]
        marks = [i for i, r in enumerate(runs) if r.figure == "ci6_ghg" and r.part == "value"]
        assert marks and runs[marks[0] + 1].footnote is not None, lang
        note = built.document.footnotes[runs[marks[0] + 1].footnote - 1].text
        assert wanted in note, (lang, note)
        assert "181" in runs[marks[0]].text  # 100 t HCFC-22 x GWP 1,810 (FACTS.md 1.5)
        if lang == "zh":  # the code's call, like the template's, before any punctuation
            for para in built.document.paragraphs():
                text = ""
                for run in para.runs:
                    if run.footnote is not None:
                        assert text and text[-1] not in _ZH_STOPS + " ", text[-12:]
                    text += run.text if run.footnote is None else ""


# --- the same rules in the written files ------------------------------------------------

PHRASES = {
    "en": ["the Philippines", "Viet Nam", "mg TEQ", "12–15 July 2021"],
    "es": ["el Brasil, Tailandia y el Uruguay", "Viet Nam", "mg TEQ", "12 a 15 de julio de 2021"],
    "fr": ["au Brésil, en Thaïlande et en Uruguay", "mg TEQ", "12–15 juillet 2021"],
    "ru": ["в Бразилии, Таиланде и Уругвае", "mg TEQ", "12–15 июля 2021 года"],
    "zh": ["越南", "mg TEQ", "2021年7月12日至15日"],
    "ar": ["فييت نام", "أوروغواي", "mg TEQ", "تموز/يوليه"],
}


@pytest.fixture(scope="module")
def written(demo_db_module: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Board report written as DOCX and PDF in the six languages by the CLI."""
    return build_board(demo_db_module, tmp_path_factory.mktemp("written"), "docx,pdf")


def _flat(text: str) -> str:
    """Text as a reader sees it: bidi controls (pdftotext adds them around Arabic) removed,
    spaces folded, and the visual gap PDF layout puts between Han and digits closed."""
    text = re.sub("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u2060]", "", text)
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=\d)|(?<=\d) (?=[\u4e00-\u9fff])", "", text)


@pytest.mark.slow
@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_docx_and_pdf_text_follow_the_rules(written: Path, lang: str) -> None:

    import docx

    document = docx.Document(str(written / f"board-2021-{lang}.docx"))
    header = [c.text for t in document.tables for row in t.rows for c in row.cells]
    docx_text = _flat(" ".join([*header, *(p.text for p in document.paragraphs)]))
    texts = {"docx": docx_text}
    if shutil.which("pdftotext"):
        pdf = pdf_text(written / f"board-2021-{lang}.pdf")
        texts["pdf"] = _flat(pdf)
    for fmt, text in texts.items():
        for phrase in PHRASES[lang]:
            assert _flat(phrase) in text, (fmt, phrase)
        assert not _FILLER.search(text), (fmt, _FILLER.search(text))
        for bare in ("milligram", "milligramme", "miligramo", "миллиграмм", "毫克", "ملغ"):
            assert bare not in text.lower(), (fmt, bare)


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_gef_example_prints_units_and_no_count_phrase(demo_db_module: Database, lang: str) -> None:
    text = reporting.build(demo_db_module, "gef", 2021, lang).document.plain_text()
    assert not _FILLER.search(text), _FILLER.search(text)
    assert "g TEQ" in text
    assert not re.search(r"(?<![\d.,])0(?![\d.,])", text.replace("GC.18", "")), text


def test_html_sources_say_when_the_source_states_no_basis(
    demo_db_module: Database, tmp_path: Path
) -> None:
    import lxml.html
    from typer.testing import CliRunner

    from greenfolio.interfaces.cli.app import app

    url = demo_db_module.engine.url.render_as_string(hide_password=False)
    args = ["report", "build", "--year", "2021", "--lang", "fr,ar", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--db", url])
    assert result.exit_code == 0, result.output
    for lang, words in (
        ("fr", "base non précisée dans la source"),
        ("ar", "لم يذكر المصدر الأساس"),
    ):
        root = lxml.html.parse(str(tmp_path / f"board-2021-{lang}.html")).getroot()
        co2 = root.get_element_by_id("explain-co2_avoided").text_content()
        assert words in co2
        assert words not in root.get_element_by_id("explain-pops_destroyed").text_content()


# --- French and Spanish as a UN editor reads them ----------------------------------------

_YEAR_RANGE_HYPHEN = re.compile(r"(?<![\w/.-])(?:19|20)\d\d-(?:19|20)\d\d(?![\w-])")
"""Two years joined by a hyphen ("2018-2021"); a range takes an en dash. Web addresses
("2021-03") and document numbers ("33-3") are not years on both sides."""
_CALL_AFTER_STOP = re.compile(r"[.,;:!?…]\s*$")
_COUNTRY_LISTS = (
    "page_recovery_countries",
    "healthcare_waste_countries",
    "emobility_countries",
    "gcip_adaptation_countries",
    "biochar_countries",
    "planetgold_countries",
    "women_countries",
)


def _breakable(lang: str, text: str) -> list[str]:
    """Places in ``text`` where an ordinary space would let a line break where the UN
    French or Spanish editions do not: after a list label ("a) des"), and in French
    between a number in digits and its word ("500 intervenants") or before a colon."""
    rules = [r"(?<![\w\u00a0])(?:[a-z]|[ivx]{1,4})\) "]
    if lang == "fr":
        rules += [r"\d [^\W\d]", r" :", r"\b(?:de|environ) \d"]
    found = re.finditer("|".join(rules), text)
    return [text[max(0, m.start() - 15) : m.end() + 15] for m in found]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_footnote_calls_stand_before_the_punctuation(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    """French and Spanish (RAE; UN Spanish and French editions) put the call before the
    full stop or comma it belongs with: "2018–2021¹." """
    calls = 0
    for paragraph in board[lang].document.paragraphs():
        before = ""
        for run in paragraph.runs:
            if run.footnote is not None:
                calls += 1
                assert not _CALL_AFTER_STOP.search(before), (lang, before[-40:])
            else:
                before += run.text
    assert calls >= 10


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_year_ranges_take_an_en_dash(board: dict[str, reporting.BuiltReport], lang: str) -> None:
    text = board[lang].document.plain_text()
    assert not _YEAR_RANGE_HYPHEN.search(text), _YEAR_RANGE_HYPHEN.search(text)
    assert "2018–2021" in text


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_line_break_where_the_un_editions_allow_none(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    document = board[lang].document
    text = "\n".join(p.text for p in document.paragraphs())  # the body, footnotes apart
    assert not _breakable(lang, text), _breakable(lang, text)
    leone = {"fr": "Sierra\u00a0Leone", "es": "Sierra\u00a0Leona"}[lang]
    assert leone in text
    assert {"fr": "prioritaires\u00a0: a)\u00a0des", "es": "prioritarias: a)\u00a0una"}[
        lang
    ] in text


def test_french_no_break_rules() -> None:
    text = typeset(
        "plus de 500 intervenants ; a) des i) la (Brésil) a été 2021\ue0031\ue004 L", "fr"
    )
    assert text == (
        f"plus de{NBSP}500{NBSP}intervenants{NNBSP}; a){NBSP}des i){NBSP}la (Brésil) a été "
        "2021\ue0031\ue004 L"
    )
    assert typeset("a) una; b) la (Brasil) a", "es") == f"a){NBSP}una; b){NBSP}la (Brasil) a"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_country_lists_are_worked_into_the_sentence(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    """No list of countries is hung after a colon ("dans les pays suivants : …"): each is
    part of its sentence, so no introducing phrase repeats from paragraph to paragraph."""
    built = board[lang]
    for paragraph in built.document.paragraphs():
        before = ""
        for run in paragraph.runs:
            if run.figure in _COUNTRY_LISTS and run.part == "value":
                assert not before.rstrip(" \u00a0").endswith(":"), (lang, before[-50:])
            if run.footnote is None:
                before += run.text
    text = built.document.plain_text()
    for phrase in ("pays suivants", "siguientes países", "países siguientes"):
        assert phrase not in text, phrase


def test_spanish_names_the_global_bioenergy_partnership_as_fao_does(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """FAO's Spanish press release of 25 September 2006 (source in es.yaml)."""
    text = board["es"].document.plain_text()
    assert "Asociación Mundial de la Bioenergía" in text
    assert "Alianza Mundial sobre la Bioenergía" not in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "es"])
def test_written_files_keep_the_french_and_spanish_rules(written: Path, lang: str) -> None:
    """The same rules read back from the DOCX XML (calls, no-break spaces) and the PDF text
    (ranges): what the writers print, not only what the templates give them."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(written / f"board-2021-{lang}.docx") as package:
        root = etree.fromstring(package.read("word/document.xml"))
    calls = 0
    for paragraph in root.iter(f"{w}p"):
        before = ""
        for node in paragraph.iter(f"{w}t", f"{w}footnoteReference"):
            if node.tag == f"{w}footnoteReference":
                calls += 1
                assert not _CALL_AFTER_STOP.search(before), (lang, before[-40:])
            else:
                before += node.text or ""
        assert not _breakable(lang, before), _breakable(lang, before)
        assert not _YEAR_RANGE_HYPHEN.search(before), before
    assert calls >= 10
    if shutil.which("pdftotext"):
        pdf = pdf_text(written / f"board-2021-{lang}.pdf")
        assert not _YEAR_RANGE_HYPHEN.search(pdf), _YEAR_RANGE_HYPHEN.search(pdf)
        assert "2018–2021" in pdf


def test_montreal_french_reach_sentence_repeats_its_preposition() -> None:
    """The Montreal template's reach sentence (its demo names no country, so it is rendered
    here from a figure): "un appui au Brésil, à la Chine et à l'Uruguay", no colon list."""
    from greenfolio.domain.results import Qualifier
    from greenfolio.services.figures import Figure
    from greenfolio.services.report_definition import load_template

    fig = Figure("countries", "indicator", {}, 3, "", Qualifier.EXACT, (), ("URY", "CHN", "BRA"))
    none = Figure("training_countries", "indicator", {}, 0, "", Qualifier.EXACT, ())
    renderer = reporting._Renderer("fr", {"countries": fig, "training_countries": none}, {})
    template = load_template("montreal", "fr")
    text = renderer.plain(renderer.render(template["paragraphs"]["reach"], "reach"))
    assert "un appui au\u00a0Brésil, à\u00a0la\u00a0Chine et à\u00a0l’Uruguay." in text, text
    assert "suivants" not in text


# --- Chinese as the UN source sets it ----------------------------------------------------
# Source: the Chinese edition of the 2021 report to the Industrial Development Board
# (IDB.49, "工发组织在环境和能源方面的活动"; outlined in the project's seed notes). Its title
# and section headings are printed as the source words them; its footnote calls stand
# before the punctuation ("…事项¹。", "应大会要求¹¹，"); in running text a space separates
# Han text from digits and Latin words ("大会 GC.18/Res.7 号决议", "2021 年 3 月",
# "在 COVID-19 大流行"), never a CJK punctuation mark from them ("。2021 年"), and the
# header's date line and agenda item are closed up ("2021年7月12日至15日", "临时议程项目11").

ZH_TITLE = "工发组织在环境和能源方面的活动"
ZH_HEADINGS = [
    "一. 引言",
    "二. 工发组织在 COVID-19 大流行方面的应对措施",
    "三. 技术合作",
    "四. 分析、研究与政策咨询服务",
    "五. 规范职能",
    "六. 召集职能和伙伴关系",
    "七. 前景",
    "八. 需请理事会采取的行动",
]
_HAN = "\u4e00-\u9fff"
_ZH_STOPS = "。，、；：！？"  # a footnote call may follow 》 ” ）, never these
_ZH_MARKS = _ZH_STOPS + "）》”（《“"
_HAN_LATIN = re.compile(f"[{_HAN}][A-Za-z0-9]|[A-Za-z0-9][{_HAN}]")
_PUNCT_SPACE_LATIN = re.compile(f"[{_ZH_MARKS}] +[A-Za-z0-9]|[A-Za-z0-9] +[{_ZH_MARKS}]")


def test_zh_title_and_headings_are_the_source_words(
    board: dict[str, reporting.BuiltReport],
) -> None:
    doc = board["zh"].document
    assert doc.header.title == ZH_TITLE
    assert doc.header.subtitle == "总干事的报告"
    assert [f"{s.label} {s.heading}" for s in doc.sections] == ZH_HEADINGS
    assert "领域的活动" not in doc.header.title


@pytest.mark.parametrize("definition", ["board", "montreal", "gef"])
def test_zh_footnote_calls_stand_before_the_punctuation(
    demo_db_module: Database, definition: str
) -> None:
    """Every call, the template's and the code's (a GWP basis note after a quantity), in
    every zh document: the text before it does not end in a punctuation mark."""
    doc = reporting.build(demo_db_module, definition, 2021, "zh").document
    calls = 0
    for para in doc.paragraphs():
        before = ""
        for run in para.runs:
            if run.footnote is not None:
                calls += 1
                assert before and before[-1] not in _ZH_STOPS + " ", (para.key, before[-12:])
            else:
                before += run.text
    assert calls or definition != "board"


def test_zh_spacing_rule_in_the_document(board: dict[str, reporting.BuiltReport]) -> None:
    doc = board["zh"].document
    texts = [
        doc.header.summary or "",
        *(s.heading for s in doc.sections),
    ]
    for para in doc.paragraphs():  # a call between two words stands in for the space
        texts += "".join(r.text if r.footnote is None else "\0" for r in para.runs).split("\0")
    for text in texts:
        assert not _HAN_LATIN.search(text), (_HAN_LATIN.search(text), text)
        assert not _PUNCT_SPACE_LATIN.search(text), (_PUNCT_SPACE_LATIN.search(text), text)
        assert "  " not in text, text
    assert doc.header.dates_place.startswith("2021年7月12日至15日，")
    assert doc.header.agenda_item == "临时议程项目11"


@pytest.fixture(scope="module")
def zh_written(written: Path) -> Path:
    """The Chinese Board report as DOCX and PDF (from the six-language build)."""
    return written


def _zh_pdf_words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """The PDF's words as poppler finds them (``pdftotext -bbox``: a word ends at a space
    or a change of size), each with its left and right edge and its height: a footnote
    call is a word of its own, smaller than the text beside it."""
    import html

    xml = pdf_text(pdf, "-bbox")
    found = re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        xml,
    )
    return [
        (
            html.unescape(m.group(5)),
            float(m.group(1)),
            float(m.group(3)),
            float(m.group(4)) - float(m.group(2)),
        )
        for m in found
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_zh_pdf_follows_the_spacing_and_footnote_rules(
    zh_written: Path, board: dict[str, reporting.BuiltReport]
) -> None:
    """Read from the PDF's words, from the first section heading on: each footnote call
    (a small word set right against the body word before it) follows no punctuation mark
    and the calls run 1, 2, 3 … to the document's last note; no body-size word joins Han
    text to a digit or a Latin letter (the space the rule wants would have split it)."""
    words = _zh_pdf_words(zh_written / "board-2021-zh.pdf")
    first = next(i for i, w in enumerate(words) if w[0] == "一.")
    heights = sorted(h for _, _, _, h in words[first:])
    body_height = heights[len(heights) // 2]  # most words are running text
    calls: list[int] = []
    for i in range(first, len(words)):
        text, left, _, height = words[i]
        prev = words[i - 1]
        small = height < 0.75 * body_height and prev[3] >= 0.95 * body_height
        if small and abs(prev[2] - left) < 0.5 and text.isdigit():
            calls.append(int(text))
            assert prev[0][-1] not in _ZH_STOPS, (prev[0], text)
        if height >= 0.95 * body_height:
            assert not _HAN_LATIN.search(text), (text, _HAN_LATIN.search(text))
    assert calls == list(range(1, len(board["zh"].document.footnotes) + 1)), calls
    headings = "".join(w[0] for w in words)
    for heading in ZH_HEADINGS:
        assert heading.replace(" ", "") in headings, heading


def test_zh_docx_follows_the_spacing_and_footnote_rules(zh_written: Path) -> None:
    """The DOCX XML: no footnote reference right after a punctuation mark, and the text of
    the body (footnote references left out) keeps the spacing rule."""
    import docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    document = docx.Document(str(zh_written / "board-2021-zh.docx"))
    body = document.element.body
    refs = 0
    for para in body.iter(f"{w}p"):
        before = ""
        for run in para.iter(f"{w}r"):
            if run.find(f"{w}footnoteReference") is not None:
                refs += 1
                assert before and before[-1] not in _ZH_STOPS + " \0", before[-15:]
            else:
                before += "".join(t.text or "" for t in run.iter(f"{w}t"))
                continue
            before += "\0"  # a call between two words stands in for the space
        if "临时议程项目" in before or "维也纳" in before:
            continue  # the header's date line and agenda item are closed up
        for part in before.split("\0"):
            assert not _HAN_LATIN.search(part), (_HAN_LATIN.search(part), part)
            assert not _PUNCT_SPACE_LATIN.search(part), part
    assert refs >= 14


def test_zh_country_lists_follow_the_english_names(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """The UN Chinese text lists countries in the order of their English names (the
    source's "柬埔寨、印度尼西亚、尼泊尔、菲律宾和越南"): so does every list in the zh document."""
    built = board["zh"]
    lists = 0
    for fid, fig in built.figures.items():
        runs = _runs(built.document, fid)
        if not fig.items or not runs or fig.unit != "country":
            continue
        lists += 1
        english = sorted(
            fig.items, key=lambda c: country_name(c, "en").casefold().removeprefix("the ")
        )
        where = [runs[0].index(country_name(c, "zh")) for c in english]
        assert where == sorted(where), (fid, runs[0])
    assert lists >= 8


def test_zh_docx_prints_only_the_spaces_of_its_text(zh_written: Path) -> None:
    """Word's own Han-Latin gap is off in the zh DOCX's defaults (the PDF's is off too), so
    the header's date line stays closed up and running text keeps its one space."""
    import docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    styles = docx.Document(str(zh_written / "board-2021-zh.docx")).styles.element
    ppr = styles.find(f"{w}docDefaults/{w}pPrDefault/{w}pPr")
    assert ppr is not None
    values = {child.tag: child.get(f"{w}val") for child in ppr}
    assert values.get(f"{w}autoSpaceDE") == "0" and values.get(f"{w}autoSpaceDN") == "0"
    tags = [child.tag for child in ppr]
    assert tags.index(f"{w}autoSpaceDE") + 1 == tags.index(f"{w}autoSpaceDN")


# --- Russian: numbers in words, no-break spaces, footnote calls; symbols kept whole ------

_RU_FUNCTION_WORDS = "и|или|а|но|в|во|на|с|со|по|к|ко|о|об|из|до|от|за|для|при|у"


_RU_NUMBER_THEN_WORD = re.compile(rf"\d[ \n](?!(?:{_RU_FUNCTION_WORDS})\b)[а-яё%]")


def test_russian_numerals_decline() -> None:
    assert russian_number_word(4, "genitive", "f") == "четырех"
    assert russian_number_word(3, "dative") == "трем"
    assert russian_number_word(2, "accusative", "f") == "две"
    assert russian_number_word(1, "prepositional", "f") == "одной"
    assert russian_number_word(8, "instrumental") == "восемью"
    assert russian_number_word(11, "genitive") is None
    assert format_count(9, "ru", case="prepositional") == "девяти"
    assert format_count(9, "ru") == "9"  # no case named: the template did not ask for words
    assert format_count(30, "ru", Qualifier.MORE_THAN, case="genitive") == "более 30"
    with pytest.raises(ValueError):
        russian_number_word(3, "locative")


def test_russian_counts_one_to_ten_in_words(board: dict[str, reporting.BuiltReport]) -> None:
    """Every count from one to ten in the Russian text is a word, never a digit; larger
    numbers, bounds ("более 30") and measured quantities keep digits."""
    built = board["ru"]
    checked = 0
    for para in built.document.paragraphs():
        for run in para.runs:
            if run.figure is None or run.part != "value":
                continue
            fig = built.figures[run.figure]
            exact = fig.qualifier is Qualifier.EXACT and fig.value == int(fig.value)
            if exact and 1 <= fig.value <= 10 and not report_units.has_words(fig.unit):
                digits = rf"(?<![\d.]){int(fig.value)}(?![\d.])"
                assert not re.search(digits, run.text), (run.figure, run.text)
                checked += 1
    assert checked >= 10
    text = built.document.plain_text().replace(NBSP, " ")
    for phrase in (
        "в рамках четырех взаимодополняющих основных функций",
        "в трех приоритетных областях",
        "еще для пяти стран",
        "посвящен трем цепочкам",
        "в девяти странах",
        "в четырех развивающихся странах",
        "и еще в семи странах",
        "50 промышленных парков в восьми странах",
        "подготовкой двух аналитических записок",
        "пройдет более 30 парламентских круглых столов с участием более 300 парламентариев, "
        "в том числе 100 женщин",
    ):
        assert phrase in text, phrase


def test_russian_no_break_spaces(board: dict[str, reporting.BuiltReport]) -> None:
    """A number is never apart from the word it counts ("2021 года", "пяти стран" aside,
    digits only), "более"/"около" from their number, a one-letter word from the next."""
    assert typeset("в 2020 году, 12–15 июля 2021 года, около 72 млн тонн", "ru") == (
        f"в{NBSP}2020{NBSP}году, 12–15{NBSP}июля 2021{NBSP}года, около{NBSP}72{NBSP}млн тонн"
    )
    assert typeset("целями 9 и 12; iii) нормативная; консультаций — принятие", "ru") == (
        f"целями{NBSP}9 и{NBSP}12; iii){NBSP}нормативная; консультаций{NBSP}— принятие"
    )
    assert typeset("in 2021 the year", "en") == "in 2021 the year"  # other languages as written
    doc = board["ru"].document
    texts = [doc.plain_text(), *(note.text for note in doc.footnotes)]
    for text in texts:
        assert not _RU_NUMBER_THEN_WORD.search(text), _RU_NUMBER_THEN_WORD.search(text)
        assert not re.search(r"(?<![\w\-])[ВвКкСсУуОоИиАа] ", text)
        assert not re.search(r"\b(?:более|около) \d", text)


def test_russian_footnote_calls_come_before_the_stop(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """Russian sets the footnote call before the full stop or comma ("…годы¹.")."""
    calls = 0
    for para in board["ru"].document.paragraphs():
        for before, run in pairwise(para.runs):
            if run.footnote is not None:
                calls += 1
                assert not before.text.rstrip().endswith((".", ",", ";", ":")), (
                    para.number,
                    before.text[-40:],
                )
    assert calls >= 14


@pytest.mark.slow
def test_russian_pdf_lines_keep_numbers_with_their_words(written: Path) -> None:
    """No line of the Russian PDF ends with a number whose word ("года", "стран") starts
    the next line, nor with a one-letter word, nor does a line start with a dash; the DOCX
    text has no plain space where the rule puts a no-break one."""

    import docx

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    text = pdf_text(written / "board-2021-ru.pdf", "-raw")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line, after in pairwise(lines):
        if re.fullmatch(r"[\d\s\u00a0]+", line):  # a chart's axis
            continue
        joined = f"{line}\n{after}"
        assert not _RU_NUMBER_THEN_WORD.search(joined[len(line) - 1 : len(line) + 4]), joined
        assert not re.search(r"(?<![\w\-])[ВвКкСсУуОоИиАа]$", line), joined
        assert not after.startswith("—"), joined
    document = docx.Document(str(written / "board-2021-ru.docx"))
    body = " ".join(p.text for p in document.paragraphs)
    assert not _RU_NUMBER_THEN_WORD.search(body), _RU_NUMBER_THEN_WORD.search(body)
    assert "2021\u00a0года" in body


def test_symbols_and_ranges_are_kept_whole() -> None:
    text = "резолюции GC.18/Res.7, IDB.45/8/Add.2 и www.unido.org/files/2021-03/x.pdf, 2018–2021"
    assert [piece for piece, whole in unbroken_spans(text) if whole] == [
        "GC.18/Res.7",
        "IDB.45/8/Add.2",
        "2018–2021",
    ]
    joined = join_unbroken(text)
    assert "GC.18/\u2060Res.7" in joined and "IDB.45/\u20608/\u2060Add.2" in joined
    assert "2018–\u20602021" in joined and "www.unido.org/files/2021-03/x.pdf" in joined


@pytest.mark.slow
@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_document_symbols_never_break_in_pdf_or_docx(written: Path, lang: str) -> None:
    """No line of the PDF text ends inside a symbol (after its slash), and each symbol of
    the report is found whole on a line; in the DOCX text every slash of a symbol carries a
    word joiner."""
    import zipfile

    if shutil.which("pdftotext"):
        pdf = pdf_text(written / f"board-2021-{lang}.pdf")
        lines = pdf.splitlines()
        cut = re.compile(r"(?<![\w./\-])[A-Z][A-Za-z]*(?:\.[A-Za-z0-9]+)*(?:/[A-Za-z0-9.]+)*/$")
        for line in lines:
            assert not cut.search(line.rstrip()), (lang, line)
        for symbol in ("GC.18/Res.7", "IDB.45/8/Add.2", "IDB.48/17"):
            assert any(symbol in line for line in lines), (lang, symbol)
    with zipfile.ZipFile(written / f"board-2021-{lang}.docx") as package:
        xml = package.read("word/document.xml").decode() + package.read(
            "word/footnotes.xml"
        ).decode("utf-8")
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    symbols = list(DOCUMENT_SYMBOL.finditer(text.replace("\u2060", "")))
    assert any(m.group(0) == "IDB.45/8/Add.2" for m in symbols), lang
    for found in re.finditer(r"(?<![\w./\-])[A-Z][A-Za-z]*(?:\.[A-Za-z0-9]+)*/(?!\u2060)", text):
        after = text[found.end() : found.end() + 8]
        assert not re.match(r"[A-Za-z0-9]", after), (lang, found.group(0) + after)


@pytest.mark.parametrize(
    ("value", "phrases"),
    [
        (2, ["еще для двух стран", "приняла две национальные стратегии", "с двумя странами"]),
        (5, ["опробован в пяти странах", "пополнилась пятью новыми", "пять глобальных альянсов"]),
        (21, ["в 21 стране", "приняла 21 национальную стратегию", "с 21 страной"]),
    ],
)
def test_russian_counts_agree_whatever_the_value(
    board: dict[str, reporting.BuiltReport], value: int, phrases: list[str]
) -> None:
    """The Russian sentences agree with any count, not only the demo's: words from one to
    ten in the governed case, the noun's form by the number ("21 стране")."""
    import dataclasses

    built = board["ru"]
    figures = dict(built.figures)
    for fid in (
        "emobility_pipeline",
        "eip_strategies",
        "ewaste_latam_countries",
        "refrigeration_elearning_countries",
        "gcip_new_projects",
        "circular_alliances",
    ):
        figures[fid] = dataclasses.replace(figures[fid], value=value)
    definition = reporting.load_definition("board")
    template = reporting.load_template("board", "ru")
    doc, _ = reporting.render_document(definition, template, "ru", figures, 2021)
    text = doc.plain_text().replace(NBSP, " ")
    for phrase in phrases:
        assert phrase in text, phrase


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_zh_number_keeps_its_symbol_unit_on_its_line(
    zh_written: Path, board: dict[str, reporting.BuiltReport]
) -> None:
    """A unit written as a Latin symbol ("mg TEQ") follows its number across a no-break
    space, so the PDF never ends a line with "119,489" and starts the next with "mg"; a
    unit in Han words keeps the ordinary space of the spacing rule ("13,194 公吨")."""
    text = board["zh"].document.plain_text()
    assert "119,489\u00a0mg TEQ" in text and "11,705\u00a0mg TEQ" in text
    assert "13,194 公吨" in text
    lines = pdf_text(zh_written / "board-2021-zh.pdf", "-layout").splitlines()
    for number in ("119,489", "11,705"):
        body = [line for line in lines if number in line and "TEQ" in line]
        assert body and all(f"{number} mg TEQ" in line for line in body), (number, body)
