"""What a service call needs of a database: its engine and a transaction. ``Database``
has both; modules that the database itself imports (the audit trail, whose listeners it
registers) name this instead, so no import runs both ways."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session


class UnitOfWork(Protocol):
    engine: Engine

    def transaction(self) -> AbstractContextManager[Session]: ...
