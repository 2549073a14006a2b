"""Regenerate greenfolio/refdata/unterm/country_cases_ru.csv: the Russian UNTERM country
names in the cases a sentence declines them in.

UNTERM gives each name in the nominative only; a Russian sentence needs "в Бразилии",
"помогает Тунису", "с Филиппинами". The package ships the declined forms as a table so
that it runs without a morphological analyser; this script records how the table was
made, so that it can be remade when the UNTERM list changes.

Requirements (generation only, not in the runtime lock): ``pymorphy3`` 2.0.6 (MIT) and
its dictionary ``pymorphy3-dicts-ru`` 2.4.417150.4580142 (code MIT; data OpenCorpora,
revision 417150, CC BY-SA 3.0), e.g. ``python -m venv /tmp/pym && /tmp/pym/bin/pip install
pymorphy3==2.0.6 pymorphy3-dicts-ru==2.4.417150.4580142``, then from the repository root
``/tmp/pym/bin/python scripts/build_russian_country_cases.py``.

How a name is declined: the running-text form (``UnName.text``: the formal name for names
UNTERM qualifies in brackets, "Многонациональное Государство Боливия") is split into
words; the adjectives before the first noun agree with it and the noun takes the case
("Объединенной Республике"); what follows the head noun stays as it is, a proper name in
apposition in the nominative as Russian style keeps it ("Республике Корея",
"Объединенной Республике Танзания") or a genitive ("Соединенном Королевстве
Великобритании и Северной Ирландии"). Names joined by "и" decline each part ("Боснии и
Герцеговине"); a hyphenated name declines its last part ("Коста-Рике", "Кот-д'Ивуаре"),
or as ``OVERRIDES`` gives it. Words the dictionary marks indeclinable (Fixd: "Того",
"Перу", "Чили") stay as they are. Every form was then read by hand; where the analyser
guessed wrongly, ``OVERRIDES`` gives the form and why.

The preposition of place ("in"): "в", or "во" before в/ф + consonant ("во Франции",
"во Вьетнаме"); "на" for island States whose name is the island's or the islands' (Д. Э.
Розенталь, «Справочник по правописанию и литературной правке», on "в"/"на" with
geographical names: "на Кубе", "на Кипре", "на Мадагаскаре") as listed in ``NA``; where the
usage is in doubt the table keeps "в" ("в Украине", "в Маврикии", "в Фиджи"): these were not
checked against UN Russian documents, none being at hand when the table was made.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pymorphy3  # generation only; see the docstring

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from greenfolio.domain.un_names import un_name  # noqa: E402

OUT = ROOT / "greenfolio" / "refdata" / "unterm" / "country_cases_ru.csv"
SOURCE = ROOT / "greenfolio" / "refdata" / "unterm" / "country_names.csv"

CASES = {"genitive": "gent", "dative": "datv", "instrumental": "ablt", "prepositional": "loct"}
"""Columns of the table and the OpenCorpora grammeme of each case."""

NA = {
    "BHS": "острова",
    "COK": "острова",
    "COM": "острова",
    "MDV": "острова",
    "MHL": "острова",
    "SLB": "острова",
    "SYC": "острова",
    "PHL": "архипелаг (на Филиппинах)",
    "CUB": "остров (на Кубе)",
    "CYP": "остров (на Кипре)",
    "HTI": "остров (на Гаити)",
    "JAM": "остров (на Ямайке)",
    "LKA": "остров (на Шри-Ланке)",
    "MDG": "остров (на Мадагаскаре)",
    "MLT": "остров (на Мальте)",
}
"""States that take "на": the reason, after Розенталь (see the module's docstring)."""

OVERRIDES: dict[str, dict[str, str]] = {
    # Hyphenated names whose first part declines, or both (UN Russian usage).
    "GNB": {
        "genitive": "Гвинеи-Бисау",
        "dative": "Гвинее-Бисау",
        "instrumental": "Гвинеей-Бисау",
        "prepositional": "Гвинее-Бисау",
    },
    "BRN": {
        "genitive": "Брунея-Даруссалама",
        "dative": "Брунею-Даруссаламу",
        "instrumental": "Брунеем-Даруссаламом",
        "prepositional": "Брунее-Даруссаламе",
    },
    "PNG": {
        "genitive": "Папуа-Новой Гвинеи",
        "dative": "Папуа-Новой Гвинее",
        "instrumental": "Папуа-Новой Гвинеей",
        "prepositional": "Папуа-Новой Гвинее",
    },
    # Hyphenated names the dictionary does not know (the analyser leaves them undeclined).
    "CRI": {
        "genitive": "Коста-Рики",
        "dative": "Коста-Рике",
        "instrumental": "Коста-Рикой",
        "prepositional": "Коста-Рике",
    },
    "LCA": {
        "genitive": "Сент-Люсии",
        "dative": "Сент-Люсии",
        "instrumental": "Сент-Люсией",
        "prepositional": "Сент-Люсии",
    },
    "VCT": {
        "genitive": "Сент-Винсента и Гренадин",
        "dative": "Сент-Винсенту и Гренадинам",
        "instrumental": "Сент-Винсентом и Гренадинами",
        "prepositional": "Сент-Винсенте и Гренадинах",
    },
    # Indeclinable, as "Сан-Томе и Принсипи" (the analyser takes "Марино" for a noun in -о).
    "SMR": dict.fromkeys(("genitive", "dative", "instrumental", "prepositional"), "Сан-Марино"),
}
"""Forms given by hand where the word-by-word rule does not apply."""

ADJ = {"ADJF", "PRTF"}


def _parse(word: str, pos: set[str]) -> pymorphy3.analyzer.Parse | None:
    """The analysis of ``word`` in the nominative with a part of speech in ``pos``,
    geographical names and dictionary words first."""
    found = [
        p
        for p in MORPH.parse(word)
        if p.tag.POS in pos and p.tag.case == "nomn" and "Name" not in p.tag
    ]
    found.sort(key=lambda p: ("Geox" not in p.tag, not p.is_known, -p.score))
    return found[0] if found else None


def _decline_word(word: str, case: str, pos: set[str], agree: tuple[str, str] | None) -> str:
    """One word in ``case``; an adjective takes the noun's gender and number (``agree``)."""
    if "-" in word and pos == {"NOUN"}:
        head, _, last = word.rpartition("-")
        return f"{head}-{_decline_word(last, case, pos, agree)}"
    parse = _parse(word.lower(), pos)
    if parse is None or "Fixd" in parse.tag:
        return word
    wanted = {CASES[case]}
    if agree is not None:
        gender, number = agree
        wanted |= {number} if number == "plur" else {gender, number}
    form = parse.inflect(wanted)
    if form is None:
        raise SystemExit(f"cannot decline {word!r} to {wanted}")
    text = form.word if "ё" in word else form.word.replace("ё", "е")
    return _same_case(word, text)


def _same_case(model: str, word: str) -> str:
    """``word`` capitalized as ``model`` is, part by part ("Кот-д'Ивуаре")."""
    out = []
    for m, w in zip(model.split("-"), word.split("-"), strict=False):
        out.append(
            "".join(c.upper() if i < len(m) and m[i].isupper() else c for i, c in enumerate(w))
        )
    return "-".join(out)


def _decline_phrase(name: str, case: str) -> str:
    """A noun phrase: adjectives agree with the first noun, which takes ``case``; the words
    after it (a name in apposition, a genitive) stay as they are."""
    words = name.split(" ")
    for i, word in enumerate(words):
        last = word.split("-")[-1].lower()
        adjective = _parse(last, ADJ) is not None and i < len(words) - 1
        noun = _parse(last, {"NOUN"})
        if adjective and (noun is None or _parse(words[i + 1].lower(), {"NOUN"})):
            continue
        agree = (noun.tag.gender or "masc", noun.tag.number or "sing") if noun else None
        out = [_adj(w, case, agree) for w in words[:i]]
        out.append(_decline_word(word, case, {"NOUN"}, None))
        return " ".join(out + words[i + 1 :])
    return name


def _adj(word: str, case: str, agree: tuple[str, str] | None) -> str:
    if "-" in word:  # "Народно-Демократическая": the last part agrees
        head, _, last = word.rpartition("-")
        return f"{head}-{_decline_word(last, case, ADJ, agree)}"
    return _decline_word(word, case, ADJ, agree)


def decline(name: str, case: str) -> str:
    """The name in ``case``: each part of "X и Y" declined when "и" joins two names."""
    left, sep, right = name.partition(" и ")
    if sep and " " not in left:
        return f"{_decline_phrase(left, case)} и {_decline_phrase(right, case)}"
    return _decline_phrase(name, case)


def preposition(alpha3: str, locative: str) -> str:
    if alpha3 in NA:
        return "на"
    first = locative[:2].lower()
    if first[:1] in "вф" and first[1:2] not in "аеёиоуыэюяь":
        return "во"
    if first[:1] in "вф" and first[1:2] == "ь":
        return "во"
    return "в"


HEADER = """\
# Russian UNTERM country names (country_names.csv, lang ru, running-text form) in the
# genitive, dative, instrumental and prepositional cases, and the preposition of place
# ("в", "во", "на") before the prepositional form.
# Made by scripts/build_russian_country_cases.py with pymorphy3 2.0.6 (MIT) and
# pymorphy3-dicts-ru 2.4.417150.4580142, whose data is the OpenCorpora dictionary
# (opencorpora.org, revision 417150), licensed CC BY-SA 3.0
# (https://creativecommons.org/licenses/by-sa/3.0/): this table, derived from it, is
# under the same licence. Forms checked by hand; hand-given forms and "на" are listed
# with their reasons in the script.
"""


def build() -> str:
    rows = list(csv.DictReader(io.StringIO(SOURCE.read_text("utf-8"))))
    buf = io.StringIO()
    buf.write(HEADER)
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["alpha3", "nominative", *CASES, "in"])
    for row in sorted(rows, key=lambda r: r["alpha3"]):
        if row["lang"] != "ru":
            continue
        un = un_name(row["alpha3"], "ru")
        assert un is not None
        forms = OVERRIDES.get(row["alpha3"]) or {c: decline(un.text, c) for c in CASES}
        out.writerow(
            [
                row["alpha3"],
                un.text,
                *(forms[c] for c in CASES),
                preposition(row["alpha3"], forms["prepositional"]),
            ]
        )
    return buf.getvalue()


MORPH = pymorphy3.MorphAnalyzer()

if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}")
