"""Live orders through the platform's Extended adapter against the local stand-in: signed
with the SDK, verified there against the sub-account's key, matched at its mark; a retry
of an external id is one order; a forged signature is refused with the venue's code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from x10.models.order import OrderStatus

from astratrade.trading.adapters.extended_accounts import stark_public_key
from astratrade.trading.adapters.extended_orders import ExtendedOrders
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.live_orders import VenueRefused, live_order
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.domain.venue_link import VenueLink
from extended_book import BAD_SIGNATURE
from extended_exchange import ExtendedStandIn

PRIVATE = 0x5A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F
PUBLIC = stark_public_key(PRIVATE)
API_KEY = "stand-in-orders-key-01"
AT = datetime(2026, 12, 6, tzinfo=UTC)
NAMES = {"BTC-USD": "BTC-USD", "ETH-USD": "ETH-USD"}


@pytest.fixture
async def stand_in() -> AsyncIterator[ExtendedStandIn]:
    venue = await ExtendedStandIn().start()
    venue.add_account(API_KEY, account_id=77, vault=900_001, public_key=PUBLIC)
    yield venue
    await venue.stop()


def link(private_key: int = PRIVATE) -> VenueLink:
    return VenueLink(
        account_id="acc-live",
        owner_id="u1",
        vault_id=900_001,
        public_key=PUBLIC,
        venue_account_id=77,
        connected_at=AT,
        api_key=API_KEY,
        private_key=private_key,
    )


def order(kind: OrderType, size: str, price: str | None = None, cid: str = "c-1") -> PlaceOrder:
    return PlaceOrder(
        owner_id="u1",
        account_id="acc-live",
        market="ETH-USD",
        side=Side.BUY,
        type=kind,
        size=Decimal(size),
        price=Decimal(price) if price else None,
        client_order_id=cid,
    )


async def test_orders_fill_rest_cancel_and_are_never_doubled(stand_in: ExtendedStandIn) -> None:
    venue = ExtendedOrders(stand_in.api_url, NAMES)
    rules = await venue.market_rules("ETH-USD")
    assert (rules.min_size, rules.tick, rules.max_leverage) == (
        Decimal("0.0001"),
        Decimal("0.1"),
        Decimal(50),
    )
    account = stand_in.book.accounts[API_KEY]

    market = live_order(order(OrderType.MARKET, "0.5"), "o-1", AT)
    await venue.place(link(), market)
    await venue.place(link(), market)  # a retry: Extended already has the external id
    assert len(account.trades) == 1
    assert account.orders["c-1"].status == OrderStatus.FILLED
    assert account.holdings["ETH-USD"].size == Decimal("0.5")

    resting = live_order(order(OrderType.LIMIT, "0.2", "1000.0", "c-2"), "o-2", AT)
    await venue.place(link(), resting)
    assert account.orders["c-2"].status == OrderStatus.NEW
    await venue.cancel(link(), resting)
    assert account.orders["c-2"].status == OrderStatus.CANCELLED

    again = live_order(order(OrderType.LIMIT, "0.2", "1000.0", "c-3"), "o-3", AT)
    await venue.place(link(), again)
    await venue.cancel_all(link())
    assert account.orders["c-3"].status == OrderStatus.CANCELLED


async def test_a_forged_signature_is_refused_with_the_venues_code(
    stand_in: ExtendedStandIn,
) -> None:
    venue = ExtendedOrders(stand_in.api_url, NAMES)
    forged = link(private_key=0x1234567)  # signs with a key that is not the sub-account's
    with pytest.raises(VenueRefused) as refused:
        await venue.place(forged, live_order(order(OrderType.MARKET, "0.5"), "o-9", AT))
    assert refused.value.venue_code == BAD_SIGNATURE
    assert stand_in.book.accounts[API_KEY].orders == {}
