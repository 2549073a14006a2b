"""The words of notifications, in their reader's language, from the pages' message
catalogues (``greenfolio/interfaces/web/messages/<lang>.yaml``, keys ``mail_*``): what happened to
which result (indicator, project and value in words, never stored codes), who did it,
and a link when the web application's address is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_datetime

from greenfolio.domain.countries import country_name
from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.languages import CLDR_LOCALES, UN_LANGUAGES
from greenfolio.domain.numbers import plain_number
from greenfolio.domain.permissions import Grant
from greenfolio.refdata.catalogue import catalogue
from greenfolio.refdata.loader import schemes
from greenfolio.services.mailer import Mail


class Words:
    """The catalogue of one language, English where a key is missing."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang if lang in UN_LANGUAGES else "en"

    def __call__(self, name: str, /, **values: Any) -> str:
        text = catalogue(self.lang).get(name) or catalogue("en")[name]
        return text.format(**values) if values else text

    def word(self, key: str, fallback: str) -> str:
        return catalogue(self.lang).get(key) or catalogue("en").get(key) or fallback

    def text(self, names: Mapping[str, Any] | None) -> str:
        """A multilingual name in this language, else English, else any."""
        names = names or {}
        found = names.get(self.lang) or names.get("en") or next(iter(names.values()), "")
        return str(found)

    def day(self, day: date) -> str:
        return str(format_date(day, format="long", locale=CLDR_LOCALES.get(self.lang, self.lang)))

    def moment(self, at: datetime) -> str:
        locale = CLDR_LOCALES.get(self.lang, self.lang)
        return str(format_datetime(at, format="long", locale=locale, tzinfo=at.tzinfo))

    def actor(self, who: str | None, names: Mapping[str, str]) -> str:
        kind, sep, name = (who or "").partition(":")
        if kind == "user" and sep:
            return names.get(name) or name
        if kind in ("cli", "local") and sep:
            return self(f"actor_{kind}", name=name)
        return self.word(f"actor_{who}", who or "")

    def grant(self, grant: Grant) -> str:
        kind, value = grant.scope.kind.value, grant.scope.value or ""
        if kind == "all":
            where = self("scope_all")
        elif kind == "programme":
            scheme = schemes().get("programme")
            term = next((t for t in scheme.terms if t.code == value), None) if scheme else None
            where = self("scope_programme", code=self.text(term.names) if term else value)
        elif kind == "country":
            try:
                where = country_name(value, self.lang)
            except GreenfolioError:
                where = value
        else:
            where = self("scope_project", key=value)
        role = self(f"role_{grant.role.value}")
        return self("role_scope", role=role, scope=where)


def _footer(w: Words) -> str:
    return "\n\n-- \n" + w("mail_footer")


def review(
    lang: str | None,
    action: str,
    result: Mapping[str, Any],
    actor: str,
    note: str | None,
    url: str | None,
) -> Mail:
    """A result submitted (to reviewers), returned or verified (to its authors).

    ``result`` holds ``id``, ``value``, ``unit``, ``indicator_names``, ``project_titles``,
    ``project_key``, ``period_start``, ``period_end`` and ``names`` (display names).
    """
    w = Words(lang)
    indicator = w.text(result["indicator_names"]) or w("mail_unknown")
    project = w.text(result["project_titles"]) or result["project_key"]
    unit = result["unit"] or ""
    value = f"{plain_number(float(result['value']), w.lang)}\u00a0{w.word('unit_' + unit, unit)}"
    lines = [
        w("mail_field_project", project=project),
        w("mail_field_indicator", indicator=indicator),
        w("mail_field_value", value=value.strip()),
    ]
    start, end = result.get("period_start"), result.get("period_end")
    if start or end:
        period = " – ".join(w.day(d) for d in (start, end) if d)
        lines.append(w("mail_field_period", period=period))
    who = w.actor(actor, result.get("names", {}))
    first = w(f"mail_{action}_body", actor=who, result=result["id"])
    parts = [first, "\n".join(lines)]
    if action == "return" and note:
        parts.append(w("mail_reason", reason=note.strip()))
    if url:
        parts.append(w("mail_open", url=url))
    subject = w(f"mail_{action}_subject", result=result["id"], indicator=indicator)
    return Mail(subject, "\n\n".join(parts) + _footer(w), action)


def invitation(lang: str, grant: Grant, url: str, expires: datetime) -> Mail:
    w = Words(lang)
    body = w("mail_invite_body", grant=w.grant(grant), url=url, until=w.moment(expires))
    return Mail(w("mail_invite_subject"), body + _footer(w), "invite")


def reset(lang: str, username: str, url: str, expires: datetime) -> Mail:
    w = Words(lang)
    body = w("mail_reset_body", username=username, url=url, until=w.moment(expires))
    return Mail(w("mail_reset_subject"), body + _footer(w), "reset")
