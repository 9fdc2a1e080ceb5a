"""Helpers for social's integration tests: traders signed up through the bus, and the
social commands and reads they use."""

from __future__ import annotations

from typing import Any

from astratrade.platform import Platform
from astratrade.shared.messages import Command
from astratrade.social.domain.rules import DEFAULT_RULES
from astratrade.users.domain.commands import RegisterUser

RULES = DEFAULT_RULES


async def sign_up(platform: Platform, *names: str) -> dict[str, str]:
    """Register each; their profiles open from the sign-up events. user id by name."""
    ids = {}
    for name in names:
        user = await platform.bus.execute(
            RegisterUser(email=f"{name}@example.com", username=name, password="correct horse")
        )
        ids[name] = user.user_id
    await platform.backbone.drain()
    return ids


async def do(platform: Platform, command: Command) -> Any:
    result = await platform.bus.execute(command)
    await platform.backbone.drain()
    return result


def later(platform: Platform, seconds: float = 1) -> None:
    platform.clock.advance(seconds)  # type: ignore[attr-defined]
