"""Live accounts open only to traders with level 3 earned in practice and a passed KYC
check, both known to trading from other contexts' events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from trading_platform import new_trader, round_trip

from astratrade.platform import Platform
from astratrade.shared.errors import Forbidden
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import OpenLiveAccount, PlaceOrder
from astratrade.trading.domain.errors import VenueUnavailable
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.users.domain.commands import SetKyc


async def ten_practice_closes(platform: Platform, owner: str, account: str) -> None:
    """500 XP: 10 x 10 per close, a 50 streak bonus, FIRST_TRADE and TRADER_NOVICE."""
    for _ in range(10):
        await round_trip(platform, owner, account, "3000", size="0.1")


async def test_live_needs_a_practice_level_and_kyc(platform: Platform) -> None:
    owner, practice = await new_trader(platform, "vic")
    with pytest.raises(Forbidden, match="reach level 3 in practice and pass the KYC check"):
        await platform.bus.execute(OpenLiveAccount(owner_id=owner))

    await ten_practice_closes(platform, owner, practice)
    with pytest.raises(Forbidden, match="pass the KYC check"):
        await platform.bus.execute(OpenLiveAccount(owner_id=owner))

    await platform.bus.execute(SetKyc(user_id=owner, kyc=True))
    await platform.backbone.drain()
    live = await platform.bus.execute(OpenLiveAccount(owner_id=owner))
    assert (live.kind, live.currency, live.collateral) == (AccountKind.LIVE, "USDC", 0)
    again = await platform.bus.execute(OpenLiveAccount(owner_id=owner))
    assert again.id == live.id

    with pytest.raises(VenueUnavailable):
        await platform.bus.execute(
            PlaceOrder(
                owner_id=owner,
                account_id=live.id,
                market="ETH-USD",
                side=Side.BUY,
                type=OrderType.MARKET,
                size=Decimal("0.1"),
            )
        )


async def test_kyc_withdrawn_closes_the_gate_again(platform: Platform) -> None:
    owner, practice = await new_trader(platform, "wes")
    await ten_practice_closes(platform, owner, practice)
    for verified in (True, False):
        await platform.bus.execute(SetKyc(user_id=owner, kyc=verified))
    await platform.backbone.drain()
    with pytest.raises(Forbidden, match="KYC"):
        await platform.bus.execute(OpenLiveAccount(owner_id=owner))
