"""Names of UN bodies and partners in the six languages, from one packaged table with sources.

``refdata/orgnames`` lists each body's name per language only with its source; the six Board
report templates take every name from it through org("key") and never spell a listed name
themselves, so the languages agree; a key has a name or a given-name fallback in every
language; the built PDF of each language prints that language's names.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from greenfolio.domain import org_names
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_template
from tests.pdf_text import pdf_text
from tests.report_builds import build_board

ORG_CALL = re.compile(r"""org\(\s*["'](\w+)["']\s*(?:,\s*case\s*=\s*["'](\w+)["']\s*)?\)""")
BODIES = ("eib", "gef", "gcf", "fao", "un_women", "csw", "european_commission", "unep")
"""Bodies the Board templates name that the brief lists (GEF, GCF, FAO, UN-Women, UNEP, the
European Commission, the EIB) or that UN-Women serves (the CSW)."""


COMMON_WORDS = {("circle_economy", "zh")}
"""Names that are also ordinary words of the template: the UN's Chinese report writes
Circle Economy as 循环经济, which is also "circular economy"."""


def _template_text(lang: str) -> str:
    from importlib import resources

    path = resources.files("greenfolio.reports").joinpath(f"board/templates/{lang}.yaml")
    return path.read_text(encoding="utf-8")


def _calls(lang: str) -> set[tuple[str, str | None]]:
    return {(key, case or None) for key, case in ORG_CALL.findall(_template_text(lang))}


def _norm(text: str) -> str:
    """Compare names as a reader does: typographic and straight apostrophes alike, case
    folded (a cover in capitals names the body as well as a sentence does)."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).casefold()


# --- the table ------------------------------------------------------------------------


def test_every_listed_name_has_its_source_and_the_source_writes_it() -> None:
    table = org_names.table()
    assert {"eib", "gef", "gcf", "fao", "un_women", "unep", "circle_economy", "afd"} <= set(table)
    for key, entry in table.items():
        assert entry["given"]["lang"] in UN_LANGUAGES and entry["given"]["name"], key
        assert org_names.unsourced(key) == [], key
        sources = entry.get("sources") or {}
        for lang, name in (entry.get("names") or {}).items():
            assert lang in UN_LANGUAGES, (key, lang)
            assert _norm(str(name)) in _norm(str(sources[lang])), (key, lang, name)
        if "given" in sources:
            assert _norm(entry["given"]["name"]) in _norm(str(sources["given"])), key


def test_the_chinese_names_are_the_un_documents_own() -> None:
    """Every Chinese name is cited from the IDB.49 report's Chinese edition, paragraph by
    paragraph (the partners' names included)."""
    for key, entry in org_names.table().items():
        zh = (entry.get("names") or {}).get("zh")
        if zh:
            assert re.match(r"IDB\.49 report \(zh\), para\. \d+", entry["sources"]["zh"]), key
    assert org_names.org_name("afd", "zh").text == "法国开发署"
    assert org_names.org_name("circle_economy", "zh").text == "循环经济"
    assert org_names.org_name("chatham_house", "zh").text == "查塔姆研究所"
    assert org_names.org_name("climate_parliament", "zh").text == "气候议会"


def test_a_name_without_source_falls_back_to_the_given_name_marked() -> None:
    name = org_names.org_name("gcf", "fr")  # no French name could be cited
    assert (name.text, name.lang) == ("Green Climate Fund", "en")
    assert org_names.org_name("afd", "ru") == org_names.OrgName(
        "Agence française de développement", "fr"
    )
    assert org_names.org_name("gef", "ru", "instrumental").text == "Глобальным экологическим фондом"
    # a given name is never declined; a listed name without the asked form is an error
    assert org_names.org_name("eib", "ru", "instrumental").text == "European Investment Bank"
    with pytest.raises(ValidationError, match="no dative form"):
        org_names.org_name("gcf", "ru", "dative")
    with pytest.raises(ValidationError, match="unknown case"):
        org_names.org_name("gcf", "ru", "ablative")
    with pytest.raises(NotFoundError):
        org_names.org_name("no_such_body", "en")


# --- the templates ----------------------------------------------------------------------


def test_every_key_the_templates_use_resolves_in_every_language() -> None:
    used: set[tuple[str, str | None]] = set()
    for lang in UN_LANGUAGES:
        load_template("board", lang)  # the template still parses
        calls = _calls(lang)
        used |= calls
        for key, case in calls:
            name = org_names.org_name(key, lang, case)  # raises if the table lacks it
            assert name.text, (lang, key)
    for key, _case in used:
        for lang in UN_LANGUAGES:
            assert org_names.org_name(key, lang).text, (key, lang)
    assert {key for key, _ in used} >= set(BODIES)


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_templates_spell_no_listed_name_themselves(lang: str) -> None:
    """Where the table lists a body's name in a language, that language's template takes it
    from the table: the name never stands as a literal beside the org() calls."""
    text = ORG_CALL.sub("", re.sub(r"^\s*#.*$", "", _template_text(lang), flags=re.M))
    flat = re.sub(r"\s+", " ", text)
    for key, entry in org_names.table().items():
        spelt = [(entry.get("names") or {}).get(lang)]
        spelt += list(((entry.get("forms") or {}).get(lang) or {}).values())
        if lang == entry["given"]["lang"]:
            spelt.append(entry["given"]["name"])
        for name in filter(None, spelt):
            if (key, lang) in COMMON_WORDS:
                continue
            assert str(name) not in flat, (lang, key, name)


def test_the_bodies_named_in_both_english_and_chinese_come_from_the_table() -> None:
    en, zh = _calls("en"), _calls("zh")
    assert {k for k, _ in en} == {k for k, _ in zh}


# --- the built documents ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(demo_db_module: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Board report as PDF in the six languages, written by the CLI."""
    return build_board(demo_db_module, tmp_path_factory.mktemp("un-names-pdf"), "pdf")


def _pdf_text(pdf: Path) -> str:
    """Text as a reader sees it: bidi controls (pdftotext adds them around Arabic) removed,
    apostrophes alike, spaces folded; in Chinese no space at all (line ends split names)."""
    text = pdf_text(pdf)
    text = re.sub("[\u202a-\u202e\u2066-\u2069\u200e\u200f]", "", text).replace("\u2019", "'")
    return "\f".join(re.sub(r"[\s\u00a0\u202f]+", " ", page) for page in text.split("\f"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_pdf_prints_its_languages_names(pdfs: Path, lang: str) -> None:
    pages = _pdf_text(pdfs / f"board-2021-{lang}.pdf").split("\f")
    if lang == "zh":
        pages = [page.replace(" ", "") for page in pages]
    text = " ".join(pages)
    for key, case in sorted(_calls(lang), key=lambda c: (c[0], c[1] or "")):
        name = org_names.org_name(key, lang, case)
        expected = name.text.replace("\u2019", "'")
        if lang == "zh":
            expected = expected.replace(" ", "")
        # a name may run from the foot of one page to the next, past the footnotes and the
        # running head between them
        cut = [i for i, c in enumerate(expected) if c == " "]
        across = any(
            expected[:i] in before and expected[i + 1 :] in after
            for before, after in itertools.pairwise(pages)
            for i in cut
        )
        assert expected in text or across, (lang, key, name)
    if lang == "zh":  # the UN's Chinese report names every body, so the table does
        listed = {k for k, e in org_names.table().items() if (e.get("names") or {}).get("zh")}
        assert set(BODIES) <= listed, listed


# --- country names of States renamed since the 2016 UNTERM list ----------------------------


RENAMED: dict[str, dict[str, tuple[str, str]]] = {
    "CZE": {
        "en": ("Czechia", "the Czech Republic"),
        "fr": ("Tchéquie (la)", "la République tchèque"),
        "es": ("Chequia", "la República Checa"),
        "ru": ("Чехия", "Чешская Республика"),
        "zh": ("捷克", "捷克共和国"),
        "ar": ("تشيكيا", "الجمهورية التشيكية"),
    },
    "SWZ": {
        "en": ("Eswatini", "the Kingdom of Eswatini"),
        "fr": ("Eswatini (l')", "le Royaume d’Eswatini"),
        "es": ("Eswatini", "el Reino de Eswatini"),
        "ru": ("Эсватини", "Королевство Эсватини"),
        "zh": ("斯威士兰", "斯威士兰王国"),
        "ar": ("إسواتيني", "مملكة إسواتيني"),
    },
    "MKD": {
        "en": ("North Macedonia", "the Republic of North Macedonia"),
        "fr": ("Macédoine du Nord (la)", "la République de Macédoine du Nord"),
        "es": ("Macedonia del Norte", "la República de Macedonia del Norte"),
        "ru": ("Северная Македония", "Республика Северная Македония"),
        "zh": ("北马其顿", "北马其顿共和国"),
        "ar": ("مقدونيا الشمالية", "جمهورية مقدونيا الشمالية"),
    },
    "TUR": {
        "en": ("Türkiye", ""),
        "es": ("Türkiye", ""),
        "ru": ("Турция", ""),
        "zh": ("土耳其", ""),
        "ar": ("تركيا", ""),
    },
}
"""As refdata/unterm/README.md cites them: the UN Protocol and Liaison Service's UNTERM list
(CZE, SWZ, MKD) and the M49 page (TUR; no French catalogue form, no formal name cited)."""


@pytest.mark.parametrize("code", sorted(RENAMED))
def test_renamed_states_carry_their_current_un_names(code: str) -> None:
    from greenfolio.domain.un_names import un_name

    for lang in UN_LANGUAGES:
        un = un_name(code, lang)
        if lang not in RENAMED[code]:
            assert un is None, (code, lang)  # left out, not guessed
            continue
        assert un is not None and (un.short, un.formal) == RENAMED[code][lang], (code, lang)


def test_renamed_states_read_right_in_running_text() -> None:
    """The catalogue form's article gives the French sentence its article and preposition;
    the former names ("Swaziland", "Turquía", "Turkey") are printed nowhere any more."""
    from greenfolio.domain.countries import country_in_text, country_name

    assert country_in_text("CZE", "fr") == "la Tchéquie"
    assert country_in_text("CZE", "fr", "en") == "en Tchéquie"
    assert country_in_text("SWZ", "fr", "de") == "de l'Eswatini"
    assert country_in_text("MKD", "fr", "à") == "à la Macédoine du Nord"
    assert country_in_text("MKD", "es", "de") == "de Macedonia del Norte"
    assert country_name("SWZ", "es") == "Eswatini"  # CLDR had "Esuatini"
    assert country_name("CZE", "ar") == "تشيكيا"  # CLDR had "التشيك"
    assert country_name("TUR", "es") == "Türkiye"  # CLDR has "Turquía"
    assert [country_name(c, "en") for c in ("SWZ", "TUR")] == ["Eswatini", "Türkiye"]
    assert country_name("TUR", "fr")  # French keeps the ISO 3166 / CLDR fallback for now


def test_a_given_name_kept_where_the_organisation_itself_keeps_it() -> None:
    """Where the organisation's own page in a language prints its given name untranslated
    (`kept`), that language lists no name of its own and the documents print the given
    name, marked with its language; the page quoted writes that very name."""
    table = org_names.table()
    kept = {
        (key, lang): quote
        for key, entry in table.items()
        for lang, quote in (entry.get("kept") or {}).items()
    }
    assert ("afd", "es") in kept and ("climate_parliament", "fr") in kept
    for (key, lang), quote in kept.items():
        entry = table[key]
        assert lang in UN_LANGUAGES and lang not in (entry.get("names") or {}), (key, lang)
        assert _norm(entry["given"]["name"]) in _norm(str(quote)), (key, lang)
        assert str(quote).startswith("https://"), (key, lang)
        name = org_names.org_name(key, lang)
        assert (name.text, name.lang) == (entry["given"]["name"], entry["given"]["lang"])
    for key in ("afd", "chatham_house", "climate_parliament"):
        assert "November 2026" in str(table[key].get("checked")), key
