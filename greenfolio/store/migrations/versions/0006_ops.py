"""Operations: ids never reused on SQLite (AUTOINCREMENT) and the audit trail's head kept
apart from it, so that deleting its newest events is noticed.

SQLite cannot add AUTOINCREMENT to a table in place: each table is rebuilt (batch mode),
with foreign keys off while it is (``greenfolio.store.migrate`` sees to that).

Revision ID: 0005_ops
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_ops"
down_revision = "0005_auth"
branch_labels = None
depends_on = None

NEVER_REUSED = (
    "organisation",
    "work_item",
    "result",
    "method_run",
    "review_event",
    "work_finance",
    "app_user",
    "role_grant",
    "api_token",
    "audit_event",
    "result_revision",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in NEVER_REUSED:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    last = (
        op.get_bind()
        .execute(sa.text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1"))
        .first()
    )
    if last is not None:
        op.get_bind().execute(
            sa.text("INSERT INTO audit_head (id, event_id, hash) VALUES (1, :event, :hash)"),
            {"event": last[0], "hash": last[1]},
        )
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
    op.drop_table("audit_head")
