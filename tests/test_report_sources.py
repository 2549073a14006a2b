"""The HTML "Sources of the figures", chart axes and count forms, read in each language.

The sources section must read in the document's language: values as the text prints them,
the query and its filters in words, no stored value, code, query name or JSON. Chart axes
name the unit as the text does; the Russian ODP abbreviation is the one UN Russian uses;
a Chinese sentence naming a single item follows the number, not the plural category.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import lxml.html
import pytest

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.typography import typeset
from greenfolio.domain.units import parse_unit
from greenfolio.refdata.loader import read_yaml
from greenfolio.services import report_units, reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_template
from tests.report_builds import build_board

QUANTITIES = ("pops_destroyed", "upops_avoided", "ods_phased_out", "co2_avoided")


@pytest.fixture(scope="module")
def pages(demo_db_module: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Board report's HTML in the six languages, written by the CLI."""
    return build_board(demo_db_module, tmp_path_factory.mktemp("pages"), "html")


def _value_run(built: reporting.BuiltReport, fid: str) -> str:
    return next(
        r.text
        for p in built.document.paragraphs()
        for r in p.runs
        if r.figure == fid and r.part == "value"
    )


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_sources_read_in_the_document_language(
    pages: Path, board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    built = board[lang]
    root = lxml.html.parse(str(pages / f"board-2021-{lang}.html")).getroot()
    section = root.get_element_by_id("sources")
    # what Greenfolio writes: headings, the terms list and the value and period columns
    # (titles, citations and evidence are the records' own text)
    parts = section.xpath(".//h2|.//h3|.//dl/dt|.//dl/dd[not(@lang)]|.//caption|.//th")
    parts += section.xpath(".//tr/td[position() <= 3]")
    text = " ".join(p.text_content() for p in parts)
    codes = set(built.used)
    for fid in built.used:
        fig = built.figures[fid]
        codes |= {str(v) for v in fig.params.values() if isinstance(v, str)}
        codes |= {str(k) for k in fig.params}
        codes |= set(fig.items)
    codes.discard("")
    words = set(re.findall(r"[\w.]+", text))
    # codes, not words that happen to spell one ("indicator", "participants" in English)
    codes = {c for c in codes if "_" in c or "-" in c or c.isupper()}
    leaked = sorted(c for c in codes if c in words)
    assert not leaked, leaked  # figure ids, parameter names and values, country codes
    assert not re.search(r"\d+\.0(?!\d)", text)  # stored floats ("72000000.0")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # ISO dates
    assert "{" not in text and "scheme_terms" not in text
    # the figures' links carry no code a reader would see as a tooltip
    assert not root.xpath("//a[@class='figure'][@title]")
    # every quantity's value reads as the text prints it (number and unit words)
    for fid in QUANTITIES:
        article = root.get_element_by_id(f"explain-{fid}")
        value = article.xpath(".//dl/dd")[1].text_content()
        fig = built.figures[fid]
        alone = report_units.quantity(fig.value, fig.unit, lang, fig.qualifier)
        assert value == typeset(alone, lang), (fid, value)
        if lang != "ru":  # Russian text puts it in the genitive after "в объеме"
            assert value == _value_run(built, fid), (fid, value)
        # and every record of it too, with the unit's words
        forms = _unit_forms(built.figures[fid].unit, lang)
        cells = article.xpath(".//table//tr/td[2]")
        assert cells
        for cell in cells:
            said = cell.text_content().replace("\u00a0", " ")  # zh: "mg\u00a0TEQ"
            assert any(form in said for form in forms), said


def _unit_forms(unit: str, lang: str) -> list[str]:
    table = read_yaml("greenfolio.reports", "units.yaml")["units"]
    entry = next(v for k, v in table.items() if parse_unit(k) == parse_unit(unit))
    forms = entry[lang]
    return [forms] if isinstance(forms, str) else [typeset(f, lang) for f in forms.values()]


def test_sources_mark_a_title_kept_in_its_own_language(pages: Path) -> None:
    """An activity whose title exists only in English prints it as given, marked "en"."""
    root = lxml.html.parse(str(pages / "board-2021-fr.html")).getroot()
    article = root.get_element_by_id("explain-ods_phased_out")
    marked = article.xpath(".//td/span[@lang='en']")
    assert marked and marked[0].text_content() == "Montreal Protocol portfolio"
    zh = lxml.html.parse(str(pages / "board-2021-zh.html")).getroot()
    titled = zh.get_element_by_id("explain-page_recovery_countries").xpath(".//td/span")
    assert titled and not titled[0].get("lang")  # the work has a Chinese title
    assert re.search("[\u4e00-\u9fff]", titled[0].text_content())


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_chart_axes_name_the_unit_as_the_text_does(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    built = board[lang]
    axes = {ref.id: ref.axis for ref in built.document.charts}
    for chart_id, fid in (("pops_by_fate", "pops_destroyed"), ("ods_by_year", "ods_phased_out")):
        unit = built.charts[chart_id].unit
        words = report_units.axis_label(unit, lang)
        assert words and axes[chart_id] == typeset(words, lang)
        if lang in ("en", "fr", "es", "zh"):  # the plural the text prints after 13,194
            assert axes[chart_id] in _value_run(built, fid), (axes[chart_id], lang)
    if lang == "zh":
        assert axes["ods_by_year"] == "公吨"  # not "吨": the text says 公吨
    assert axes["countries_by_focus_area"]  # a count keeps its template's title


def test_russian_odp_abbreviation_is_the_un_one_everywhere() -> None:
    units = read_yaml("greenfolio.reports", "units.yaml")["units"]["ODP_tonne"]
    forms = [*units["ru"].values(), *units["ru_genitive"].values()]
    assert all(form.endswith("ОРС") for form in forms), forms
    web = read_yaml("greenfolio.interfaces.web.messages", "ru.yaml")
    assert "ОРС" in web["unit_ODP_tonne"] and "ОРП" not in str(web)
    # as UNEP's Russian texts write it: "с 10,6 до 53,6 тонны ОРС"
    for value, words in ((1, "1 тонна ОРС"), (3, "3 тонны ОРС"), (13, "13 тонн ОРС")):
        assert report_units.quantity(value, "ODP_tonne", "ru") == words.replace(" ", "\u00a0", 1)
    assert report_units.quantity(53.6, "ODP_tonne", "ru") == "53,6\u00a0тонны ОРС"


def test_method_names_agree_with_the_web_pages() -> None:
    names = read_yaml("greenfolio.reports", "method_names.yaml")["methods"]
    for lang in UN_LANGUAGES:
        web = read_yaml("greenfolio.interfaces.web.messages", f"{lang}.yaml")
        for method, texts in names.items():
            assert texts[lang] == web[f"method_{method}"], (lang, method)


SINGLE = {
    "eip_strategies": ("《2030年国家经济战略》", "项国家战略"),
    "circular_projects": ("开展了名为", "个联合全球项目"),
    "minigrid_publications": ("发布的《", "份指南中的"),
    "chemical_leasing_publications": ("新出版了关于", "份关于化学品租赁的指南"),
    "circular_alliances": ("发起了全球循环经济", "个全球联盟，其中包括"),
    "gcf_accreditations": ("基金认证", "项认证"),
}


def test_chinese_sentence_naming_one_item_follows_the_number(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """Chinese plural rules have one category; a sentence naming a single item switches
    to its counted form when the figure is not one."""
    built = board["zh"]
    definition = reporting.load_definition("board")
    template = load_template("board", "zh")
    one = built.document.plain_text()
    figures = dict(built.figures)
    for fid in SINGLE:
        assert figures[fid].value == 1
        figures[fid] = dataclasses.replace(figures[fid], value=3.0)
    many, _ = reporting.render_document(definition, template, "zh", figures, 2021, built.charts)
    text = many.plain_text()
    for fid, (single, counted) in SINGLE.items():
        assert single in one and counted not in one, fid
        assert counted in text, (fid, counted)
        runs = [r.text for p in many.paragraphs() for r in p.runs if r.figure == fid]
        assert any("三" in r for r in runs), (fid, runs)


# --- partners' names ---------------------------------------------------------------------

INVENTED = ("循环经济组织", "Климатический парламент")
"""Translations earlier templates made up for names that have none in the UN's usage
(查塔姆研究所 and 气候议会 are not among them: the UN's Chinese report to the Board, IDB.49,
paras. 7 and 19, writes them, and refdata/orgnames cites it)."""


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_partner_names_are_kept_as_given_and_marked(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    from importlib import resources

    import yaml

    from greenfolio.domain.org_names import org_name
    from greenfolio.interfaces.writers.html import render_html

    path = resources.files("greenfolio.refdata").joinpath("orgnames/organisations.yaml")
    keys = yaml.safe_load(path.read_text(encoding="utf-8"))["organisations"]
    doc = board[lang].document
    text = doc.plain_text()
    assert not any(word in text for word in INVENTED)
    runs = [r for p in doc.paragraphs() for r in p.runs]
    from greenfolio.interfaces.report_files import render_charts

    page = lxml.html.fromstring(render_html(doc, render_charts(board[lang])).encode("utf-8"))
    for key in keys:
        name = org_name(key, lang)
        assert name.text in text, (key, lang)
        marked = [r for r in runs if r.text == name.text and r.lang]
        if name.lang == lang:
            assert not marked
        else:
            assert marked and all(r.lang == name.lang for r in marked), (key, lang)
            tagged = page.xpath(f"//p[@class='para']/*[@lang='{name.lang}']")
            assert name.text in [t.text_content() for t in tagged], (key, lang)


# --- notes under charts ------------------------------------------------------------------

DISCLAIMER = {
    "en": "do not imply official endorsement or acceptance by the United Nations",
    "fr": "acceptation officielle de la part de l’Organisation des Nations Unies",
    "es": "no implican su apoyo o aceptación oficial por las Naciones Unidas",
    "ru": "официального одобрения или признания Организацией Объединенных Наций",
    "zh": "并不意味着联合国正式认可或接受",
    "ar": "لا تعني إقرارها أو قبولها رسميا من جانب الأمم المتحدة",
}


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_every_chart_has_a_source_note_and_the_map_the_un_disclaimer(
    pages: Path, lang: str
) -> None:
    root = lxml.html.parse(str(pages / f"board-2021-{lang}.html")).getroot()
    figures = root.xpath("//figure[@class='chart']")
    assert len(figures) == 4
    for figure in figures:
        own = "#chart-source-" + figure.get("id").removeprefix("chart-")
        links = figure.xpath(f".//div[@class='chart-notes']//a[@href='{own}']")  # its entry
        assert links and links[0].text_content().strip(), figure.get("id")
        assert root.xpath(f"//section[@id='sources']//article[@id='{own[1:]}']"), own
        has_disclaimer = DISCLAIMER[lang] in figure.xpath("string(.//div[@class='chart-notes'])")
        assert has_disclaimer == (figure.get("id") == "chart-countries_map"), figure.get("id")
