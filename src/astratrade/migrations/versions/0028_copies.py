"""copytrading: the copies, each copy's decisions in order, the traders' plans, and each
leader's copies added up

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 05:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
_DECIMAL = astratrade.infrastructure.types.ExactDecimal


def _schema() -> str | None:
    return "copytrading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "copytrading_copies",
        sa.Column("copy_id", sa.String(length=36), nullable=False),
        sa.Column("copier_id", sa.String(length=36), nullable=False),
        sa.Column("leader_id", sa.String(length=36), nullable=False),
        sa.Column("source_account_id", sa.String(length=36), nullable=False),
        sa.Column("copy_account_id", sa.String(length=36), nullable=False),
        sa.Column("leader_account_id", sa.String(length=36), nullable=False),
        sa.Column("allocation", _DECIMAL(), nullable=False),
        sa.Column("max_loss", _DECIMAL(), nullable=False),
        sa.Column("profit_share", _DECIMAL(), nullable=False),
        sa.Column("started_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("stop_reason", sa.String(length=20), nullable=True),
        sa.Column("closed_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("funded", sa.Boolean(), nullable=False),
        sa.Column("followed", sa.String(length=400), nullable=False),
        sa.Column("high_water_mark", _DECIMAL(), nullable=False),
        sa.Column("profit_share_paid", _DECIMAL(), nullable=False),
        sa.Column("profit_share_earned", _DECIMAL(), nullable=False),
        sa.Column("returned", _DECIMAL(), nullable=True),
        sa.Column("last_settled_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("copy_id", name=op.f("pk_copytrading_copies")),
        sa.UniqueConstraint("copy_account_id", name=op.f("uq_copytrading_copies_copy_account_id")),
        schema=schema,
    )
    for name, columns in (
        ("copier", ["copier_id", "started_at", "copy_id"]),
        ("leader", ["leader_id", "status"]),
        ("status", ["status", "last_settled_at"]),
    ):
        op.create_index(
            f"ix_copytrading_copies_{name}", "copytrading_copies", columns, schema=schema
        )
    op.create_table(
        "copytrading_copy_decisions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("copy_id", sa.String(length=36), nullable=False),
        sa.Column("at", _MOMENT(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("market", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=True),
        sa.Column("side", sa.String(length=4), nullable=True),
        sa.Column("size", _DECIMAL(), nullable=True),
        sa.Column("leverage", _DECIMAL(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.String(length=400), nullable=True),
        sa.Column("leader_fill_id", sa.String(length=36), nullable=True),
        sa.Column("leader_fill_size", _DECIMAL(), nullable=True),
        sa.Column("leader_fill_price", _DECIMAL(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_copytrading_copy_decisions")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_copytrading_copy_decisions_decision_id")),
        schema=schema,
    )
    op.create_index(
        "ix_copytrading_copy_decisions_copy",
        "copytrading_copy_decisions",
        ["copy_id", "seq"],
        schema=schema,
    )
    op.create_table(
        "copytrading_plans",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("plan", sa.String(length=20), nullable=False),
        sa.Column("copy_trading_slots", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_copytrading_plans")),
        schema=schema,
    )

    held = op.create_table(
        "copytrading_leader_copies",
        sa.Column("leader_id", sa.String(length=36), nullable=False),
        sa.Column("copiers", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.BigInteger(), nullable=False),
        sa.Column("profit_share_earned", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("leader_id", name=op.f("pk_copytrading_leader_copies")),
        schema=schema,
    )
    for name in HELD:
        op.create_index(
            f"ix_copytrading_leader_copies_{name}",
            "copytrading_leader_copies",
            [sa.text(f"{name} DESC"), "leader_id"],
            schema=schema,
        )
    # Every leader known so far: no copies yet.
    known = sa.table("copytrading_leaders", sa.column("user_id"), schema=schema)
    rows = op.get_bind().execute(sa.select(known.c.user_id)).all()
    if rows:
        zero = dict.fromkeys(HELD, 0)
        op.bulk_insert(held, [{"leader_id": user_id, **zero} for (user_id,) in rows])


HELD = ("copiers", "allocated", "profit_share_earned")


def downgrade() -> None:
    schema = _schema()
    for name in HELD:
        op.drop_index(
            f"ix_copytrading_leader_copies_{name}",
            table_name="copytrading_leader_copies",
            schema=schema,
        )
    op.drop_table("copytrading_leader_copies", schema=schema)
    op.drop_table("copytrading_plans", schema=schema)
    op.drop_index(
        "ix_copytrading_copy_decisions_copy",
        table_name="copytrading_copy_decisions",
        schema=schema,
    )
    op.drop_table("copytrading_copy_decisions", schema=schema)
    for name in ("status", "leader", "copier"):
        op.drop_index(
            f"ix_copytrading_copies_{name}", table_name="copytrading_copies", schema=schema
        )
    op.drop_table("copytrading_copies", schema=schema)
