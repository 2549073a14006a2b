"""Read queries for the explorer, the API and the dashboard: lists with filters, sorting
and pages; a project or a result with everything that explains it; headline figures.

Every call filters by what the principal may read (``access.visible_works``) and, for
the public, by verified results only. Dashboard figures are the report's own figure
queries (``services.figures``) for each indicator and year, so the dashboard and the
report never disagree; they are cached until the audit trail shows a change.

The reads live in one module a concept (``explorer_projects``, ``explorer_results``,
``explorer_review_queue``, ``explorer_organisations``, ``explorer_method_runs``,
``explorer_views``); this module names them all, so callers keep one import.
"""

from __future__ import annotations

from greenfolio.services.explorer_common import (
    MAX_PER_PAGE,
    Page,
    need_reader,
    page_bounds,
    text_in,
    year_range,
)
from greenfolio.services.explorer_method_runs import method_run, method_runs, run_brief
from greenfolio.services.explorer_organisations import organisation, organisations
from greenfolio.services.explorer_projects import (
    COUNT_CAP,
    FILTER_SCHEMES,
    PROJECT_SORTS,
    ProjectFilter,
    checked_per_row,
    project,
    project_conditions,
    project_dicts,
    project_rows,
    projects,
)
from greenfolio.services.explorer_results import (
    RESULT_SORTS,
    may_verify,
    project_key_readable,
    result,
    result_conditions,
    result_dict,
    results,
)
from greenfolio.services.explorer_review_queue import review_queue
from greenfolio.services.explorer_views import (
    dashboard,
    facets,
    indicator,
    indicators,
    report_figures,
)

__all__ = [
    "COUNT_CAP",
    "FILTER_SCHEMES",
    "MAX_PER_PAGE",
    "PROJECT_SORTS",
    "RESULT_SORTS",
    "Page",
    "ProjectFilter",
    "checked_per_row",
    "dashboard",
    "facets",
    "indicator",
    "indicators",
    "may_verify",
    "method_run",
    "method_runs",
    "need_reader",
    "organisation",
    "organisations",
    "page_bounds",
    "project",
    "project_conditions",
    "project_dicts",
    "project_key_readable",
    "project_rows",
    "projects",
    "report_figures",
    "result",
    "result_conditions",
    "result_dict",
    "results",
    "review_queue",
    "run_brief",
    "text_in",
    "year_range",
]
