"""Automatic items: posts the platform writes in a trader's name for progression worth
telling (an achievement unlocked, a level reached, a tournament podium, starting to lead
copy trading), each kind subject
to the trader's opt-out. Never for a trade's size or for trade count, and never for a
liquidation: achievements that only count trades (FIRST_TRADE, TRADER_NOVICE,
TRADER_EXPERT) post nothing, and TOURNAMENT_PODIUM is told by the podium item itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from astratrade.social.domain.posts import PostKind
from astratrade.social.domain.profiles import AutomaticItems

TRADE_COUNT_ACHIEVEMENTS = frozenset({"FIRST_TRADE", "TRADER_NOVICE", "TRADER_EXPERT"})
TOLD_BY_PODIUM = frozenset({"TOURNAMENT_PODIUM"})
_ITEMS = uuid.UUID("0b7d2d6e-5c39-4f0e-8e43-3a1f6c9e21d4")
_PLACES = {1: "1st", 2: "2nd", 3: "3rd"}


@dataclass(frozen=True, slots=True)
class Item:
    kind: PostKind
    text: str
    details: dict[str, Any]


def item_id(event_id: str, user_id: str) -> str:
    """The item's post id, derived from the event behind it: delivered twice, posted once."""
    return str(uuid.uuid5(_ITEMS, f"{event_id}:{user_id}"))


def achievement_item(achievement: str, allowed: AutomaticItems) -> Item | None:
    if not allowed.achievement or achievement in TRADE_COUNT_ACHIEVEMENTS | TOLD_BY_PODIUM:
        return None
    title = achievement.replace("_", " ").title()
    return Item(
        PostKind.ACHIEVEMENT, f"Unlocked the {title} achievement", {"achievement": achievement}
    )


def level_item(level: int, allowed: AutomaticItems) -> Item | None:
    if not allowed.level or level < 2:
        return None
    return Item(PostKind.LEVEL, f"Reached level {level}", {"level": level})


def podium_item(
    place: int, tournament_id: str, tournament_name: str | None, allowed: AutomaticItems
) -> Item | None:
    if not allowed.podium or place not in _PLACES:
        return None
    name = tournament_name or "a tournament"
    return Item(
        PostKind.PODIUM,
        f"Finished {_PLACES[place]} in {name}",
        {"tournament_id": tournament_id, "place": place},
    )


def leading_item(allowed: AutomaticItems) -> Item | None:
    """Started leading copy trading: the fact only, never the leader's money or share."""
    if not allowed.leading:
        return None
    return Item(PostKind.LEADING, "Started leading copy trading", {})
