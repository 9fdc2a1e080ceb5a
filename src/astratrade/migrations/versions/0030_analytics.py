"""analytics: candles (the feed's marks) and their volume (a read model of trading's fills)
in a schema of its own

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 04:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
_DECIMAL = astratrade.infrastructure.types.ExactDecimal
KEY = ("market", "interval", "open_time")


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "analytics" if op.get_bind().dialect.name == "postgresql" else None


def _key_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("open_time", _MOMENT(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    schema = _schema()
    if schema is not None:
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    # The primary key (market, interval, open_time) is also the charts' index: a range of
    # one market's bars of one interval, read newest first.
    op.create_table(
        "analytics_candles",
        *_key_columns(),
        sa.Column("open", _DECIMAL(), nullable=False),
        sa.Column("high", _DECIMAL(), nullable=False),
        sa.Column("low", _DECIMAL(), nullable=False),
        sa.Column("close", _DECIMAL(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_analytics_candles")),
        schema=schema,
    )
    op.create_table(
        "analytics_candle_volumes",
        *_key_columns(),
        sa.Column("volume", _DECIMAL(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_analytics_candle_volumes")),
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    op.drop_table("analytics_candle_volumes", schema=schema)
    op.drop_table("analytics_candles", schema=schema)
    if schema is not None:
        op.execute(f'DROP SCHEMA IF EXISTS "{schema}"')
