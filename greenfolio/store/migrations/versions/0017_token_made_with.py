"""API tokens remember the token they were created with, so that revoking one revokes them.

A bearer of a token may create more tokens (that expire no later than it). Revoking the
first then left the others working: someone who had stolen it kept access. Each token now
names the one it was made with (``made_with_id``; none for tokens created signed in or
from the command line) and ``api_tokens.revoke_token`` revokes them all. Tokens made before
this revision have no such record and are left as they are.

Revision ID: 0017_token_made_with
Revises: 0016_arabic_search
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_token_made_with"
down_revision = "0016_arabic_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN keeps the table as it is (a batch copy would drop AUTOINCREMENT)
        op.execute(
            "ALTER TABLE api_token ADD COLUMN made_with_id INTEGER "
            "CONSTRAINT fk_api_token_made_with_id_api_token REFERENCES api_token (id)"
        )
    else:
        op.add_column("api_token", sa.Column("made_with_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_api_token_made_with_id_api_token"),
            "api_token",
            "api_token",
            ["made_with_id"],
            ["id"],
        )
    op.create_index(op.f("ix_api_token_made_with_id"), "api_token", ["made_with_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_token_made_with_id"), table_name="api_token")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that is in a foreign key: the table is copied
        with op.batch_alter_table(
            "api_token", table_kwargs={"sqlite_autoincrement": True}
        ) as batch_op:
            batch_op.drop_column("made_with_id")
    else:
        op.drop_constraint(
            op.f("fk_api_token_made_with_id_api_token"), "api_token", type_="foreignkey"
        )
        op.drop_column("api_token", "made_with_id")
