"""Helpers for tests that drive a whole platform."""

from __future__ import annotations

from decimal import Decimal

from astratrade.financial.reconciliation import Report, reconciliation
from astratrade.platform import Platform
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.domain.prices import Quote
from astratrade.trading.engine import TradingEngine
from astratrade.trading.views import collateral_by_account
from astratrade.users.domain.commands import RegisterUser


async def new_trader(platform: Platform, name: str) -> tuple[str, str]:
    """Register through the bus; return (user id, practice account id)."""
    user = await platform.bus.execute(
        RegisterUser(email=f"{name}@example.com", username=name, password="correct horse")
    )
    await platform.backbone.drain()
    ids = await platform.port(TradingEngine).run(
        lambda uow: uow.accounts.ids_of_owner(user.user_id)
    )
    return user.user_id, ids[0]


def market_order(
    owner: str, account: str, size: str = "0.1", side: Side = Side.BUY, market: str = "BTC-USD"
) -> PlaceOrder:
    """A market order of the trader's account."""
    return PlaceOrder(
        owner_id=owner,
        account_id=account,
        market=market,
        side=side,
        type=OrderType.MARKET,
        size=Decimal(size),
    )


async def set_mark(platform: Platform, market: str, mark: str, index: str | None = None) -> None:
    quote = Quote(market, Decimal(mark), Decimal(index or mark), platform.clock.now())
    await platform.port(TradingEngine).on_quotes([quote])


async def round_trip(
    platform: Platform, owner: str, account: str, exit_mark: str, size: str = "1"
) -> None:
    """Buy `size` ETH at about 3000 and sell it at about `exit_mark`; wait for the events."""
    await set_mark(platform, "ETH-USD", "3000")
    for side in (Side.BUY, Side.SELL):
        await platform.bus.execute(
            PlaceOrder(
                owner_id=owner,
                account_id=account,
                market="ETH-USD",
                side=side,
                type=OrderType.MARKET,
                size=Decimal(size),
            )
        )
        await set_mark(platform, "ETH-USD", exit_mark)
    await platform.backbone.drain()


async def reconcile(platform: Platform) -> Report:
    """The ledger proved against trading's collateral in the platform's database."""
    db = platform.read_db
    return await reconciliation(db, lambda: collateral_by_account(db))
