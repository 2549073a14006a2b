"""Russian country names declined as the sentence governs them ("в Бразилии, Таиланде и
Уругвае", "помогает Тунису"), from the packaged table of UNTERM names in their cases
(``refdata/unterm/country_cases_ru.csv``), in the Board report as built and as written to
DOCX and PDF."""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from greenfolio.domain.countries import russian_names
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.un_names import RUSSIAN_CASES, covered, russian_forms, un_name
from greenfolio.services import reporting
from greenfolio.services.database import Database
from tests.pdf_text import pdf_text
from tests.report_builds import build_board

ROOT = Path(__file__).resolve().parents[1]
TABLE = resources.files("greenfolio.refdata").joinpath("unterm/country_cases_ru.csv")


def _rows() -> list[dict[str, str]]:
    lines = [ln for ln in TABLE.read_text("utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines))


def test_table_covers_every_unterm_russian_name_and_names_its_source() -> None:
    rows = _rows()
    assert {r["alpha3"] for r in rows} == covered("ru")
    assert len(rows) == len(covered("ru")) == 196
    for row in rows:
        un = un_name(row["alpha3"], "ru")
        assert un is not None and row["nominative"] == un.text, row
        assert all(row[c] for c in RUSSIAN_CASES), row
        assert row["in"] in ("в", "во", "на"), row
        assert "ё" not in "".join(row.values()), row  # UN Russian writes "е"
    header = TABLE.read_text("utf-8").split("\nalpha3,")[0]
    for words in ("OpenCorpora", "CC BY-SA 3.0", "pymorphy3", "build_russian_country_cases"):
        assert words in header, words


@pytest.mark.parametrize(
    ("code", "located", "dative"),
    [
        ("PHL", "на Филиппинах", "Филиппинам"),
        ("MDV", "на Мальдивских Островах", "Мальдивским Островам"),
        ("CUB", "на Кубе", "Кубе"),
        ("CIV", "в Кот-д'Ивуаре", "Кот-д'Ивуару"),
        ("TGO", "в Того", "Того"),
        ("PER", "в Перу", "Перу"),
        ("CHL", "в Чили", "Чили"),
        ("MLI", "в Мали", "Мали"),
        ("BDI", "в Бурунди", "Бурунди"),
        ("VNM", "во Вьетнаме", "Вьетнаму"),
        ("FRA", "во Франции", "Франции"),
        ("HUN", "в Венгрии", "Венгрии"),
        ("UKR", "в Украине", "Украине"),
        ("TZA", "в Объединенной Республике Танзания", "Объединенной Республике Танзания"),
        ("KOR", "в Республике Корея", "Республике Корея"),
        ("BIH", "в Боснии и Герцеговине", "Боснии и Герцеговине"),
        ("ARE", "в Объединенных Арабских Эмиратах", "Объединенным Арабским Эмиратам"),
        (
            "BOL",
            "в Многонациональном Государстве Боливия",
            "Многонациональному Государству Боливия",
        ),
        ("GBR", "в Соединенном Королевстве Великобритании и Северной Ирландии", None),
        ("LAO", "в Лаосской Народно-Демократической Республике", None),
        ("CRI", "в Коста-Рике", "Коста-Рике"),
        ("GNB", "в Гвинее-Бисау", "Гвинее-Бисау"),
        ("PNG", "в Папуа-Новой Гвинее", "Папуа-Новой Гвинее"),
        ("SMR", "в Сан-Марино", "Сан-Марино"),
        ("COD", "в Демократической Республике Конго", "Демократической Республике Конго"),
    ],
)
def test_forms_checked_by_hand(code: str, located: str, dative: str | None) -> None:
    forms = russian_forms(code)
    assert forms is not None
    assert forms.located == located
    if dative is not None:
        assert forms.cases["dative"] == dative


def test_lists_repeat_the_preposition_only_where_it_changes() -> None:
    codes = ["KHM", "IDN", "NPL", "PHL", "VNM"]
    assert russian_names(codes, "в") == [
        "в Камбодже",
        "Индонезии",
        "Непале",
        "на Филиппинах",
        "во Вьетнаме",
    ]
    assert russian_names(["DZA", "TUN"], "с", "instrumental") == ["с Алжиром", "Тунисом"]
    assert russian_names(["ALB", "TUN"], case="dative") == ["Албании", "Тунису"]
    with pytest.raises(ValidationError, match="country_cases_ru"):
        russian_names(["PRI"], "в")  # a territory: no UNTERM Russian name
    with pytest.raises(ValidationError, match="case"):
        russian_names(["TUN"], case="locative")


def test_table_is_what_the_generator_makes() -> None:
    """Regenerated with pymorphy3 (generation only: skipped where it is not installed)."""
    pytest.importorskip("pymorphy3")
    path = ROOT / "scripts" / "build_russian_country_cases.py"
    spec = importlib.util.spec_from_file_location("build_russian_country_cases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == TABLE.read_text("utf-8")


# --- the report --------------------------------------------------------------------------

_PREP = r"(?<![\w-])(в|во|на)\s+"
_LIST_OPENER = re.compile(r"следующ\w*\s+стран\w*\s*:", re.IGNORECASE)


def _forms() -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Prepositional forms → (code, preposition); every other form of a name that is not
    also a prepositional form (a nominative "Бразилия", a genitive "Алжира")."""
    located: dict[str, tuple[str, str]] = {}
    others: set[str] = set()
    for row in _rows():
        located[row["prepositional"]] = (row["alpha3"], row["in"])
    for row in _rows():
        for col in ("nominative", "genitive", "dative", "instrumental"):
            if row[col] not in located:
                others.add(row[col])
    return located, others


def _check_russian_text(text: str) -> None:
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text)
    located, others = _forms()
    every = sorted({*located, *others}, key=len, reverse=True)
    name = "|".join(re.escape(n) for n in every)
    # a name right after a preposition of place is the table's prepositional form, after the
    # table's preposition ("на Филиппинах", "во Вьетнаме"), never a nominative
    seen = 0
    for match in re.finditer(rf"{_PREP}({name})(?!\w)", text):
        prep, found = match.group(1), match.group(2)
        assert found in located, (found, text[match.start() - 40 : match.end() + 40])
        assert located[found][1] == prep, (prep, found)
        seen += 1
    # and so is every name further along a list that a preposition opens
    item = rf"(?:(?:в|во|на) )?(?:{name})"
    for match in re.finditer(rf"{_PREP}(?:{name})((?:, {item})*(?: и {item})?)", text):
        for later in re.findall(rf"(?:, | и )(?:(в|во|на) )?({name})", match.group(2)):
            assert later[1] in located, (later, match.group(0))
    assert seen >= 5, seen  # the five lists the template writes "в …" (see ru.yaml)
    assert not _LIST_OPENER.search(text), _LIST_OPENER.search(text)
    assert not re.search(rf"\((?:{name})\)", text), re.search(rf"\((?:{name})\)", text)
    assert "странового проекта" not in text and "промышленности Бразилии" in text


def test_built_report_declines_its_country_lists(demo_db_module: Database) -> None:
    built = reporting.build(demo_db_module, "board", 2021, "ru")
    _check_russian_text(built.document.plain_text())


@pytest.mark.slow
def test_docx_and_pdf_decline_their_country_lists(demo_db_module: Database, tmp_path: Path) -> None:
    import docx

    out = build_board(demo_db_module, tmp_path, "docx,pdf", "ru")
    document = docx.Document(str(out / "board-2021-ru.docx"))
    _check_russian_text(" ".join(p.text for p in document.paragraphs))
    if shutil.which("pdftotext"):
        # pdftotext -raw keeps reading order; a name broken after its hyphen is joined
        pdf = pdf_text(out / "board-2021-ru.pdf", "-raw")
        _check_russian_text(pdf.replace("-\n", "-"))


def test_wrong_forms_would_be_caught() -> None:
    """The check reads text as it should: the old wording fails it."""
    for bad in (
        "такие планы реализуются в следующих странах: Бразилия, Таиланд и Уругвай.",
        "в Бразилия, Таиланд и Уругвай. промышленности Бразилии",
        "бизнес-инкубаторам (Алжир) в Алжире в Алжире в Алжире в Алжире в Алжире в Алжире "
        "промышленности Бразилии",
        "в Филиппинах в Алжире в Алжире в Алжире в Алжире в Алжире промышленности Бразилии",
        "в Алжире, Таиланд в Алжире в Алжире в Алжире в Алжире в Алжире промышленности Бразилии",
    ):
        with pytest.raises(AssertionError):
            _check_russian_text(bad)
    _check_russian_text(
        "в Бразилии, Таиланде и Уругвае; в Камбодже, Индонезии, на Филиппинах и во Вьетнаме; "
        "в Алжире; на Филиппинах; в Белизе; в Перу; промышленности Бразилии"
    )
