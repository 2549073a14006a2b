"""Report definitions and per-language templates, read from data files.

A definition (``reports/<name>/definition.yaml``) lists sections, paragraphs and the
figure queries; a template (``reports/<name>/templates/<lang>.yaml``) holds the prose of
one language. A missing file, section, paragraph or figure is an error naming it.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.languages import check_language
from greenfolio.refdata.loader import parse_yaml
from greenfolio.services.charts import ChartSpec
from greenfolio.services.figures import FigureSpec, Window

QUERY_KEYS = ("query", "period")
CHART_KEYS = ("id", "kind", "after", "period")


def no_session(name: str, year: int, years: Sequence[int]) -> NotFoundError:
    """The refusal of a report for a year it goes to no meeting in, naming the years it
    does and where a year's session is added."""
    known = ", ".join(str(y) for y in years) or "none"
    return NotFoundError(
        f"report {name!r} has no session for {year} (it has: {known}); for another "
        "year, copy the report's folder (greenfolio/reports/<name>) to one of your own, "
        f"add the session, dates and agenda item under 'sessions: {year}:' in its "
        "definition.yaml and pass the folder to --definition",
        message_id="report_year",
        params={"year": year, "years": known},
    )


@dataclass(frozen=True)
class SectionDef:
    key: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ReportDefinition:
    name: str
    organ: str
    period: dict[str, list[int]]
    sessions: dict[int, dict[str, Any]]
    sections: tuple[SectionDef, ...]
    figures: dict[str, dict[str, Any]]
    charts: tuple[dict[str, Any], ...] = ()

    def session(self, year: int) -> dict[str, Any]:
        """The meeting the report of ``year`` goes to, or an error saying what to add.

        A definition without sessions (a summary that goes to no meeting) gets the year.
        """
        if not self.sessions:
            return {"year": year}
        meta = self.sessions.get(year)
        if meta is None:
            raise no_session(self.name, year, sorted(self.sessions))
        return meta

    def with_session_fields(self, year: int, fields: dict[str, Any]) -> ReportDefinition:
        """This definition with ``fields`` (checked by ``document_form.given_fields``) added
        to the session of ``year``, for one build; the file is not changed."""
        if not fields:
            return self
        if not self.sessions:
            raise ValidationError(
                f"report {self.name!r} goes to no meeting and has no document header: "
                "leave out --symbol, --issued and --original-language",
            )
        sessions = dict(self.sessions)
        sessions[year] = merged = {**self.session(year), **fields}
        issued, reissued = merged.get("issued"), merged.get("reissued")
        if issued and reissued and str(issued) > str(reissued):
            raise ValidationError(
                f"the date of issue {issued} is after the reissue of {reissued} that the "
                f"report's definition states: a document is reissued after it is issued; "
                "check --issued"
            )
        return replace(self, sessions=sessions)

    def figure_specs(self, year: int) -> list[FigureSpec]:
        """Every figure of the report, with its reporting window for ``year``."""
        specs = []
        for fid, raw in self.figures.items():
            params = {k: v for k, v in raw.items() if k not in QUERY_KEYS}
            period = raw.get("period", self.period)
            specs.append(
                FigureSpec(
                    id=fid,
                    query=str(raw.get("query", "indicator")),
                    params=params,
                    window=window(period, year),
                )
            )
        return specs

    def chart_specs(self, year: int) -> list[ChartSpec]:
        """Every chart of the report, with its reporting window for ``year``."""
        paragraphs = {p for s in self.sections for p in s.paragraphs}
        specs = []
        for raw in self.charts:
            if raw.get("after") not in paragraphs:
                raise ValidationError(
                    f"chart {raw.get('id')!r} of report {self.name!r} is placed after "
                    f"{raw.get('after')!r}, which is not a paragraph of the report"
                )
            params = {k: v for k, v in raw.items() if k not in CHART_KEYS}
            specs.append(
                ChartSpec(
                    str(raw["id"]),
                    str(raw.get("kind", "bar")),
                    raw["after"],
                    params,
                    window(raw.get("period", self.period), year),
                )
            )
        return specs


def _relative_date(parts: list[int] | None, year: int) -> date | None:
    if parts is None:
        return None
    offset, month, day = parts
    return date(year + offset, month, day)


def window(period: dict[str, list[int]], year: int) -> Window:
    return Window(
        _relative_date(period.get("start"), year), _relative_date(period.get("end"), year)
    )


SHIPPED = ("board", "montreal", "gef")


def _package(name: str) -> Any:
    """A shipped definition by name, or a folder of the user's holding definition.yaml."""
    folder = Path(name)
    if folder.is_dir() and (folder / "definition.yaml").is_file():
        return folder
    if name in SHIPPED:
        return resources.files(f"greenfolio.reports.{name}")
    raise NotFoundError(
        f"no report definition {name!r}: give one of {', '.join(SHIPPED)}, or a folder "
        "holding definition.yaml and templates/<lang>.yaml"
    )


_parsed_lock = threading.Lock()
_parsed: dict[str, tuple[tuple[int, int], Any]] = {}


def _parse_once(path: Any) -> Any:
    """A YAML file parsed once per version of it: the parse is kept, keyed by the file's
    path and re-read when its modification time or size changes (a definition folder
    being edited is seen at the next build). Callers get their own deep copy."""
    key = str(path)
    stat = Path(key).stat() if Path(key).is_file() else None
    stamp = (stat.st_mtime_ns, stat.st_size) if stat is not None else (0, 0)
    with _parsed_lock:
        found = _parsed.get(key)
    if found is None or found[0] != stamp:
        found = (stamp, parse_yaml(path.read_text("utf-8")))
        with _parsed_lock:
            _parsed[key] = found
    return copy.deepcopy(found[1])


def load_definition(name: str) -> ReportDefinition:
    raw = _parse_once(_package(name).joinpath("definition.yaml"))
    try:
        return ReportDefinition(
            name=raw["id"],
            organ=raw["organ"],
            period=raw["period"],
            sessions={int(k): v for k, v in raw.get("sessions", {}).items()},
            sections=tuple(SectionDef(s["key"], tuple(s["paragraphs"])) for s in raw["sections"]),
            figures=raw["figures"],
            charts=tuple(raw.get("charts", [])),
        )
    except KeyError as exc:
        raise ValidationError(
            f"report definition {name!r}: missing field {exc.args[0]!r} in definition.yaml"
        ) from exc


def load_template(name: str, lang: str) -> dict[str, Any]:
    check_language(lang)
    path = _package(name).joinpath("templates", f"{lang}.yaml")
    if not path.is_file():
        raise NotFoundError(
            f"report {name!r} has no {lang} template: write templates/{lang}.yaml beside "
            "its definition"
        )
    data: dict[str, Any] = _parse_once(path)
    return data
