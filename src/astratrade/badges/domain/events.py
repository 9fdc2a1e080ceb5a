"""Badges' events. Issuing a badge records no event of its own: a badge is gamification's
AchievementUnlocked seen through this context (its projection rebuilds every badge from the
audit log). Withdrawing one is a decision made here, so it is a fact of this context."""

from __future__ import annotations

from dataclasses import dataclass

from astratrade.shared.messages import Event


@dataclass(frozen=True, kw_only=True)
class BadgeEvent(Event):
    context = "badges"


@dataclass(frozen=True, kw_only=True)
class BadgeRevoked(BadgeEvent):
    """An admin withdrew the achievement behind the badge: its credential's status turns
    `revoked` in its holder's status list; the token id is never given to another badge."""

    token_id: str  # decimal: a uint256 does not fit JSON's safe integers
    user_id: str
    achievement: str
    reason: str
    revoked_by: str
