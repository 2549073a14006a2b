"""Indicators may name the unit pages show their figures in (``indicator.shown_in``).

Unintentional POPs are computed in g TEQ (GEF core indicator 10) but the source and the
Board report give them in mg TEQ; the dashboard showed "119.489 g TEQ" where the report
prints "119,489 mg TEQ". The column is filled from the packaged registry by
``reference.sync``, which ``db upgrade`` runs after migrating.

Revision ID: 0018_indicator_shown_in
Revises: 0017_token_made_with
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_indicator_shown_in"
down_revision = "0017_token_made_with"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("indicator", sa.Column("shown_in", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch_op:
        batch_op.drop_column("shown_in")
