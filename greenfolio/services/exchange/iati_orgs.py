"""Organisations an import names, found or created: one row per organisation whatever
each activity calls it (see ``domain.iati.is_org_identifier`` for what a ref may tell)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.exchange import Problem, Severity
from greenfolio.domain.iati import OrgRef, is_org_identifier
from greenfolio.domain.text import quoted
from greenfolio.store.tables import OrganisationRow


class Organisations:
    """Organisation ids by IATI ref and by key, creating rows as activities name them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_ref: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        self.names: dict[int, dict[str, str]] = {}
        self.kinds: dict[int, str | None] = {}
        self.memo: dict[tuple[object, ...], int] = {}
        self.renamed: dict[tuple[int, str], tuple[str, str, str]] = {}
        """(organisation, language) → (its ref or key, the name a file gave, the name kept):
        a name that differs from the one stored, said once per organisation and language."""
        rows = session.execute(
            select(
                OrganisationRow.id,
                OrganisationRow.key,
                OrganisationRow.iati_ref,
                OrganisationRow.names,
                OrganisationRow.kind,
            )
        )
        for oid, key, ref, names, kind in rows:
            self.by_key[key] = oid
            if ref and is_org_identifier(ref):
                self.by_ref.setdefault(ref, oid)
            self.names[oid] = dict(names or {})
            self.kinds[oid] = kind

    def resolve(self, org: OrgRef, key: str | None = None) -> int | None:
        """The id of ``org`` (created if new); None if it has neither ref nor name.

        ``key`` names the organisation's row where the caller knows it (e.g. ``mlf``).
        """
        if not org.ref and not org.names:
            return None
        memo = (org.ref, org.type, key, *org.names.items())
        found = self.memo.get(memo)
        if found is not None:
            return found
        oid = self._resolve(org, key)
        self.memo[memo] = oid
        return oid

    def _resolve(self, org: OrgRef, key: str | None) -> int:
        # A ref that is not an organisation identifier ("61") may name another
        # organisation in the next activity: such an organisation is found by its key
        # (ref and name), never by the ref alone.
        oid = self.by_ref.get(org.ref) if org.ref and is_org_identifier(org.ref) else None
        key = key or org.key()
        if oid is None:
            oid = self.by_key.get(key)
        if oid is None:
            oid = self.session.execute(
                insert(OrganisationRow).returning(OrganisationRow.id),
                {"key": key, "names": dict(org.names), "iati_ref": org.ref, "kind": org.type},
            ).scalar_one()
            self.by_key[key] = oid
            if org.ref and is_org_identifier(org.ref):
                self.by_ref[org.ref] = oid
            self.names[oid] = dict(org.names)
            self.kinds[oid] = org.type
            return oid
        known = self.names[oid]
        for lang, text in org.names.items():
            if lang in known and known[lang] != text and (oid, lang) not in self.renamed:
                self.renamed[(oid, lang)] = (org.ref or key, text, known[lang])
        added = {lang: text for lang, text in org.names.items() if lang not in known}
        changes: dict[str, Any] = {}
        if added:
            known.update(added)
            changes["names"] = dict(known)
        if org.type and not self.kinds[oid]:
            self.kinds[oid] = org.type
            changes["kind"] = org.type
        if changes:
            self.session.execute(
                update(OrganisationRow).where(OrganisationRow.id == oid).values(**changes)
            )
        return oid


RENAMED_LISTED = 20
"""Organisations whose other names an import lists one by one; the rest are counted."""


def renamed_problems(orgs: Organisations, file: str) -> list[Problem]:
    """One warning per organisation and language whose name in ``file`` differs from the
    name stored (or read first) for it: the stored name is kept."""
    found = list(orgs.renamed.values())
    said = [
        Problem(
            f"the organisation {quoted(ref)} is named {quoted(given)} here and "
            f"{quoted(kept)} in the store (or earlier in this file); the stored name is kept",
            severity=Severity.WARNING,
            file=file,
        )
        for ref, given, kept in found[:RENAMED_LISTED]
    ]
    if len(found) > RENAMED_LISTED:
        said.append(
            Problem(
                f"and {len(found) - RENAMED_LISTED} more organisations named otherwise than in "
                "the store; their stored names are kept",
                severity=Severity.WARNING,
                file=file,
            )
        )
    return said
