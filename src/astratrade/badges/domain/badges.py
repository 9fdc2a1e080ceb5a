"""A badge as every read of it sees it: who earned which achievement, when, at what level,
and whether an admin withdrew it since. Badges are soulbound: nothing here transfers one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from astratrade.badges.domain.catalogue import AchievementCard, card_of


class MintStatus(StrEnum):
    """Where the badge's token stands on chain. Without a configured chain every badge is
    `off_chain`: its credential is all there is (the chain port is a later step)."""

    OFF_CHAIN = "off_chain"
    PENDING = "pending"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Badge:
    token_id: int
    user_id: str
    holder: str  # tokens.holder_key_of(user_id): the public key of its holder
    achievement: str
    earned_at: datetime  # when gamification unlocked the achievement
    level: int  # the holder's level then (before the achievement's own XP)
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @property
    def card(self) -> AchievementCard:
        return card_of(self.achievement)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
