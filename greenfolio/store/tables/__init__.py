"""The schema, one table per stored concept; SQLite and PostgreSQL share it.

The tables live in modules by concept (portfolio, results, accounts, records); this
package names them all, so ``from greenfolio.store.tables import WorkRow`` reads any.
"""

from greenfolio.store.tables.accounts import (
    AccountLinkRow,
    ApiTokenRow,
    LoginAttemptRow,
    LoginThrottleRow,
    MailRow,
    RoleGrantRow,
    UserRow,
    UserSessionRow,
)
from greenfolio.store.tables.base import (
    NAMING,
    NEVER_REUSED,
    Base,
    utcnow,
)
from greenfolio.store.tables.records import (
    AuditEventRow,
    AuditHeadRow,
    ReportJobFileRow,
    ReportJobRow,
    ViewCacheRow,
)
from greenfolio.store.tables.results import (
    CARRIED_SCHEMES,
    FIGURE_INDEX,
    FIGURE_SOUGHT,
    RESULT_TERM_COPIED,
    RESULT_TERM_OF_RESULT,
    EvidenceFileRow,
    IatiIndicatorRow,
    IndicatorRow,
    MethodRunRow,
    ResultRevisionRow,
    ResultRow,
    ResultTermRow,
    ReviewEventRow,
)
from greenfolio.store.tables.work import (
    OrganisationRow,
    TermRow,
    WorkCountryRow,
    WorkFinanceRow,
    WorkOrgRow,
    WorkRegionRow,
    WorkRow,
    WorkSearchRow,
    WorkSectorRow,
    WorkTermRow,
)

__all__ = [
    "CARRIED_SCHEMES",
    "FIGURE_INDEX",
    "FIGURE_SOUGHT",
    "NAMING",
    "NEVER_REUSED",
    "RESULT_TERM_COPIED",
    "RESULT_TERM_OF_RESULT",
    "AccountLinkRow",
    "ApiTokenRow",
    "AuditEventRow",
    "AuditHeadRow",
    "Base",
    "EvidenceFileRow",
    "IatiIndicatorRow",
    "IndicatorRow",
    "LoginAttemptRow",
    "LoginThrottleRow",
    "MailRow",
    "MethodRunRow",
    "OrganisationRow",
    "ReportJobFileRow",
    "ReportJobRow",
    "ResultRevisionRow",
    "ResultRow",
    "ResultTermRow",
    "ReviewEventRow",
    "RoleGrantRow",
    "TermRow",
    "UserRow",
    "UserSessionRow",
    "ViewCacheRow",
    "WorkCountryRow",
    "WorkFinanceRow",
    "WorkOrgRow",
    "WorkRegionRow",
    "WorkRow",
    "WorkSearchRow",
    "WorkSectorRow",
    "WorkTermRow",
    "utcnow",
]
