"""The practice venue: its markets, marks, rules and ids, the system accounts that take the
other side, and orders built from commands. What an account may place is in `admission`,
how orders fill in `execution`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from astratrade.shared.ids import IdFactory
from astratrade.shared.money import ZERO, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import InvalidOrder
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import Order, OrderType, TimeInForce
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.domain.shards import Shards


@dataclass(slots=True)
class Venue:
    """What every trading decision needs: markets, current marks, rules, time and ids."""

    markets: dict[str, Market]
    quotes: dict[str, Quote]
    rules: TradingRules
    ids: IdFactory
    shards: Shards = field(default_factory=Shards)
    marks: dict[str, Decimal] = field(init=False)
    # Markets whose live feed went quiet: their marks may no longer be true, so nobody is
    # liquidated at them until prices flow again (set by the feed's health).
    stale_markets: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.marks = {market: quote.mark for market, quote in self.quotes.items()}

    def update(self, quote: Quote) -> None:
        self.quotes[quote.market] = quote
        self.marks[quote.market] = quote.mark

    def liquidations_paused_for(self, account: Account) -> bool:
        """Whether one of the account's positions is in a stale market."""
        return bool(self.stale_markets) and not self.stale_markets.isdisjoint(account.positions)

    def market(self, market_id: str, field: str = "market") -> Market:
        market = self.markets.get(market_id)
        if market is None:
            listed = ", ".join(self.markets)
            raise InvalidOrder(field, f"market {market_id!r} is not listed; markets: {listed}")
        return market


@dataclass(frozen=True, slots=True)
class SystemAccounts:
    """The practice venue's system accounts, the other side of every trader's money."""

    house: Account
    insurance: Account


def new_order(cmd: PlaceOrder, venue: Venue, at: datetime, held: Decimal = ZERO) -> Order:
    """Check an order against its market's rules and build it (not yet accepted). `held` is
    the account's position in the market, signed: orders that only reduce it are not capped
    by the order value limits (reducing is always allowed)."""
    market = venue.market(cmd.market)
    market.check_size(cmd.size, closes=_closes_whole(cmd, held))
    mark = venue.marks[market.id]
    tif = cmd.time_in_force or TimeInForce.GTC
    if cmd.type is OrderType.LIMIT:
        if cmd.price is None:
            raise InvalidOrder("price", "price is required for a limit order")
        market.check_price(cmd.price)
        if not cmd.reduce_only:  # it fills at most down to flat: its value never adds
            _check_value(cmd.size * cmd.price, market.max_limit_order_value, "limit")
    elif cmd.price is not None:
        raise InvalidOrder("price", f"price is only for limit orders, not {cmd.type.value}")
    if cmd.type.is_trigger:
        if cmd.trigger_price is None:
            raise InvalidOrder("trigger_price", f"trigger_price is required for {cmd.type.value}")
        market.check_price(cmd.trigger_price, "trigger_price")
    elif cmd.trigger_price is not None:
        raise InvalidOrder("trigger_price", "trigger_price is only for stop_loss and take_profit")
    if cmd.type is not OrderType.LIMIT:
        if not (cmd.reduce_only or cmd.type.is_trigger or _only_reduces_now(cmd, held)):
            _check_value(cmd.size * mark, market.max_market_order_value, "market")
        tif = TimeInForce.IOC if cmd.type is OrderType.MARKET else TimeInForce.GTC
    order = Order(
        id=venue.ids(),
        account_id=cmd.account_id,
        market=market.id,
        side=cmd.side,
        type=cmd.type,
        size=cmd.size,
        price=cmd.price,
        trigger_price=cmd.trigger_price,
        reduce_only=cmd.reduce_only or cmd.type.is_trigger,
        time_in_force=tif,
        client_order_id=cmd.client_order_id,
        created_at=at,
        updated_at=at,
    )
    if order.type.is_trigger and order.is_triggered_by(mark):
        raise InvalidOrder(
            "trigger_price",
            f"trigger_price {plain(cmd.trigger_price or ZERO)} would trigger at once: "
            f"{market.id} mark is {plain(mark)}",
        )
    return order


def _closes_whole(cmd: PlaceOrder, held: Decimal) -> bool:
    """An order for exactly the position, the other way: filled, it leaves it flat."""
    return held * cmd.side.sign < ZERO and cmd.size == abs(held)


def _only_reduces_now(cmd: PlaceOrder, held: Decimal) -> bool:
    """A market order against the position and no larger: it fills at once, so it only
    shrinks the position, whatever its value."""
    return held * cmd.side.sign < ZERO and cmd.size <= abs(held)


def _check_value(value: Decimal, limit: Decimal, kind: str) -> None:
    if value > limit:
        raise InvalidOrder(
            "size", f"order value ${plain(value)} exceeds the ${plain(limit)} {kind} order limit"
        )
