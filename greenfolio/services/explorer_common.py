"""What every explorer read shares: who may read at all, pages of a list, a calendar
year's bounds and multilingual names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from greenfolio.domain.permissions import NotAuthenticated, Principal

MAX_PER_PAGE = 200


def text_in(names: dict[str, Any] | None, lang: str) -> str:
    """A multilingual text in ``lang``, else English, else any language given."""
    if not names:
        return ""
    return str(names.get(lang) or names.get("en") or next(iter(names.values()), ""))


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    more: bool = False
    """True when ``total`` is the cap of a capped count: there are more than that."""

    def as_dict(self) -> dict[str, Any]:
        pages = max(1, -(-self.total // self.per_page))
        return {
            "items": self.items,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": pages,
            "more": self.more,
        }


def need_reader(principal: Principal) -> None:
    if principal.user_id is None and not principal.public:
        raise NotAuthenticated("sign in to read the portfolio (this server is not public)")


def page_bounds(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
