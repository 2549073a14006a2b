"""The importers against mutated files (issue 12, "Done when"): the real IATI files of
tests/data and a filled XLSX template, changed by a seeded mutation loop (bytes flipped,
cut, repeated, hostile tokens spliced in, cell values replaced). Whatever the file, an
import ends with a summary or one of Greenfolio's own errors, never another exception;
and a refused file changes nothing in the database (not even the audit trail).

The seed is fixed, so a failure repeats; the loop is bounded (a few dozen files per
importer and backend) to stay well under a minute.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree
from sqlalchemy import func, select

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.exchange import Summary
from greenfolio.services import portfolio
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.services.exchange.mlf_apr import import_apr
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.store.tables import Base, WorkRow
from tests.conftest import DATA

IATI_FILES = [
    DATA / "iati" / "files" / "iati-example-v203.xml",
    DATA / "iati" / "files" / "worldbank-v1.xml",
]
APR = DATA / "mlf" / "apr-sample-2024.xlsx"
IATI_MUTANTS = 45
XLSX_MUTANTS = 30
APR_MUTANTS = 6
SEED = 20261130

TOKENS = [
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&#0;",
    b"&#x85;",
    b"\xc2\x85",
    b"\x00",
    b"\x07",
    b"\xff\xfe",
    b"<",
    b"&",
    b"]]>",
    b"</iati-activity>",
    b"<iati-activity>",
    b'<?xml version="1.0" encoding="ISO-8859-1"?>',
    b'iso-date="2021-02-30"',
    b'value="1e999"',
    b'value="NaN"',
    b'percentage="-5"',
    b'code="' + b"X" * 300 + b'"',
    b"<narrative>" + "é\u202e\U0001f600".encode() * 50 + b"</narrative>",
    "<narrative>Ã©</narrative>".encode("latin-1"),
    b'default-currency="EURO"',
    b'xml:lang="' + b"x" * 40 + b'"',
    b'last-updated-datetime="9999-99-99"',
    b"<iati-identifier>" + b"K" * 200 + b"</iati-identifier>",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        size = len(out)
        if size == 0:
            out += rng.choice(TOKENS)
            continue
        pos = rng.randrange(size)
        kind = rng.randrange(6)
        if kind == 0:
            out[pos] = rng.randrange(256)
        elif kind == 1:
            del out[pos : pos + rng.randint(1, 400)]
        elif kind == 2:
            out[pos:pos] = rng.choice(TOKENS)
        elif kind == 3:
            end = min(size, pos + rng.randint(1, 2000))
            out[pos:pos] = out[pos:end] * rng.randint(1, 3)
        elif kind == 4:
            del out[pos:]
        else:
            # Replace the value of an attribute or the text after a tag end.
            at = out.find(b'="', pos)
            if at >= 0:
                close = out.find(b'"', at + 2)
                if close > at:
                    out[at + 2 : close] = rng.choice(
                        [b"", b"-1", b"99999999999999999999", b"\x85", b"a" * 500, b"2021-13-01"]
                    )
    return bytes(out)


VALUES = [
    "",
    " ",
    "-1",
    "0",
    "1e999",
    "NaN",
    "99999999999999999999",
    "2021-02-30",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "x" * 300,
    "\u0085",
    "\u00e9" * 100,
    "EURO",
    "A",
    "1",
    "2",
    "Z" * 13,
]
ATTRIBUTES = [
    "code",
    "iso-date",
    "value",
    "percentage",
    "{http://www.w3.org/XML/1998/namespace}lang",
    "default-currency",
    "currency",
    "ref",
    "type",
    "vocabulary",
    "last-updated-datetime",
    "version",
    "measure",
    "role",
    "value-date",
    "year",
    "url",
    "format",
    "level",
    "significance",
]


def mutate_tree(data: bytes, rng: random.Random) -> bytes:
    """One to four edits of the parsed file that keep it well-formed (so they reach the
    readers and the store): attributes and texts set to odd values, elements dropped or
    repeated."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    root = etree.fromstring(data, parser)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(rng.randint(1, 4)):
        el = rng.choice(elements)
        kind = rng.randrange(4)
        if kind == 0:
            el.set(rng.choice(list(el.attrib) or ATTRIBUTES), rng.choice(VALUES))
        elif kind == 1:
            el.set(rng.choice(ATTRIBUTES), rng.choice(VALUES))
        elif kind == 2 and len(el) == 0:
            el.text = rng.choice(VALUES)
        elif el is not root and el.getparent() is not None:
            parent = el.getparent()
            if rng.random() < 0.5:
                parent.remove(el)
                elements = [e for e in root.iter() if isinstance(e.tag, str)]
            else:
                parent.append(etree.fromstring(etree.tostring(el)))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def snapshot(db: Database) -> dict[str, Any]:
    """Row counts of every table and the versions of the work items: what a refused
    import must leave exactly as it was."""
    with db.transaction() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }
        counts["versions"] = session.scalar(select(func.sum(WorkRow.version)))
        return counts


def run(name: str, call: Callable[[], Summary], db: Database, failures: list[str]) -> None:
    """Run one import of a mutant and check the two promises."""
    before = snapshot(db)
    try:
        summary = call()
    except GreenfolioError:
        summary = None
    except Exception as exc:  # the point of the test: nothing else may escape
        failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:300]}")
        return
    after = snapshot(db)
    refused = summary is None or summary.refused_files or summary.written == 0
    if refused and after != before:
        changed = {k: (before[k], after[k]) for k in after if before.get(k) != after[k]}
        failures.append(f"{name}: refused, but the database changed: {changed}")
    for problem in summary.problems if summary else []:
        if "Traceback" in problem.message or "object at 0x" in problem.message:
            failures.append(f"{name}: internal detail in a message: {problem}")


def test_mutated_iati_files(db: Database, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    for source in IATI_FILES:  # the originals first, so mutants update as well as create
        import_file(db, source)
    sources = [p.read_bytes() for p in IATI_FILES]
    for n in range(IATI_MUTANTS):
        path = tmp_path / f"mutant-{n}.xml"
        source = rng.choice(sources)
        path.write_bytes(mutate(source, rng) if n % 3 == 0 else mutate_tree(source, rng))
        strict = n % 6 == 5
        run(path.name, lambda p=path, s=strict: import_file(db, p, strict=s), db, failures)
    assert not failures, "\n".join(failures)


CELLS: list[Any] = [
    None,
    "",
    " ",
    -1,
    0,
    1e308,
    float("nan"),
    "12,5",
    "1e999",
    "=1/0",
    "=A1",
    date(1900, 1, 1),
    date(2999, 12, 31),
    "2021-02-30",
    "x" * 5000,
    "\u0085",
    "caf\u00e9 \u202e",
    "CHN",
    "ZZZ",
    "female",
    "target",
    "about",
    "pops_destroyed",
    "participants",
    "no-such-work",
    True,
]


def _filled(db: Database, tmp_path: Path) -> bytes:
    portfolio.register_work(
        db, portfolio.WorkSpec(key="fuzz-work", kind="project", title={"en": "Fuzz"})
    )
    template = write_template(db, ["pops_destroyed", "participants"], tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(template)
    sheet = book["Results"]
    for n in range(2, 8):
        sheet.append(
            ["fuzz-work", "pops_destroyed", n, "t", "actual", "exact", date(2021, 1, 1),
             date(2021, 12, 31), "CHN"]
        )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _mutate_cells(data: bytes, rng: random.Random) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Results"]
    for _ in range(rng.randint(1, 6)):
        row, column = rng.randint(1, 9), rng.randint(1, 11)
        sheet.cell(row=row, column=column, value=rng.choice(CELLS))
    if rng.random() < 0.2:
        sheet.delete_cols(rng.randint(1, 10))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _mutate_part(data: bytes, rng: random.Random) -> bytes:
    """Mutate the bytes of one part inside the zip (the sheet XML, strings, styles …)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = rng.choice(names)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            target.writestr(name, mutate(body, rng) if name == victim else body)
    return buffer.getvalue()


def test_mutated_xlsx_templates(db: Database, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    original = _filled(db, tmp_path)
    assert import_results(db, _write(tmp_path / "original.xlsx", original)).created == 6
    for n in range(XLSX_MUTANTS):
        kind = n % 3
        if kind == 0:
            data = _mutate_cells(original, rng)
        elif kind == 1:
            data = _mutate_part(original, rng)
        else:
            data = mutate(original, rng)  # the zip itself
        path = _write(tmp_path / f"mutant-{n}.xlsx", data)
        run(path.name, lambda p=path: import_results(db, p), db, failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_mutated_apr_files(db: Database, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    original = APR.read_bytes()
    for n in range(APR_MUTANTS):
        data = _mutate_part(original, rng) if n % 2 else mutate(original, rng)
        path = _write(tmp_path / f"apr-{n}.xlsx", data)
        run(path.name, lambda p=path: import_apr(db, p), db, failures)
    assert not failures, "\n".join(failures)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
