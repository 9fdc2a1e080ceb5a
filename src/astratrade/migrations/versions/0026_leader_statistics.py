"""copytrading: each practice account's statistics kept in a table of their own, one index
a directory sort; the closes' order within their account

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 03:00:00

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
TABLE = "copytrading_leader_statistics"
# Each directory sort's index: best first, ties by user id.
SORTS = {
    "roi_7d": "roi_7d DESC",
    "roi_30d": "roi_30d DESC",
    "roi_90d": "roi_90d DESC",
    "max_drawdown_30d": "max_drawdown_30d",
    "win_rate": "win_rate DESC",
    "average_hold": "average_hold_seconds DESC",
}


def _schema() -> str | None:
    return "copytrading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    # The order of closes at the same moment: their account's event order (0 for the
    # closes kept so far, which then go by position id).
    with op.batch_alter_table("copytrading_closed_positions", schema=schema) as batch_op:
        batch_op.add_column(
            sa.Column("sequence", sa.BigInteger(), server_default="0", nullable=False)
        )
    statistics = op.create_table(
        TABLE,
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("roi_7d", sa.BigInteger(), nullable=False),
        sa.Column("roi_30d", sa.BigInteger(), nullable=False),
        sa.Column("roi_90d", sa.BigInteger(), nullable=False),
        sa.Column("max_drawdown_30d", sa.BigInteger(), nullable=False),
        sa.Column("win_rate", sa.BigInteger(), nullable=False),
        sa.Column("average_hold_seconds", sa.BigInteger(), nullable=False),
        sa.Column("closed_positions_90d", sa.Integer(), nullable=False),
        sa.Column("as_of", _MOMENT(timezone=True), nullable=True),
        sa.Column("refresh_at", _MOMENT(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_copytrading_leader_statistics")),
        sa.UniqueConstraint("account_id", name=op.f("uq_copytrading_leader_statistics_account_id")),
        schema=schema,
    )
    for name, order in SORTS.items():
        op.create_index(
            f"ix_{TABLE}_{name}", TABLE, [sa.text(order), "user_id"], unique=False, schema=schema
        )
    op.create_index(f"ix_{TABLE}_refresh_at", TABLE, ["refresh_at"], unique=False, schema=schema)
    # Every practice account known so far gets a row due at once: the timed refresh computes
    # them from their closes within a second of the platform starting.
    accounts = sa.table(
        "copytrading_practice_accounts",
        sa.column("account_id"),
        sa.column("owner_id"),
        schema=schema,
    )
    due = datetime(1970, 1, 1, tzinfo=UTC)
    rows = op.get_bind().execute(sa.select(accounts.c.owner_id, accounts.c.account_id)).all()
    if rows:
        zero = dict.fromkeys(("roi_7d", "roi_30d", "roi_90d", "max_drawdown_30d", "win_rate"), 0)
        op.bulk_insert(
            statistics,
            [
                {
                    "user_id": owner,
                    "account_id": account,
                    **zero,
                    "average_hold_seconds": 0,
                    "closed_positions_90d": 0,
                    "as_of": None,
                    "refresh_at": due,
                }
                for owner, account in rows
            ],
        )


def downgrade() -> None:
    schema = _schema()
    op.drop_index(f"ix_{TABLE}_refresh_at", table_name=TABLE, schema=schema)
    for name in reversed(SORTS):
        op.drop_index(f"ix_{TABLE}_{name}", table_name=TABLE, schema=schema)
    op.drop_table(TABLE, schema=schema)
    with op.batch_alter_table("copytrading_closed_positions", schema=schema) as batch_op:
        batch_op.drop_column("sequence")
