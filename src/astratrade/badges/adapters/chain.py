"""Badges' chain adapters, chosen by settings (ASTRATRADE_BADGE_CHAIN)."""

from __future__ import annotations

from astratrade.badges.ports import Chain
from astratrade.shared.errors import Unavailable


class NoChain:
    """No network configured: nothing is minted, and every read says so."""

    name = "none"
    configured = False

    async def mint(self, to: str, token_id: int) -> str:
        raise Unavailable(f"no chain is configured: badge {token_id} stays off-chain")

    async def owner_of(self, token_id: int) -> str | None:
        return None


def chain_from(name: str) -> Chain:
    if name == "none":
        return NoChain()
    raise ValueError(f"badge chain must be one of: none; got {name!r}")
