"""every context's tables into a PostgreSQL schema of its own; the backbone's into `events`

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00

`ALTER TABLE ... SET SCHEMA` moves a table with its rows, indexes, constraints and the
sequences its columns own, in place: no data is copied. The tables keep their prefixed
names. SQLite has no schemas (its engines translate the names away): nothing to do there.

alembic_version stays where it is (the default schema): Alembic reads it before it knows
which migration to run, so moving it would leave an older deployment looking for it in the
wrong place. It belongs to the migration Job, not to a context.

The tables are listed here rather than read from the metadata: a migration describes the
database as it was at this revision, whatever the code declares later.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {
    "users": (
        "users_users",
        "users_refresh_tokens",
        "users_wallet_challenges",
        "users_wallets",
        "users_login_failures",
        "users_progress",
    ),
    "trading": (
        "trading_accounts",
        "trading_leverage",
        "trading_positions",
        "trading_orders",
        "trading_fills",
        "trading_leverage_limits",
        "trading_plan_limits",
        "trading_live_access",
        "trading_funding",
        "trading_account_activity",
    ),
    "financial": (
        "financial_accounts",
        "financial_entries",
        "financial_postings",
        "financial_faucet_claims",
        "financial_transfers",
        "financial_subscriptions",
    ),
    "gamification": (
        "gamification_traders",
        "gamification_players",
        "gamification_board_scores",
        "gamification_tournaments",
        "gamification_plan_limits",
        "gamification_tournament_entries",
        "gamification_tournament_results",
        "gamification_tournament_standings",
    ),
    "events": ("event_log", "outbox", "outbox_relay_streams", "event_tracking"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for schema, tables in TABLES.items():
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for table in tables:
            # Unqualified: the tables are where the earlier migrations made them, the
            # connection's search path (the default schema).
            op.execute(f'ALTER TABLE "{table}" SET SCHEMA "{schema}"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    home = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    for schema, tables in TABLES.items():
        for table in tables:
            op.execute(f'ALTER TABLE "{schema}"."{table}" SET SCHEMA "{home}"')
        op.execute(f'DROP SCHEMA IF EXISTS "{schema}"')  # refuses if anything else is in it
