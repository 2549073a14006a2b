"""Authorisation hardening: who entered, revised and submitted each result (separation of
duties), and the shared counter of sign-in attempts (rate limit with back-off).

Existing results get ``entered_by`` from the audit trail's create event, ``submitted_by``
from their latest submission and ``revised_by`` from their latest kept revision, so the
rule holds for figures entered before the upgrade too.

Revision ID: 0005_auth
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_auth"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN on both backends (never a batch copy of the table,
    # which on SQLite would cascade-delete the review events and revisions of results).
    for column in ("entered_by", "revised_by", "submitted_by"):
        op.add_column("result", sa.Column(column, sa.String(length=160), nullable=True))
    op.execute(
        "UPDATE result SET entered_by = (SELECT a.actor FROM audit_event a "
        "WHERE a.entity = 'result' AND a.action = 'create' "
        "AND a.entity_id = CAST(result.id AS VARCHAR(200)) ORDER BY a.id LIMIT 1)"
    )
    op.execute(
        "UPDATE result SET submitted_by = (SELECT e.actor FROM review_event e "
        "WHERE e.result_id = result.id AND e.action IN ('submit', 'recompute') "
        "ORDER BY e.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE result SET revised_by = (SELECT v.actor FROM result_revision v "
        "WHERE v.result_id = result.id ORDER BY v.version DESC LIMIT 1)"
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttle_updated_at"), ["updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_updated_at"))
    op.drop_table("login_throttle")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the table would
    # drop the old one, and with foreign keys on that deletes every review event and
    # kept revision of every result (ON DELETE CASCADE).
    for column in ("submitted_by", "revised_by", "entered_by"):
        op.execute(f"ALTER TABLE result DROP COLUMN {column}")
