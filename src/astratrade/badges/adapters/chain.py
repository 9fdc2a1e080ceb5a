"""Badges' chain adapters, chosen by settings (ASTRATRADE_BADGE_CHAIN)."""

from __future__ import annotations

from astratrade.badges.ports import Chain
from astratrade.config import Settings
from astratrade.shared.errors import Unavailable


class NoChain:
    """No network configured: nothing is minted, and every read says so."""

    name = "none"
    configured = False

    async def mint(self, to: str, token_id: int) -> str:
        raise Unavailable(f"no chain is configured: badge {token_id} stays off-chain")

    async def owner_of(self, token_id: int) -> str | None:
        return None


def chain_from(name: str, settings: Settings | None = None) -> Chain:
    if name == "none":
        return NoChain()
    if name == "starknet" and settings is not None:
        missing = [
            f"ASTRATRADE_BADGE_STARKNET_{field.upper()}"
            for field in ("rpc_url", "account", "private_key", "contract")
            if not getattr(settings, f"badge_starknet_{field}")
        ]
        if missing:
            raise ValueError(f"ASTRATRADE_BADGE_CHAIN=starknet needs {', '.join(missing)}")
        from astratrade.badges.adapters.starknet import StarknetChain

        return StarknetChain(
            rpc_url=str(settings.badge_starknet_rpc_url),
            chain_id=settings.badge_starknet_chain_id,
            account=str(settings.badge_starknet_account),
            private_key=str(settings.badge_starknet_private_key),
            contract=str(settings.badge_starknet_contract),
            check_interval=settings.badge_starknet_check_seconds,
        )
    raise ValueError(f"badge chain must be one of: none, starknet; got {name!r}")
