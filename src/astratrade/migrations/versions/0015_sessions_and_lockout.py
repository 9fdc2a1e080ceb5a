"""users: session epochs, suspension, refresh-token families, failed logins

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 09:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("users_users") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("suspended", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("users_refresh_tokens") as batch:
        batch.add_column(sa.Column("family_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("revoked_at", _MOMENT(timezone=True), nullable=True))
        batch.create_index("ix_users_refresh_tokens_family_id", ["family_id"])
    op.create_table(
        "users_login_failures",
        sa.Column("login_key", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("locked_until", _MOMENT(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("login_key", name=op.f("pk_users_login_failures")),
    )


def downgrade() -> None:
    op.drop_table("users_login_failures")
    with op.batch_alter_table("users_refresh_tokens") as batch:
        batch.drop_index("ix_users_refresh_tokens_family_id")
        batch.drop_column("revoked_at")
        batch.drop_column("family_id")
    with op.batch_alter_table("users_users") as batch:
        batch.drop_column("suspended")
        batch.drop_column("session_epoch")
