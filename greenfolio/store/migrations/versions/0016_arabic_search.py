"""Search documents rebuilt: Arabic words are now also indexed without their article.

``greenfolio.domain.search_text`` indexes an Arabic word both as written and without its
leading article (and a conjunction or preposition joined to it: "الزئبق", "بالزئبق" are
also "زئبق"), and reads a query the same way, so that a search for "زئبق" finds the
projects about mercury. The documents of existing work items are built again here; the
schema does not change.

Revision ID: 0016_arabic_search
Revises: 0015_figure_terms_wide
Create Date: 2026-11-30
"""

from alembic import op

revision = "0016_arabic_search"
down_revision = "0015_figure_terms_wide"
branch_labels = None
depends_on = None
VACUUM_AFTER = ("work_search",)
"""Every document rewritten here: vacuumed after the upgrade (store.migrate.upgrade)."""


def upgrade() -> None:
    from greenfolio.services import search

    search.refresh_all(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: the documents are derived, and the code that reads them is the
    code that builds them."""
