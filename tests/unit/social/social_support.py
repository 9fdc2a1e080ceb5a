"""Shared figures for social's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from astratrade.social.domain.profiles import Profile
from astratrade.social.domain.rules import DEFAULT_RULES, Visibility

RULES = DEFAULT_RULES
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARKETS = ("BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD")


def profile(user_id: str, *, private: bool = False) -> Profile:
    visibility = Visibility.PRIVATE if private else Visibility.PUBLIC
    return Profile(user_id, username=user_id, created_at=START, visibility=visibility)


def event_types(aggregate: object) -> list[str]:
    return [type(e).__name__ for e in aggregate.pending_events]  # type: ignore[attr-defined]
