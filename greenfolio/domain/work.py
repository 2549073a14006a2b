"""Work items: projects and the other work a programme reports (publications, events,
policies, alliances, accreditations), and the organisations involved."""

from __future__ import annotations

from enum import StrEnum


class WorkKind(StrEnum):
    PROJECT = "project"
    PROGRAMME = "programme"
    PUBLICATION = "publication"
    EVENT = "event"
    POLICY = "policy"
    ALLIANCE = "alliance"
    ACCREDITATION = "accreditation"


class WorkStatus(StrEnum):
    """Activity status, after the IATI ActivityStatus codelist (1–6)."""

    PIPELINE = "pipeline"
    IMPLEMENTATION = "implementation"
    FINALISATION = "finalisation"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


class OrgRole(StrEnum):
    """Roles of a participating organisation, after the IATI OrganisationRole codelist."""

    FUNDING = "funding"
    ACCOUNTABLE = "accountable"
    EXTENDING = "extending"
    IMPLEMENTING = "implementing"
    PARTNER = "partner"
    REPORTING = "reporting"
    """The organisation that published the record (IATI reporting-org)."""
