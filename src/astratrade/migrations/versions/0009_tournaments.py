"""tournaments

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 07:28:07.187672

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _gamification_tournament_entries()
    _gamification_tournament_results()
    _gamification_tournament_standings()
    _gamification_tournaments()


def _gamification_tournament_entries() -> None:
    op.create_table(
        "gamification_tournament_entries",
        sa.Column("tournament_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column(
            "joined_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "tournament_id", "user_id", name=op.f("pk_gamification_tournament_entries")
        ),
        sa.UniqueConstraint(
            "account_id", name=op.f("uq_gamification_tournament_entries_account_id")
        ),
    )


def _gamification_tournament_results() -> None:
    op.create_table(
        "gamification_tournament_results",
        sa.Column("tournament_id", sa.String(length=36), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("score", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("closes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tournament_id", "rank", name=op.f("pk_gamification_tournament_results")
        ),
    )


def _gamification_tournament_standings() -> None:
    op.create_table(
        "gamification_tournament_standings",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("tournament_id", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column(
            "starting_capital", astratrade.infrastructure.types.ExactDecimal(), nullable=True
        ),
        sa.Column(
            "ends_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("collateral", astratrade.infrastructure.types.ExactDecimal(), nullable=True),
        sa.Column("closes", sa.Integer(), nullable=False),
        sa.Column("score", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column(
            "reached_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_gamification_tournament_standings")),
    )
    with op.batch_alter_table("gamification_tournament_standings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gamification_tournament_standings_tournament_id"),
            ["tournament_id"],
            unique=False,
        )


def _gamification_tournaments() -> None:
    op.create_table(
        "gamification_tournaments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("markets", sa.JSON(), nullable=False),
        sa.Column(
            "starts_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "ends_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "starting_capital", astratrade.infrastructure.types.ExactDecimal(), nullable=False
        ),
        sa.Column("max_entrants", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("entrants", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gamification_tournaments")),
    )
    with op.batch_alter_table("gamification_tournaments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gamification_tournaments_ends_at"), ["ends_at"], unique=False
        )

    with op.batch_alter_table("trading_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("markets", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "opens_at",
                astratrade.infrastructure.types.UtcDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "closes_at",
                astratrade.infrastructure.types.UtcDateTime(timezone=True),
                nullable=True,
            )
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    """Downgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("trading_accounts", schema=None) as batch_op:
        batch_op.drop_column("closes_at")
        batch_op.drop_column("opens_at")
        batch_op.drop_column("markets")

    with op.batch_alter_table("gamification_tournaments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gamification_tournaments_ends_at"))

    op.drop_table("gamification_tournaments")
    with op.batch_alter_table("gamification_tournament_standings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gamification_tournament_standings_tournament_id"))

    op.drop_table("gamification_tournament_standings")
    op.drop_table("gamification_tournament_results")
    op.drop_table("gamification_tournament_entries")
    # ### end Alembic commands ###
