"""Classification schemes (core functions, focus areas, programmes, conventions, SDG
targets) and their terms, with names in the six UN languages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from greenfolio.domain.languages import UN_LANGUAGES, pick


@dataclass(frozen=True)
class Term:
    """One value of a scheme, e.g. focus area (b) "climate neutrality and circular economy"."""

    scheme: str
    code: str
    names: Mapping[str, str]
    ordinal: int = 0
    label: str = ""
    parent: str | None = None

    @property
    def key(self) -> str:
        """The term's identity across schemes: ``scheme:code``."""
        return f"{self.scheme}:{self.code}"

    def name(self, lang: str) -> str:
        return pick(self.names, lang, f"term {self.key}")


@dataclass(frozen=True)
class Scheme:
    """A named list of terms with the document that defines it."""

    code: str
    names: Mapping[str, str]
    source: str
    terms: tuple[Term, ...] = field(default=())

    def missing_names(self) -> list[str]:
        """Every (term, language) pair without a name, so data files can be checked."""
        gaps = [f"{self.code}/{lang}" for lang in UN_LANGUAGES if not self.names.get(lang)]
        for term in self.terms:
            gaps += [f"{term.key}/{lang}" for lang in UN_LANGUAGES if not term.names.get(lang)]
        return gaps
