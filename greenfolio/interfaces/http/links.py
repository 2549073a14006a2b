"""The address links in messages and one-time links start with: the configured one
(``GREENFOLIO_BASE_URL``, right behind a reverse proxy), else the one the request came to."""

from __future__ import annotations

from fastapi import Request

from greenfolio.services import mailer


def public_base(request: Request) -> str:
    return mailer.base_url() or str(request.base_url).rstrip("/")
