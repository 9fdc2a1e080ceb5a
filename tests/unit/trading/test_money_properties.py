"""Properties of the money rules (docs/trading-rules.md), over the real handlers and the fakes.

(a) conservation: every movement has an equal and opposite leg among trader, house and
    insurance, so the sum of all collateral never changes, through liquidations and
    shortfall cover too;
(b) open-then-close P&L is money(size * (exit - entry)) minus both fees, exactly;
(c) a flat trader never holds negative collateral;
(d) fees are never negative and equal money(notional * rate);
(e) a rejected order changes nothing.

Numbers are drawn as integers scaled to the market's tick and step, never as floats.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fakes import (
    GRANT,
    MARKETS,
    START,
    FakeTradingUnitOfWork,
    Trading,
    quote,
    run,
)
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from astratrade.shared.errors import DomainError
from astratrade.shared.money import money, round_to
from astratrade.trading import handlers
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.events import AccountLiquidated, ShortfallCovered
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import Liquidity, Side
from astratrade.trading.domain.rules import TradingRules

D = Decimal
RULES = TradingRules()
MARKET_IDS = list(MARKETS)
TRADERS = 4
HOUR = timedelta(hours=1)


def deterministic(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- drawing numbers on the grid ---------------------------------------------------------------


def on_tick(market: Market, price: Decimal) -> Decimal:
    return max(round_to(price, market.tick, up=False), market.tick)


def moved(market: Market, mark: Decimal, bp: int) -> Decimal:
    """mark moved by bp basis points, down to the tick (never below one tick)."""
    return on_tick(market, mark * (1 + D(bp) / 10_000))


def size_for(market: Market, notional: int, mark: Decimal) -> Decimal:
    """The size worth about `notional` dollars at mark, on the step, at least the minimum."""
    return max(round_to(D(notional) / mark, market.step, up=False), market.min_size)


def expected_taker_price(market: Market, side: Side, size: Decimal, mark: Decimal) -> Decimal:
    """the trading rules written out: mark * (1 +/- (1 bp + 1 bp per $100k, cap 50 bp)), against the
    trader on the tick."""
    rate = min(D("0.0001") + D("0.0001") * size * mark / 100_000, D("0.005"))
    if side is Side.BUY:
        return round_to(mark * (1 + rate), market.tick, up=True)
    return on_tick(market, mark * (1 - rate))


# -- random sessions --------------------------------------------------------------------------

traders = st.integers(0, TRADERS - 1)
markets = st.sampled_from(MARKET_IDS)
sides = st.sampled_from([Side.BUY, Side.SELL])
# Up to ~11x a grant: some fit only at 10x, some never; many near the leverage in use.
notionals = st.one_of(st.integers(100, 110_000), st.integers(40_000, 99_000))
# Up to +-30% a step, often the whole of it: liquidations and shortfalls must happen.
moves = st.one_of(
    st.integers(-3000, 3000), st.sampled_from([-3000, -2500, -2000, 2000, 2500, 3000])
)

OPERATIONS = {
    "open": st.tuples(st.just("open"), traders),
    "market": st.tuples(st.just("market"), traders, markets, sides, notionals),
    "limit": st.tuples(
        st.just("limit"), traders, markets, sides, notionals, st.integers(-300, 300)
    ),
    "move": st.tuples(st.just("move"), markets, moves),
    "funding": st.tuples(st.just("funding"), markets, st.integers(-1000, 1000)),  # millionths
    "close": st.tuples(st.just("close"), traders, markets),
    "leverage": st.tuples(st.just("leverage"), traders, markets, st.integers(1, 10)),
    "cancel": st.tuples(st.just("cancel"), traders, st.integers(0, 10)),
}
# Weighted toward trading and price moves, the operations that move money.
WEIGHTS = {
    "open": 1,
    "market": 5,
    "limit": 3,
    "move": 5,
    "funding": 2,
    "close": 2,
    "leverage": 2,
    "cancel": 1,
}
operations = st.sampled_from([k for k, w in WEIGHTS.items() for _ in range(w)]).flatmap(
    OPERATIONS.__getitem__
)


class Session:
    """Plays drawn operations against the venue; domain refusals are part of the game."""

    def __init__(self, leverage: Sequence[int] = (), seed: int = 1_000_000) -> None:
        """Traders with a leverage given open at once (at it on every market); the others
        join through "open" operations. `seed` is the insurance fund's."""
        self.trading = Trading(seed=D(seed))
        self.accounts: dict[int, str] = {}
        self.hour = 0
        self.refused = 0
        for trader, lever in enumerate(leverage):
            self.open(trader)
            for market in MARKET_IDS:
                self.leverage(trader, market, lever)

    def mark(self, market: str) -> Decimal:
        return self.trading.venue.marks[market]

    def play(self, op: tuple[Any, ...]) -> None:
        kind, *args = op
        try:
            getattr(self, kind)(*args)
        except DomainError:
            self.refused += 1

    def open(self, trader: int) -> None:
        self.accounts[trader] = self.trading.open(f"trader-{trader}")

    def market(self, trader: int, market: str, side: Side, notional: int) -> None:
        if trader in self.accounts:
            size = size_for(MARKETS[market], notional, self.mark(market))
            self.trading.place(self.accounts[trader], market, side, size)

    def limit(self, trader: int, market: str, side: Side, notional: int, bp: int) -> None:
        if trader in self.accounts:
            price = moved(MARKETS[market], self.mark(market), bp)
            size = size_for(MARKETS[market], notional, price)
            self.trading.place(self.accounts[trader], market, side, size, "limit", price=price)

    def move(self, market: str, bp: int) -> None:
        self.trading.move(market, moved(MARKETS[market], self.mark(market), bp))

    def funding(self, market: str, millionths: int) -> None:
        self.hour += 1
        rate = D(millionths) / 1_000_000
        self.trading.pay_funding({market: rate}, at=START + self.hour * HOUR)

    def close(self, trader: int, market: str) -> None:
        if trader in self.accounts:
            self.trading.close(self.accounts[trader], market)

    def leverage(self, trader: int, market: str, leverage: int) -> None:
        if trader in self.accounts:
            self.trading.set_leverage(self.accounts[trader], market, leverage)

    def cancel(self, trader: int, index: int) -> None:
        if trader in self.accounts:
            orders = list(self.trading.account(self.accounts[trader]).open_orders)
            if orders:
                self.trading.cancel(self.accounts[trader], orders[index % len(orders)])

    def close_everything(self) -> None:
        for account_id in self.accounts.values():
            for market in list(self.trading.account(account_id).positions):
                self.trading.close(account_id, market)

    def traders(self) -> list[Account]:
        return [self.trading.account(a) for a in self.accounts.values()]


leverages = st.lists(st.integers(1, 10), min_size=1, max_size=TRADERS)
# A small fund runs dry, and the house covers the rest of a shortfall.
seeds = st.sampled_from([1_000_000, 2_000, 0])


@deterministic(120)
@given(leverages, seeds, st.lists(operations, min_size=10, max_size=40))
def test_a_conservation_the_sum_of_all_collateral_never_changes(
    leverage: list[int], seed: int, ops: list[tuple]
) -> None:
    session = Session(leverage, seed)
    start = session.trading.total_collateral()
    assert start == 0  # the house funds the insurance seed and every grant
    for op in ops:
        session.play(op)
        assert session.trading.total_collateral() == start, op
    # Steer the search toward sessions with liquidations and shortfalls.
    target(float(len(session.trading.store.events(ShortfallCovered))), label="shortfalls")
    session.close_everything()
    assert session.trading.total_collateral() == start
    parties = [session.trading.house, session.trading.insurance, *session.traders()]
    assert sum((a.collateral for a in parties), D(0)) == start
    # Every balance is a whole number of micro-dollars.
    assert all(a.collateral == money(a.collateral) for a in parties)


@deterministic(25)
@given(leverages, st.lists(operations, min_size=40, max_size=80))
def test_a_conservation_over_long_sessions(leverage: list[int], ops: list[tuple]) -> None:
    session = Session(leverage)
    for op in ops:
        session.play(op)
    session.close_everything()
    assert session.trading.total_collateral() == 0


# -- (b) open then close --------------------------------------------------------------------


@deterministic(150)
@given(
    market_id=markets,
    side=sides,
    notional=st.integers(10, 700_000),
    entry_bp=st.integers(-5000, 5000),
    exit_bp=st.integers(-3000, 3000),
)
def test_b_open_then_close_pnl_is_price_move_minus_both_fees(
    market_id: str, side: Side, notional: int, entry_bp: int, exit_bp: int
) -> None:
    market = MARKETS[market_id]
    entry_mark = moved(market, market.start_price, entry_bp)
    trading = Trading({market_id: entry_mark})
    a = trading.open(grant=D(10_000_000))
    size = size_for(market, notional, entry_mark)
    house = trading.house.collateral
    opened = trading.place(a, market_id, side, size)
    exit_mark = moved(market, entry_mark, exit_bp)
    trading.move(market_id, exit_mark)
    closed = trading.close(a, market_id)

    entry = expected_taker_price(market, side, size, entry_mark)
    exit_ = expected_taker_price(market, side.opposite, size, exit_mark)
    assert opened.fills[0].price == entry
    assert closed.fills[0].price == exit_
    open_fee = money(size * entry * RULES.taker_fee_rate)
    close_fee = money(size * exit_ * RULES.taker_fee_rate)
    pnl = money(size * (exit_ - entry) * side.sign) - open_fee - close_fee
    assert trading.account(a).collateral == D(10_000_000) + pnl
    assert trading.house.collateral == house - pnl
    assert trading.account(a).positions == {}


@deterministic(100)
@given(
    market_id=markets,
    side=sides,
    notional=st.integers(10, 700_000),
    limit_bp=st.integers(1, 2000),
    exit_bp=st.integers(-3000, 3000),
)
def test_b_maker_open_then_taker_close_pays_only_the_close_fee(
    market_id: str, side: Side, notional: int, limit_bp: int, exit_bp: int
) -> None:
    market = MARKETS[market_id]
    trading = Trading()
    a = trading.open(grant=D(10_000_000))
    mark = market.start_price
    # A resting limit on the far side of the mark, filled by a later mark crossing it.
    price = moved(market, mark, -limit_bp * side.sign)
    size = size_for(market, notional, price)
    order = trading.place(a, market_id, side, size, "limit", price=price)
    if price == mark:
        return  # rounded onto the mark (tiny tick-sized prices): not a resting order
    trading.move(market_id, price)
    assert order.fills[0].price == price
    assert order.fills[0].fee == 0
    exit_mark = moved(market, price, exit_bp)
    trading.move(market_id, exit_mark)
    closed = trading.close(a, market_id)
    exit_ = expected_taker_price(market, side.opposite, size, exit_mark)
    pnl = money(size * (exit_ - price) * side.sign) - money(size * exit_ * RULES.taker_fee_rate)
    assert closed.fills[0].price == exit_
    assert trading.account(a).collateral == D(10_000_000) + pnl


@deterministic(100)
@given(
    market_id=markets,
    side=sides,
    notionals=st.tuples(st.integers(10, 300_000), st.integers(10, 300_000)),
    bps=st.tuples(st.integers(-2000, 2000), st.integers(-2000, 2000)),
)
def test_b_increase_then_close_realizes_against_the_average_entry(
    market_id: str, side: Side, notionals: tuple[int, int], bps: tuple[int, int]
) -> None:
    market = MARKETS[market_id]
    trading = Trading()
    a = trading.open(grant=D(10_000_000))
    marks = [market.start_price, moved(market, market.start_price, bps[0])]
    sizes = [size_for(market, n, m) for n, m in zip(notionals, marks, strict=True)]
    prices = []
    for size, mark in zip(sizes, marks, strict=True):
        trading.move(market_id, mark)
        prices.append(trading.place(a, market_id, side, size).fills[0].price)
    assert prices == [
        expected_taker_price(market, side, s, m) for s, m in zip(sizes, marks, strict=True)
    ]
    total = sizes[0] + sizes[1]
    entry = trading.account(a).positions[market_id].entry_price
    assert entry == (sizes[0] * prices[0] + sizes[1] * prices[1]) / total  # size-weighted
    exit_mark = moved(market, marks[1], bps[1])
    trading.move(market_id, exit_mark)
    closed = trading.close(a, market_id)
    exit_ = expected_taker_price(market, side.opposite, total, exit_mark)
    # Against the average entry, the P&L is the sum of each lot's.
    lots = sizes[0] * (exit_ - prices[0]) + sizes[1] * (exit_ - prices[1])
    assert closed.fills[0].realized_pnl == money(lots * side.sign)
    fees = sum(money(s * p * RULES.taker_fee_rate) for s, p in zip(sizes, prices, strict=True))
    fees += money(total * exit_ * RULES.taker_fee_rate)
    assert trading.account(a).collateral == D(10_000_000) + money(lots * side.sign) - fees


@deterministic(100)
@given(
    market_id=markets,
    side=sides,
    first=st.integers(10, 300_000),
    extra=st.integers(10, 300_000),
    bps=st.tuples(st.integers(-2000, 2000), st.integers(-2000, 2000)),
)
def test_b_a_flip_realizes_only_the_closed_part_and_reopens_at_the_fill(
    market_id: str, side: Side, first: int, extra: int, bps: tuple[int, int]
) -> None:
    market = MARKETS[market_id]
    trading = Trading()
    a = trading.open(grant=D(10_000_000))
    size = size_for(market, first, market.start_price)
    p1 = trading.place(a, market_id, side, size).fills[0].price
    m2 = moved(market, market.start_price, bps[0])
    trading.move(market_id, m2)
    flip_size = size + size_for(market, extra, m2)
    flip = trading.place(a, market_id, side.opposite, flip_size).fills[0]
    p2 = expected_taker_price(market, side.opposite, flip_size, m2)
    assert flip.price == p2
    assert flip.realized_pnl == money(size * (p2 - p1) * side.sign)
    position = trading.account(a).positions[market_id]
    assert position.size == (size - flip_size) * side.sign
    assert position.entry_price == p2
    m3 = moved(market, m2, bps[1])
    trading.move(market_id, m3)
    close = trading.close(a, market_id).fills[0]
    rest = flip_size - size
    assert close.realized_pnl == money(rest * (close.price - p2) * side.opposite.sign)
    fees = money(size * p1 * RULES.taker_fee_rate) + money(flip_size * p2 * RULES.taker_fee_rate)
    fees += money(rest * close.price * RULES.taker_fee_rate)
    assert trading.account(a).collateral == (
        D(10_000_000) + flip.realized_pnl + close.realized_pnl - fees
    )


# -- (c) a trader never owes more than the account holds ------------------------------------

hard_operations = st.one_of(
    st.tuples(st.just("market"), traders, markets, sides, st.integers(20_000, 99_000)),
    st.tuples(st.just("move"), markets, st.integers(-3000, 3000)),
    st.tuples(st.just("move"), markets, st.sampled_from([-3000, -2500, 2500, 3000])),
    st.tuples(st.just("funding"), markets, st.sampled_from([-1000, 1000])),
    st.tuples(st.just("close"), traders, markets),
)


@deterministic(100)
@given(
    leverage=st.lists(st.integers(5, 10), min_size=TRADERS, max_size=TRADERS),
    seed=seeds,
    ops=st.lists(hard_operations, min_size=10, max_size=40),
)
def test_c_a_flat_trader_never_has_negative_collateral(
    leverage: list[int], seed: int, ops: list[tuple]
) -> None:
    session = Session(leverage, seed)
    for op in ops:
        session.play(op)
        assert session.trading.total_collateral() == 0, op  # (a) through liquidations too
        for account in session.traders():
            if not account.positions:
                assert account.collateral >= 0, op
    session.close_everything()
    for account in session.traders():
        assert account.positions == {}
        assert account.collateral >= 0
    covered = session.trading.store.events(ShortfallCovered)
    assert all(e.amount > 0 and e.amount == e.from_insurance + e.from_house for e in covered)
    assert session.trading.total_collateral() == 0


def test_c_the_hard_sessions_do_reach_liquidations_and_shortfalls() -> None:
    """The strategy above is not vacuous: a fixed hard session liquidates with a shortfall."""
    session = Session([10])
    session.play(("market", 0, "BTC-USD", Side.BUY, 99_000))
    session.play(("move", "BTC-USD", -3000))
    assert session.trading.account(session.accounts[0]).positions == {}
    assert session.trading.account(session.accounts[0]).collateral == 0
    assert len(session.trading.store.events(AccountLiquidated)) == 1
    assert len(session.trading.store.events(ShortfallCovered)) == 1


# -- (d) fees ---------------------------------------------------------------------------------


@deterministic(80)
@given(leverages, st.lists(operations, min_size=10, max_size=40))
def test_d_fees_are_never_negative_and_are_notional_times_rate(
    leverage: list[int], ops: list[tuple]
) -> None:
    session = Session(leverage)
    for op in ops:
        session.play(op)
    session.close_everything()
    rates = {
        Liquidity.TAKER: RULES.taker_fee_rate,
        Liquidity.MAKER: RULES.maker_fee_rate,
        Liquidity.LIQUIDATION: D(0),  # the liquidation fee goes to insurance separately
    }
    for fill in session.trading.store.fills:
        assert fill.fee >= 0
        assert fill.fee == money(fill.size * fill.price * rates[fill.liquidity])
        assert fill.price % MARKETS[fill.market].tick == 0
    for liquidated in session.trading.store.events(AccountLiquidated):
        assert liquidated.liquidation_fee >= 0
        assert liquidated.liquidation_fee == money(liquidated.liquidation_fee)


@deterministic(150)
@given(market_id=markets, side=sides, notional=st.integers(1, 1_000_000))
def test_d_taker_fee_of_one_market_order(market_id: str, side: Side, notional: int) -> None:
    market = MARKETS[market_id]
    trading = Trading()
    a = trading.open(grant=D(1_000_000))
    size = size_for(market, notional, market.start_price)
    if size * market.start_price > market.max_market_order_value:
        return
    before = trading.account(a).collateral
    order = trading.place(a, market_id, side, size)
    (fill,) = order.fills
    assert fill.fee == money(size * fill.price * D("0.00025"))
    assert fill.fee >= 0
    assert trading.account(a).collateral == before - fill.fee  # nothing realized yet


# -- (e) rejected orders ----------------------------------------------------------------------


def fingerprint(trading: Trading) -> Any:
    """Everything a use case could change, in comparable form."""

    def of(account: Account) -> Any:
        return (
            account.collateral,
            account.version,
            account.leverage.default,
            dict(account.leverage),
            {m: dataclasses.asdict(p) for m, p in account.positions.items()},
            {i: dataclasses.asdict(o) for i, o in account.open_orders.items()},
            list(account.pending_events),
            dict(account.dirty_orders),
            set(account.dirty_positions),
            set(account.dirty_leverage),
            list(account.new_fills),
            account.row_changed,
        )

    store = trading.store
    return (
        {i: of(a) for i, a in store.accounts.items()},
        len(store.committed),
        len(store.fills),
        set(store.orders),
        dict(trading.venue.marks),
    )


VIOLATIONS = [
    "off_step",
    "below_min",
    "off_tick",
    "market_value",
    "limit_value",
    "reduce_nothing",
    "reduce_same_side",
    "margin",
    "limit_margin",
    "trigger_now",
    "unlisted",
    "stop_no_position",
    "tier_cap",
]


def violating_order(
    trading: Trading, account_id: str, kind: str, market_id: str, side: Side, k: int
) -> dict[str, Any]:
    """An order that breaks one rule; k (>= 1) varies its numbers."""
    market = MARKETS[market_id]
    mark = trading.venue.marks[market_id]
    account = trading.account(account_id)
    flat = [m for m in MARKET_IDS if m not in account.positions]
    if kind == "off_step":
        return {"market": market_id, "side": side, "size": market.min_size * k + market.step / 2}
    if kind == "below_min":
        return {"market": market_id, "side": side, "size": market.min_size - market.step * k}
    if kind == "off_tick":
        price = mark - market.tick * k - market.tick / 4
        return {
            "market": market_id,
            "side": side,
            "size": market.min_size,
            "type": "limit",
            "price": price,
        }
    if kind == "market_value":
        size = round_to(D(1_000_000) / mark, market.step, up=True) + market.step * (k - 1)
        return {"market": market_id, "side": side, "size": size}
    if kind == "limit_value":
        size = round_to(D(5_000_000) / mark, market.step, up=True) + market.step * (k - 1)
        return {"market": market_id, "side": side, "size": size, "type": "limit", "price": mark}
    if kind == "reduce_nothing":
        market_id = flat[k % len(flat)]
        return {
            "market": market_id,
            "side": side,
            "size": MARKETS[market_id].min_size,
            "reduce_only": True,
        }
    if kind == "reduce_same_side":
        position = account.positions["BTC-USD"]
        return {
            "market": "BTC-USD",
            "side": Side.BUY if position.size > 0 else Side.SELL,
            "size": MARKETS["BTC-USD"].min_size * k,
            "reduce_only": True,
        }
    if kind in ("margin", "limit_margin"):
        # More than 11x the collateral: beyond any leverage up to 10 (and the $1M cap avoided).
        notional = min(account.collateral * 11 + 1000 * k, D(990_000))
        market_id = flat[k % len(flat)]
        market = MARKETS[market_id]
        mark = trading.venue.marks[market_id]
        size = max(round_to(notional / mark, market.step, up=True), market.min_size)
        if kind == "margin":
            return {"market": market_id, "side": side, "size": size}
        price = moved(market, mark, -100 * side.sign)  # resting
        return {"market": market_id, "side": side, "size": size, "type": "limit", "price": price}
    if kind == "trigger_now":
        position = account.positions["BTC-USD"]
        closing = Side.SELL if position.size > 0 else Side.BUY
        # A stop on the wrong side of the mark would fire at once.
        step = MARKETS["BTC-USD"].tick * k
        wrong = mark_of(trading, "BTC-USD") + (step if closing is Side.SELL else -step)
        return {
            "market": "BTC-USD",
            "side": closing,
            "size": abs(position.size),
            "type": "stop_loss",
            "trigger_price": wrong,
        }
    if kind == "stop_no_position":
        market_id = flat[k % len(flat)]
        trigger = moved(MARKETS[market_id], trading.venue.marks[market_id], -500 * side.sign)
        return {
            "market": market_id,
            "side": side.opposite,
            "size": MARKETS[market_id].min_size,
            "type": "stop_loss" if side is Side.BUY else "take_profit",
            "trigger_price": trigger,
        }
    if kind == "tier_cap":
        # STRK above $200k allows 5x; the account's STRK leverage is 10x.
        strk = MARKETS["STRK-USD"]
        size = round_to(D(200_000) / mark_of(trading, "STRK-USD"), strk.step, up=True) + k
        return {"market": "STRK-USD", "side": side, "size": size}
    assert kind == "unlisted"
    return {"market": "XRP-USD", "side": side, "size": D(k)}


def mark_of(trading: Trading, market: str) -> Decimal:
    return trading.venue.marks[market]


@deterministic(200)
@given(
    kind=st.sampled_from(VIOLATIONS),
    market_id=markets,
    side=sides,
    k=st.integers(1, 50),
    btc=st.integers(-30, 30).filter(bool),
    btc_bp=st.integers(-500, 500),
    resting=st.booleans(),
)
def test_e_a_rejected_order_changes_nothing(
    kind: str, market_id: str, side: Side, k: int, btc: int, btc_bp: int, resting: bool
) -> None:
    trading = Trading()
    a = trading.open()
    trading.open("someone-else")
    trading.set_leverage(a, "STRK-USD", 10)
    trading.place(a, "BTC-USD", "buy" if btc > 0 else "sell", D(abs(btc)) / 1000)
    if resting:
        trading.place(a, "BTC-USD", "buy", "0.001", "limit", price="50000")
    trading.venue.update(quote("BTC-USD", moved(MARKETS["BTC-USD"], D(60000), btc_bp)))
    spec = violating_order(trading, a, kind, market_id, side, k)
    cmd = trading.place_command(
        a,
        spec.pop("market"),
        spec.pop("side"),
        spec.pop("size"),
        spec.pop("type", "market"),
        **spec,
    )
    before = fingerprint(trading)
    # No rollback here: the domain must refuse before it changes anything.
    uow = FakeTradingUnitOfWork(trading.store, trading.clock)
    with pytest.raises(DomainError):
        run(handlers.place_order(cmd, uow, trading.venue, trading.now))
    assert fingerprint(trading) == before
    assert trading.store.total_collateral() == 0


def test_e_the_fingerprint_sees_a_change() -> None:
    """The comparison above would notice an accepted order."""
    trading = Trading()
    a = trading.open()
    before = fingerprint(trading)
    trading.place(a, "BTC-USD", "buy", "0.001", "limit", price="50000")
    assert fingerprint(trading) != before
    assert trading.account(a).collateral == GRANT
