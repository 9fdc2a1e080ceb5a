"""Live orders at their edges: every refusal names its field and says, word for word, what
the trader reads; sizes, prices and leverage exactly at the venue's limits are taken and just
past them refused; and the order kept for the venue carries every field it was given."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fakes import START

from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import InvalidOrder, OrderRejected
from astratrade.trading.domain.live_orders import (
    VenueMarketRules,
    VenueRefused,
    check_live_order,
    live_order,
)
from astratrade.trading.domain.orders import Order, OrderStatus, OrderType, Side, TimeInForce

# The venue's own name differs from ours, so a message that names the market shows whose.
RULES = VenueMarketRules(
    market="ETH-USD",
    venue_market="ETH-USD-PERP",
    min_size=Decimal("0.01"),
    size_step=Decimal("0.001"),
    tick=Decimal("0.05"),
    max_leverage=Decimal(25),
)
FITS = Decimal("0.5")  # a size the venue takes
LEVERAGE, UNLOCKED = Decimal(5), Decimal(10)  # well within both caps


def command(**changes: object) -> PlaceOrder:
    """A market buy the venue would take, changed as the case needs."""
    values: dict[str, object] = {
        "owner_id": "u1",
        "account_id": "live-1",
        "market": "ETH-USD",
        "side": Side.BUY,
        "type": OrderType.MARKET,
        "size": FITS,
    }
    return PlaceOrder(**(values | changes))  # type: ignore[arg-type]


def limit(price: Decimal | None, **changes: object) -> PlaceOrder:
    return command(type=OrderType.LIMIT, price=price, **changes)


def refusal(cmd: PlaceOrder) -> InvalidOrder:
    with pytest.raises(InvalidOrder) as refused:
        check_live_order(cmd, RULES, LEVERAGE, UNLOCKED)
    return refused.value


@pytest.mark.parametrize(
    ("cmd", "field", "message"),
    [
        (
            command(type=OrderType.STOP_LOSS, trigger_price=Decimal(1000)),
            "type",
            "live accounts take market and limit orders only",
        ),
        (
            command(type=OrderType.TAKE_PROFIT, trigger_price=Decimal(3000)),
            "type",
            "live accounts take market and limit orders only",
        ),
        (
            command(trigger_price=Decimal(1000)),
            "trigger_price",
            "live accounts take no trigger orders yet",
        ),
        (
            limit(Decimal(2000), trigger_price=Decimal(1000)),
            "trigger_price",
            "live accounts take no trigger orders yet",
        ),
        (
            command(size=Decimal("0.009")),
            "size",
            "ETH-USD-PERP takes at least 0.01 on Extended",
        ),
        (command(size=Decimal("0.0105")), "size", "must be a multiple of 0.001 on Extended"),
        (limit(None), "price", "price is required for a limit order"),
        (limit(Decimal("2000.01")), "price", "must be a positive multiple of 0.05 on Extended"),
        (limit(Decimal(0)), "price", "must be a positive multiple of 0.05 on Extended"),
        (limit(Decimal("-0.05")), "price", "must be a positive multiple of 0.05 on Extended"),
        (command(price=Decimal(2000)), "price", "price is only for limit orders"),
    ],
)
def test_each_refusal_names_its_field_and_tells_the_trader_why(
    cmd: PlaceOrder, field: str, message: str
) -> None:
    refused = refusal(cmd)
    assert (refused.field, refused.message, str(refused)) == (field, message, message)


def test_the_venues_minimum_size_is_itself_taken_and_a_step_below_it_refused() -> None:
    check_live_order(command(size=RULES.min_size), RULES, LEVERAGE, UNLOCKED)
    check_live_order(limit(Decimal("2000.05"), size=RULES.min_size), RULES, LEVERAGE, UNLOCKED)
    below = refusal(command(size=RULES.min_size - RULES.size_step))
    assert below.field == "size"


def test_sizes_on_the_step_and_prices_on_the_tick_are_taken() -> None:
    for size in (Decimal("0.011"), Decimal("1.237"), Decimal(3)):
        for price in (RULES.tick, Decimal("1999.95"), Decimal(2000)):
            check_live_order(limit(price, size=size), RULES, LEVERAGE, UNLOCKED)


def leverage_refusal(leverage: Decimal, unlocked: Decimal) -> str:
    with pytest.raises(OrderRejected) as refused:
        check_live_order(command(), RULES, leverage, unlocked)
    assert type(refused.value) is OrderRejected  # not a validation error: the order is well made
    return refused.value.message


@pytest.mark.parametrize(
    ("unlocked", "cap"),
    [
        (Decimal(10), Decimal(10)),  # the trader has unlocked less than the venue allows
        (Decimal(100), Decimal(25)),  # the venue allows less than the trader has unlocked
        (Decimal(25), Decimal(25)),
    ],
)
def test_leverage_up_to_the_lower_cap_is_taken_and_above_it_refused_naming_both(
    unlocked: Decimal, cap: Decimal
) -> None:
    check_live_order(command(), RULES, cap, unlocked)
    above = cap + Decimal("0.5")
    assert leverage_refusal(above, unlocked) == (
        f"leverage {above}x in ETH-USD is above {cap}x "
        "(the lower of your unlocked leverage and Extended's cap); lower it first"
    )


def test_a_leverage_message_shows_plain_numbers() -> None:
    assert leverage_refusal(Decimal("1.2E+1"), Decimal("1E+1")) == (
        "leverage 12x in ETH-USD is above 10x "
        "(the lower of your unlocked leverage and Extended's cap); lower it first"
    )


def expected(cmd: PlaceOrder, time_in_force: TimeInForce) -> Order:
    return Order(
        id="o-7",
        account_id="live-1",
        market="ETH-USD",
        side=cmd.side,
        type=cmd.type,
        size=cmd.size,
        price=cmd.price,
        trigger_price=None,
        reduce_only=True,
        time_in_force=time_in_force,
        client_order_id="c-7",
        created_at=START,
        status=OrderStatus.PENDING,
        updated_at=START,
    )


@pytest.mark.parametrize(
    ("cmd", "time_in_force"),
    [
        (command(side=Side.SELL, reduce_only=True, client_order_id="c-7"), TimeInForce.IOC),
        (limit(Decimal("2000.05"), reduce_only=True, client_order_id="c-7"), TimeInForce.GTC),
    ],
)
def test_the_order_kept_for_the_venue_is_pending_with_every_field_of_the_command(
    cmd: PlaceOrder, time_in_force: TimeInForce
) -> None:
    order = live_order(cmd, "o-7", START)
    assert order == expected(cmd, time_in_force)
    # Field by field too, so a failure says which one went astray.
    assert (order.market, order.price, order.reduce_only) == ("ETH-USD", cmd.price, True)
    assert (order.time_in_force, order.status) == (time_in_force, OrderStatus.PENDING)
    assert order.created_at == order.updated_at == START
    assert (order.trigger_price, order.filled_size, order.fills) == (None, Decimal(0), [])


def test_a_market_order_lives_only_as_long_as_the_venue_can_fill_it_and_a_limit_rests() -> None:
    market = live_order(command(), "o-1", START)
    resting = live_order(limit(Decimal(2000)), "o-2", START)
    assert (market.time_in_force, resting.time_in_force) == (TimeInForce.IOC, TimeInForce.GTC)
    assert (market.price, resting.price, market.reduce_only) == (None, Decimal(2000), False)


def test_a_venue_refusal_keeps_the_venues_code_and_words() -> None:
    refused = VenueRefused(1101, "Invalid StarkEx signature")
    assert refused.venue_code == 1101
    assert refused.message == "Extended refused the order (1101): Invalid StarkEx signature"
    assert (refused.code, refused.kind) == ("venue_refused", "rejected")
