"""Automatic items from gamification's and copy trading's events, each in the trader's
name unless they opted out of its kind (domain/automatic.py says which events never post)."""

from __future__ import annotations

import logging
from datetime import datetime

from astratrade.shared.messages import Envelope
from astratrade.social.domain.automatic import (
    Item,
    achievement_item,
    item_id,
    leading_item,
    level_item,
    podium_item,
)
from astratrade.social.domain.posts import Post
from astratrade.social.domain.profiles import AutomaticItems
from astratrade.social.ports import SocialUnitOfWork

logger = logging.getLogger(__name__)

AUTOMATIC_EVENTS = ("AchievementUnlocked", "LevelReached", "TournamentFinished")  # gamification's
LEADING_EVENTS = ("LeaderOptedIn",)  # copy trading's


async def post_items(envelope: Envelope, uow: SocialUnitOfWork, at: datetime) -> list[Post]:
    """The items this event makes (none if opted out), committed with the
    delivery's tracking row; each item's id derives from the event, so it posts once."""
    async with uow:
        posted = []
        for user_id, item in await _items(envelope, uow):
            profile = await uow.profiles.get(user_id)
            if profile is None:  # never signed up here (an old event replayed): no one to post as
                logger.warning("no profile for %s: automatic item skipped", user_id)
                continue
            post_id = item_id(envelope.event_id, user_id)
            if await uow.posts.get(post_id) is not None:
                continue
            post = Post.automatic(post_id, user_id, item.kind, item.text, item.details, at)
            uow.posts.add(post)
            posted.append(post)
        await uow.commit()
        return posted


async def _items(envelope: Envelope, uow: SocialUnitOfWork) -> list[tuple[str, Item]]:
    data = envelope.payload
    found: list[tuple[str, Item | None]] = []
    if envelope.type == "AchievementUnlocked":
        user_id = str(data["user_id"])
        allowed = await _allowed(uow, user_id)
        found.append((user_id, achievement_item(str(data["achievement"]), allowed)))
    elif envelope.type == "LevelReached":
        user_id = str(data["user_id"])
        found.append((user_id, level_item(int(data["level"]), await _allowed(uow, user_id))))
    elif envelope.type == "TournamentFinished":
        tournament_id = str(data["tournament_id"])
        name = await uow.facts.tournament_name(tournament_id)
        for place, user_id in enumerate(map(str, data["podium"]), start=1):
            allowed = await _allowed(uow, user_id)
            found.append((user_id, podium_item(place, tournament_id, name, allowed)))
    elif envelope.type == "LeaderOptedIn":
        user_id = str(data["leader_id"])
        found.append((user_id, leading_item(await _allowed(uow, user_id))))
    return [(user_id, item) for user_id, item in found if item is not None]


async def _allowed(uow: SocialUnitOfWork, user_id: str) -> AutomaticItems:
    profile = await uow.profiles.get(user_id)
    return AutomaticItems() if profile is None else profile.automatic
