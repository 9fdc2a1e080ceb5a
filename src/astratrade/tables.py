"""Imports every context's table module, so the shared metadata knows all tables."""

from astratrade.analytics.adapters import platform_tables as analytics_platform_tables
from astratrade.analytics.adapters import tables as analytics_tables
from astratrade.badges.adapters import tables as badges_tables
from astratrade.copytrading.adapters import tables as copytrading_tables
from astratrade.financial.adapters import tables as financial_tables
from astratrade.gamification.adapters import tables as gamification_tables
from astratrade.infrastructure import event_store, shard_leases, tracking
from astratrade.social.adapters import tables as social_tables
from astratrade.trading.adapters import tables as trading_tables
from astratrade.users.adapters import tables as users_tables

__all__ = [
    "analytics_platform_tables",
    "analytics_tables",
    "badges_tables",
    "copytrading_tables",
    "event_store",
    "financial_tables",
    "gamification_tables",
    "shard_leases",
    "social_tables",
    "tracking",
    "trading_tables",
    "users_tables",
]
