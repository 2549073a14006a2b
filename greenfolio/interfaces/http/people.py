"""How pages, downloads and reports name a person: by display name, with the user name
beside it where the two differ, so two people who chose alike names stay apart."""

from __future__ import annotations

from collections.abc import Iterable

from greenfolio.services.user_records import UserInfo


def people_names(users: Iterable[UserInfo]) -> dict[str, str]:
    """Each user name to the name a reader sees: "Kim Lee (kim)", or "kim" alone."""
    shown: dict[str, str] = {}
    for user in users:
        display = " ".join(user.display_name.split())
        same = not display or display.casefold() == user.username.casefold()
        shown[user.username] = user.username if same else f"{display} ({user.username})"
    return shown
