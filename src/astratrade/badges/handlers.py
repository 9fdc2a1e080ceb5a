"""Badges' use cases: an admin withdrawing the achievement behind a badge.

Gamification has no event for a withdrawn achievement (achievements are awarded once and
kept), so the withdrawal is decided here, by an admin, for the badge: its credential turns
`revoked` in the status list; gamification's XP and achievements are not touched."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from astratrade.badges.domain.badges import Badge
from astratrade.badges.domain.commands import RevokeBadge
from astratrade.badges.domain.revocation import BadgeRevocation
from astratrade.badges.ports import BadgesUnitOfWork
from astratrade.shared.clock import Clock
from astratrade.shared.errors import NotFound


@dataclass(frozen=True, slots=True)
class Tools:
    new_uow: Callable[[], BadgesUnitOfWork]
    clock: Clock


async def revoke(command: RevokeBadge, tools: Tools) -> Badge:
    """Revoke the badge; return it as it stands now (the read model follows the event)."""
    async with tools.new_uow() as uow:
        badge = await uow.badge(command.token_id)
        if badge is None:
            raise NotFound(f"no badge with token id {command.token_id}")
        revocation = BadgeRevocation(badge)
        revocation.revoke(command.reason, command.admin_id)
        uow.track(revocation)
        await uow.commit()
    return dataclasses.replace(
        badge, revoked_at=tools.clock.now(), revoked_reason=command.reason.strip()
    )
