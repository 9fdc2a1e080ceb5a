"""users: failed logins counted per account as well as per login name

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime


def _schema() -> str | None:
    # PostgreSQL keeps the users' tables in their schema (0017); SQLite has none.
    return "users" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    op.create_table(
        "users_account_login_failures",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("locked_until", _MOMENT(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users_account_login_failures")),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_table("users_account_login_failures", schema=_schema())
