"""Property: no fill ever adds exposure that the account could not take at that moment.

Random sequences of market and limit orders (resting limits that reduce, flip or open),
closes, cancels, price moves, leverage settings, lowered or raised unlocked leverage and a
clock that runs a tournament account past its end. Every fill that opens or grows a
position is checked the moment it happens: the tournament window was open, the market's
leverage is within min(unlocked, the tier cap of the position's notional at the mark),
and available margin is not below zero — so effective leverage never passes the cap."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from fakes import MARKETS, Trading
from hypothesis import event, given
from hypothesis import strategies as st
from test_money_properties import deterministic, moved, size_for

from astratrade.shared.errors import DomainError
from astratrade.shared.money import ZERO
from astratrade.trading import handlers
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import OpenTournamentAccount
from astratrade.trading.domain.orders import Fill, Liquidity, Side

D = Decimal
HOUR = timedelta(hours=1)
TOURNAMENT = "tour-0"
ACCOUNTS = 3  # two practice accounts and a tournament account of the first trader


class Game:
    def __init__(self, unlocked: int) -> None:
        self.trading = Trading()
        self.accounts = [self.trading.open("trader-0"), self.trading.open("trader-1")]
        self.trading.set_limit("trader-0", unlocked)
        self.trading.set_limit("trader-1", unlocked)
        cmd = OpenTournamentAccount(
            owner_id="trader-0",
            account_id=TOURNAMENT,
            starting_capital=D(10_000),
            markets=tuple(MARKETS),
            opens_at=self.trading.now,
            closes_at=self.trading.now + 3 * HOUR,
        )
        self.trading.call(
            lambda uow: handlers.open_tournament_account(
                cmd, uow, self.trading.venue, self.trading.now
            )
        )
        self.accounts.append(TOURNAMENT)
        self.adding_fills = 0

    def play(self, op: tuple[Any, ...]) -> None:
        kind, *args = op
        with contextlib.suppress(DomainError):  # refusals are part of the game
            getattr(self, kind)(*args)

    def market(self, who: int, market: str, side: Side, notional: int) -> None:
        size = size_for(MARKETS[market], notional, self.trading.venue.marks[market])
        self.trading.place(self.accounts[who], market, side, size)

    def limit(self, who: int, market: str, side: Side, notional: int, bp: int) -> None:
        price = moved(MARKETS[market], self.trading.venue.marks[market], bp)
        size = size_for(MARKETS[market], notional, price)
        self.trading.place(self.accounts[who], market, side, size, "limit", price=price)

    def move(self, market: str, bp: int) -> None:
        mark = moved(MARKETS[market], self.trading.venue.marks[market], bp)
        self.trading.move(market, mark)

    def close(self, who: int, market: str) -> None:
        self.trading.close(self.accounts[who], market)

    def leverage(self, who: int, market: str, leverage: int) -> None:
        self.trading.set_leverage(self.accounts[who], market, leverage)

    def unlock(self, trader: int, unlocked: int) -> None:
        self.trading.set_limit(f"trader-{trader}", unlocked)

    def clock(self, minutes: int) -> None:
        self.trading.clock.advance(minutes * 60)
        self.trading.call(lambda uow: handlers.end_trading_windows(uow, self.trading.now))

    def cancel(self, who: int, index: int) -> None:
        orders = list(self.trading.account(self.accounts[who]).open_orders)
        if orders:
            self.trading.cancel(self.accounts[who], orders[index % len(orders)])

    def check(self, account: Account, fill: Fill, before: Decimal) -> None:
        """Called right after every fill with the position's size before it."""
        after = account.positions[fill.market].size if fill.market in account.positions else ZERO
        adds = abs(after) > abs(before) or (after != ZERO and (after > 0) != (before > 0))
        if fill.liquidity is Liquidity.LIQUIDATION or not adds:
            return
        self.adding_fills += 1
        venue = self.trading.venue
        if account.window is not None:
            assert account.window.is_open(fill.at), f"{fill} after the window"
        limits = self.trading.store.limits
        unlocked = limits.get(account.owner_id or "", self.trading.store.default_unlocked)
        notional = abs(after) * venue.marks[fill.market]
        cap = min(unlocked, venue.markets[fill.market].tier_for(notional).max_leverage)
        assert account.leverage[fill.market] <= cap, f"{fill}: leverage above {cap}x"
        summary = account.margin(venue.marks, venue.markets)
        assert summary.available >= ZERO, f"{fill} left available {summary.available}"
        effective = (
            sum((abs(p.size) * venue.marks[m] for m, p in account.positions.items()), ZERO)
            / summary.equity
        )
        assert effective <= max(account.leverage[m] for m in account.positions)


who = st.integers(0, ACCOUNTS - 1)
markets = st.sampled_from(["BTC-USD", "ETH-USD", "SOL-USD"])
sides = st.sampled_from([Side.BUY, Side.SELL])
notionals = st.one_of(st.integers(200, 60_000), st.integers(50_000, 400_000))
operations = st.one_of(
    st.tuples(st.just("market"), who, markets, sides, notionals),
    st.tuples(st.just("limit"), who, markets, sides, notionals, st.integers(-600, 600)),
    st.tuples(st.just("limit"), who, markets, sides, notionals, st.integers(-600, 600)),
    st.tuples(st.just("move"), markets, st.integers(-900, 900)),
    st.tuples(st.just("move"), markets, st.integers(-900, 900)),
    st.tuples(st.just("close"), who, markets),
    st.tuples(st.just("leverage"), who, markets, st.sampled_from([1, 5, 10, 20, 50, 100])),
    st.tuples(st.just("unlock"), st.integers(0, 1), st.sampled_from([10, 20, 50, 100])),
    st.tuples(st.just("clock"), st.integers(1, 90)),
    st.tuples(st.just("cancel"), who, st.integers(0, 5)),
)


@deterministic(300)
@given(unlocked=st.sampled_from([10, 50, 100]), ops=st.lists(operations, min_size=10, max_size=50))
def test_no_fill_adds_exposure_the_account_cannot_take(unlocked: int, ops: list[tuple]) -> None:
    game = Game(unlocked)
    real_fill = Account.fill

    def fill(account: Account, **kwargs: Any) -> Fill:
        market = kwargs["market"]
        before = account.positions[market].size if market in account.positions else ZERO
        done = real_fill(account, **kwargs)
        game.check(account, done, before)
        return done

    with mock.patch.object(Account, "fill", fill):
        for op in ops:
            game.play(op)
    event(f"fills adding exposure: {min(game.adding_fills, 5)}+")
