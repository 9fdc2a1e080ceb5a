"""Copy trading's tables (in the `copytrading` schema on PostgreSQL): its leaders, and its
read models of other contexts' events (each trader's name, level, practice account and its
closed positions, the blocks between traders), from which eligibility and leader
statistics are read."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# Its PostgreSQL schema (on SQLite, which has none, the plain table names).
SCHEMA = "copytrading"

leaders = Table(
    "copytrading_leaders",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("profit_share", ExactDecimal, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_copytrading_leaders_active", "active", "user_id"),
    schema=SCHEMA,
)

# Read model: each trader's username, from users' sign-ups (what a directory shows and
# GET /leaders/{username} looks up).
traders = Table(
    "copytrading_traders",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("username", String(40), nullable=False),
    Column("username_key", String(40), nullable=False, unique=True),  # lower case
    schema=SCHEMA,
)

# Read model: each trader's level, as gamification announces it.
levels = Table(
    "copytrading_levels",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("level", Integer, nullable=False),
    schema=SCHEMA,
)

# Read model: each trader's practice account and its last liquidation, from trading.
practice_accounts = Table(
    "copytrading_practice_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, unique=True),
    Column("last_liquidation_at", UtcDateTime),
    schema=SCHEMA,
)

# Read model: the blocks between traders, from social: a block hides each from the other
# here too (neither finds the other among leaders).
blocks = Table(
    "copytrading_blocks",
    metadata,
    Column("blocker_id", String(36), primary_key=True),
    Column("blocked_id", String(36), primary_key=True),
    Index("ix_copytrading_blocks_blocked", "blocked_id", "blocker_id"),
    schema=SCHEMA,
)

# Read model: the practice accounts' closed positions, from trading's PositionClosed.
closed_positions = Table(
    "copytrading_closed_positions",
    metadata,
    Column("position_id", String(36), primary_key=True),  # the PositionClosed event's id
    Column("account_id", String(36), nullable=False),
    Column("owner_id", String(36), nullable=False),
    Column("market", String(20), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=False),
    Column("realized_pnl", ExactDecimal, nullable=False),
    Column("equity_at_open", ExactDecimal, nullable=False),
    Column("liquidated", Boolean, nullable=False),
    # The close's place in its account's events: the order of closes at the same moment
    # (a window's capital is its first close's). 0 for closes kept before migration 0026.
    Column("sequence", BigInteger, nullable=False, server_default="0"),
    Index("ix_copytrading_closed_positions_owner", "owner_id", "closed_at", "position_id"),
    schema=SCHEMA,
)

# Read model: each practice account's statistics (domain/statistics.py), kept at each close
# and again when the oldest close of a window leaves it (`refresh_at`), so the directory
# sorts and pages them in SQL. Fractions are held in millionths (they are rounded to 6
# decimals, so exactly), which both databases sort as integers: SQLite holds Decimals as
# text, which would sort "10" before "9".
leader_statistics = Table(
    "copytrading_leader_statistics",
    metadata,
    Column("user_id", String(36), primary_key=True),  # the practice account's owner
    Column("account_id", String(36), nullable=False, unique=True),
    Column("roi_7d", BigInteger, nullable=False),
    Column("roi_30d", BigInteger, nullable=False),
    Column("roi_90d", BigInteger, nullable=False),
    Column("max_drawdown_30d", BigInteger, nullable=False),
    Column("win_rate", BigInteger, nullable=False),
    Column("average_hold_seconds", BigInteger, nullable=False),
    Column("closed_positions_90d", Integer, nullable=False),
    Column("as_of", UtcDateTime),  # the moment they were computed for (None: never)
    # When they next change without a close: a close leaving a window (None: never).
    Column("refresh_at", UtcDateTime),
    # The windows' running sums at as_of (domain/running_statistics.py), so that a new close
    # is added to them; None: taken again from the closes at the next one.
    Column("running", JSON),
    Index("ix_copytrading_leader_statistics_refresh_at", "refresh_at"),
    schema=SCHEMA,
)

# One index a sort, best first, ties by user id (as the directory orders them).
_statistic = leader_statistics.c
for _name, _order in (
    ("roi_7d", _statistic.roi_7d.desc()),
    ("roi_30d", _statistic.roi_30d.desc()),
    ("roi_90d", _statistic.roi_90d.desc()),
    ("max_drawdown_30d", _statistic.max_drawdown_30d),
    ("win_rate", _statistic.win_rate.desc()),
    ("average_hold", _statistic.average_hold_seconds.desc()),
):
    Index(f"ix_copytrading_leader_statistics_{_name}", _order, _statistic.user_id)

# The copies (domain/copies.py): one row a copy, written back with a version check, so a
# stop and a leader fill handled at once cannot both win.
copies = Table(
    "copytrading_copies",
    metadata,
    Column("copy_id", String(36), primary_key=True),
    Column("copier_id", String(36), nullable=False),
    Column("leader_id", String(36), nullable=False),
    Column("source_account_id", String(36), nullable=False),
    Column("copy_account_id", String(36), nullable=False, unique=True),
    Column("leader_account_id", String(36), nullable=False),
    Column("allocation", ExactDecimal, nullable=False),
    Column("max_loss", ExactDecimal, nullable=False),
    Column("profit_share", ExactDecimal, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("stop_reason", String(20)),
    Column("closed_at", UtcDateTime),
    Column("funded", Boolean, nullable=False),
    # The markets whose leader position opened after the start, comma-separated.
    Column("followed", String(400), nullable=False),
    Column("high_water_mark", ExactDecimal, nullable=False),
    Column("profit_share_paid", ExactDecimal, nullable=False),  # charged so far
    # Credited to the leader so far (trading's ProfitShareDebited): what the leader earned.
    Column("profit_share_earned", ExactDecimal, nullable=False),
    Column("returned", ExactDecimal),
    Column("last_settled_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_copytrading_copies_copier", "copier_id", "started_at", "copy_id"),
    Index("ix_copytrading_copies_leader", "leader_id", "status"),
    Index("ix_copytrading_copies_status", "status", "last_settled_at"),
    schema=SCHEMA,
)

# Every decision of a copy, in the order taken (`seq`): what GET /copies/{id}/decisions pages
# newest first by (copy_id, seq).
copy_decisions = Table(
    "copytrading_copy_decisions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(36), nullable=False, unique=True),
    Column("copy_id", String(36), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("market", String(20)),
    Column("action", String(10)),
    Column("side", String(4)),
    Column("size", ExactDecimal),
    Column("leverage", ExactDecimal),
    Column("reason", String(40)),
    Column("detail", String(400)),
    Column("leader_fill_id", String(36)),
    Column("leader_fill_size", ExactDecimal),
    Column("leader_fill_price", ExactDecimal),
    Index("ix_copytrading_copy_decisions_copy", "copy_id", "seq"),
    schema=SCHEMA,
)

# Read model: each trader's plan, from financial's SubscriptionChanged (the copy slots).
plans = Table(
    "copytrading_plans",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("plan", String(20), nullable=False),
    Column("copy_trading_slots", Integer, nullable=False),
    schema=SCHEMA,
)

# Each leader's copies added up, kept as copies open, close and earn (in their commits):
# the directory sorts on them in SQL. Money in millionths (it has 6 decimals, so exactly),
# which both databases add and sort as integers. A row from the leader's first opt-in.
leader_copies = Table(
    "copytrading_leader_copies",
    metadata,
    Column("leader_id", String(36), primary_key=True),
    Column("copiers", Integer, nullable=False),  # copies not closed
    Column("allocated", BigInteger, nullable=False),  # their allocations
    Column("profit_share_earned", BigInteger, nullable=False),  # credited to the leader
    schema=SCHEMA,
)
_held = leader_copies.c
for _name, _column in (
    ("copiers", _held.copiers),
    ("allocated", _held.allocated),
    ("profit_share_earned", _held.profit_share_earned),
):
    Index(f"ix_copytrading_leader_copies_{_name}", _column.desc(), _held.leader_id)
