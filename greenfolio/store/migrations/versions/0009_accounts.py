"""Accounts: an email and a language per user (for notifications), one-time links
(invitations and password resets, only their SHA-256 stored) and the mail outbox.

Revision ID: 0009_accounts
Revises: 0008_evidence
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_accounts"
down_revision = "0008_evidence"
branch_labels = None
depends_on = None

NEVER_REUSED = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=True))
    op.create_table(
        "account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_account_link_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
        **NEVER_REUSED,
    )
    op.create_index(op.f("ix_account_link_user_id"), "account_link", ["user_id"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    op.create_index(op.f("ix_mail_outbox_status"), "mail_outbox", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_outbox_status"), table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index(op.f("ix_account_link_user_id"), table_name="account_link")
    op.drop_table("account_link")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("language")
        batch.drop_column("email")
