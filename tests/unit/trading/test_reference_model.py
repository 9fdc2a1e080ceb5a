"""The real trading domain side by side with the reference model of SPEC sections 4-5
(tests/reference/trading_model.py, written from the SPEC alone).

A Hypothesis state machine plays random market, reduce-only and limit orders, closes,
leverage changes, price moves (crossed limits and liquidations among them) and funding
hours against both; after every step each fill's price, fee and realized P&L, the
trader's collateral and positions, and the house and insurance balances must agree
exactly (every amount is rounded the same way, so agreeing to the cent is not enough
to hide a misread rule). Orders the domain refuses must be ones the model refuses too.

What the model does not predict, it observes: which of several resting limits the domain
fills or cancels when a move crosses them (the size a maker fill is allowed), never a price,
fee or amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from fakes import GRANT, START, Trading
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from astratrade.shared.errors import DomainError
from astratrade.trading.domain.events import AccountLiquidated
from astratrade.trading.domain.orders import Fill, Liquidity, OrderType, Side
from astratrade.trading.domain.pricing import funding_rate
from astratrade.trading.domain.rules import TradingRules
from reference import trading_model as ref

D = Decimal
MARKET_IDS = list(ref.MARKETS)
HOUR = timedelta(hours=1)
CENT = D("0.01")

markets = st.sampled_from(MARKET_IDS)
signs = st.sampled_from([1, -1])
# Up to ~11x the grant: some orders fit only at 10x, some never.
notionals = st.one_of(
    st.integers(50, 110_000), st.integers(30_000, 99_000), st.integers(100_000, 900_000)
)
# Up to +-30% a step, often a large jump: liquidations must happen.
moves = st.one_of(st.integers(-3000, 3000), st.sampled_from([-2500, -1500, 1500, 2500]))


def size_for(market: str, notional: int, mark: D) -> D:
    spec = ref.MARKETS[market]
    return max(ref.to_tick(D(notional) / mark, spec.step, up=False), spec.min_size)


@dataclass
class Trigger:
    sign: int
    size: D
    trigger: D
    protects: bool  # a stop-loss (True) or a take-profit


def side(sign: int) -> Side:
    return Side.BUY if sign > 0 else Side.SELL


class DomainAgainstReference(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.trading = Trading()
        self.hour = 0
        self.stops: dict[str, Trigger] = {}  # the model's open stop-losses and take-profits

    @initialize(grant=st.sampled_from([GRANT, D(300_000)]))
    def open_account(self, grant: D) -> None:
        """The practice grant, or a larger account whose positions reach the higher risk
        tiers (their lower max leverage and higher maintenance rate)."""
        self.account = self.trading.open("trader-1", grant=grant)
        venue = self.trading.venue
        self.model = ref.Book(
            collateral=grant,
            house=self.trading.house.collateral,
            insurance=self.trading.insurance.collateral,
            marks={m: venue.marks[m] for m in MARKET_IDS},
            leverage={m: D(5) for m in MARKET_IDS},  # SPEC 4: default 5x
        )

    # -- plumbing -----------------------------------------------------------------------

    def _fills(self, since: int) -> list[Fill]:
        return [f for f in self.trading.store.fills[since:] if f.account_id == self.account]

    def _try(self, action) -> bool:  # type: ignore[no-untyped-def]
        try:
            action()
        except DomainError:
            return False
        return True

    def _check_fill(self, fill: Fill, price: D, realized: D, fee: D) -> None:
        assert fill.price == price, (fill, price)
        assert fill.realized_pnl == realized, (fill, realized)
        assert fill.fee == fee, (fill, fee)

    def _taker(self, fill: Fill) -> None:
        """A taker fill: price from the mark with slippage on the tick, 0.025% fee."""
        sign = fill.side.sign
        price = ref.taker_fill_price(fill.market, sign, fill.size, self.model.marks[fill.market])
        before = self.model.positions.get(fill.market)
        realized, fee = self.model.fill(fill.market, sign, fill.size, price, ref.TAKER_FEE)
        after = self.model.positions.get(fill.market)
        if before and after and (before.size > 0) != (after.size > 0):
            event("flip")
        if self.model.collateral == 0 and not self.model.positions:
            event("flat at the floor")
        self._check_fill(fill, price, realized, fee)
        self.model.cover_shortfall()

    def _triggered(self, fill: Fill) -> None:
        """SPEC 5: a stop-loss or take-profit triggers on the mark and executes as a
        reduce-only market order (a taker), at most down to flat."""
        stop = self.stops.pop(fill.order_id or "")
        mark = self.model.marks[fill.market]
        pos = self.model.positions.get(fill.market)
        assert pos is not None, ("a trigger order filled with no position", fill)
        assert (pos.size > 0) != (stop.sign > 0), ("a trigger order grew a position", fill)
        assert fill.size == min(stop.size, abs(pos.size)), fill
        falls = (stop.sign < 0) == stop.protects  # a sell stop, or a buy take-profit
        assert (mark <= stop.trigger) if falls else (mark >= stop.trigger), (fill, mark)
        event("stop or take-profit filled")
        self._taker(fill)

    def _sync_resting(self) -> None:
        """Resting limits the domain cancelled (liquidation, margin review) leave the model."""
        still = self.trading.account(self.account).open_orders
        for order_id in [o for o in self.model.resting if o not in still]:
            del self.model.resting[order_id]
        for order_id in [o for o in self.stops if o not in still]:
            del self.stops[order_id]

    def _liquidation_fees(self, since: int) -> list[D]:
        events = self.trading.store.events(AccountLiquidated)[since:]
        return [e.liquidation_fee for e in events if e.account_id == self.account]

    def _after_marks_changed(self, since: int, liquidations_since: int) -> None:
        """Crossed limits fill as makers at their price, then liquidation, as the SPEC says."""
        fills = self._fills(since)
        for fill in [f for f in fills if f.liquidity is not Liquidity.LIQUIDATION]:
            if fill.liquidity is Liquidity.TAKER:
                self._triggered(fill)
                continue
            order = self.model.resting[fill.order_id or ""]
            mark = self.model.marks[fill.market]
            assert (mark <= order.price) if order.sign > 0 else (mark >= order.price), fill
            realized, fee = self.model.fill(
                fill.market, order.sign, fill.size, order.price, ref.MAKER_FEE
            )
            self._check_fill(fill, order.price, realized, fee)
            event("maker fill")
            order.size -= fill.size
            self.model.cover_shortfall()
        self._sync_resting()
        closes = self.model.liquidate()
        taken = [f for f in fills if f.liquidity is Liquidity.LIQUIDATION]
        assert [(f.market, f.realized_pnl) for f in taken] == [(m, r) for m, r, _ in closes]
        # The fee the insurance fund took: 1% of closed notional, capped by the equity left.
        charged = [sum((c for _, _, c in closes), D(0))] if closes else []
        assert self._liquidation_fees(liquidations_since) == charged
        venue = self.trading.venue
        margin = self.trading.account(self.account).margin(venue.marks, venue.markets)
        if taken and margin.maintenance_margin > 0:
            # liquidation stops only once equity is above maintenance again
            assert margin.equity > margin.maintenance_margin, margin
        for fill in taken:
            assert fill.price == self.model.marks[fill.market], fill
            assert fill.fee == 0, fill
        if closes:
            event("liquidation")
            if self.model.collateral == 0 and not self.model.positions:
                event("liquidated to the collateral floor")
            if self.model.positions:
                event("partial liquidation")
        self._sync_resting()

    # -- rules ------------------------------------------------------------------------------

    @rule(market=markets, sign=signs, notional=notionals)
    def market_order(self, market: str, sign: int, notional: int) -> None:
        size = size_for(market, notional, self.model.marks[market])
        price = ref.taker_fill_price(market, sign, size, self.model.marks[market])
        headroom = self.model.headroom(market, sign, size, price, ref.TAKER_FEE)
        since = len(self.trading.store.fills)
        accepted = self._try(lambda: self.trading.place(self.account, market, side(sign), size))
        # SPEC 4: rejected only if available would go below 0 (or leverage over the tier cap).
        event("order accepted" if accepted else "order refused")
        notional = size * self.model.marks[market]
        if accepted and notional > 200_000:
            event("order over $200k")
        if accepted:
            assert headroom >= 0, ("accepted an order the SPEC refuses", headroom)
        else:
            assert headroom < 0, ("refused an order the SPEC accepts", headroom)
        for fill in self._fills(since):
            self._taker(fill)
        self._sync_resting()

    @rule(market=markets, sign=signs, notional=notionals)
    def reduce_only_order(self, market: str, sign: int, notional: int) -> None:
        size = size_for(market, notional, self.model.marks[market])
        since = len(self.trading.store.fills)
        pos = self.model.positions.get(market)
        accepted = self._try(
            lambda: self.trading.place(self.account, market, side(sign), size, reduce_only=True)
        )
        fills = self._fills(since)
        if pos is None or (pos.size > 0) == (sign > 0):
            assert not fills, "a reduce-only order grew a position"
        else:
            assert accepted, "SPEC 4: orders that only reduce a position are always accepted"
            assert [f.size for f in fills] == [min(size, abs(pos.size))]
        for fill in fills:
            self._taker(fill)
        self._sync_resting()

    @rule(market=markets)
    def close(self, market: str) -> None:
        pos = self.model.positions.get(market)
        since = len(self.trading.store.fills)
        self._try(lambda: self.trading.close(self.account, market))
        fills = self._fills(since)
        assert [f.size for f in fills] == ([abs(pos.size)] if pos else [])
        for fill in fills:
            self._taker(fill)
        self._sync_resting()

    @rule(market=markets, sign=signs, notional=notionals, bp=st.integers(20, 1500))
    def limit_order(self, market: str, sign: int, notional: int, bp: int) -> None:
        """A limit away from the mark rests; its reservation is part of available."""
        spec = ref.MARKETS[market]
        mark = self.model.marks[market]
        price = ref.to_tick(mark * (1 - sign * D(bp) / 10_000), spec.tick, up=sign < 0)
        size = size_for(market, notional, price)
        since = len(self.trading.store.fills)
        placed = []

        def place() -> None:
            placed.append(
                self.trading.place(
                    self.account, market, side(sign), size, OrderType.LIMIT, price=price
                )
            )

        if self._try(place):
            self.model.resting[placed[0].id] = ref.Resting(market, sign, size, price)
        assert not self._fills(since), "a limit away from the mark filled at once"
        self._sync_resting()

    @precondition(lambda self: bool(self.model.positions))
    @rule(
        pick=st.integers(0, 3),
        stop=st.booleans(),
        bp=st.integers(10, 2000),
        share=st.sampled_from([D(1), D("0.5"), D(2)]),
    )
    def trigger_order(self, pick: int, stop: bool, bp: int, share: D) -> None:
        """A stop-loss (on the losing side of the mark) or a take-profit (on the winning
        side) closing part, all or more than all of a held position."""
        held = sorted(self.model.positions)
        market = held[pick % len(held)]
        pos, mark = self.model.positions[market], self.model.marks[market]
        spec = ref.MARKETS[market]
        sign = -1 if pos.size > 0 else 1  # the closing side
        below = (pos.size > 0) == stop  # a long's stop and a short's take-profit lie below
        trigger = ref.to_tick(
            mark * (1 - D(bp) / 10_000 if below else 1 + D(bp) / 10_000), spec.tick, up=not below
        )
        size = max(ref.to_tick(abs(pos.size) * share, spec.step, up=False), spec.min_size)
        kind = OrderType.STOP_LOSS if stop else OrderType.TAKE_PROFIT
        placed = []

        def place() -> None:
            placed.append(
                self.trading.place(
                    self.account, market, side(sign), size, kind, trigger_price=trigger
                )
            )

        since = len(self.trading.store.fills)
        if self._try(place):
            self.stops[placed[0].id] = Trigger(sign, size, trigger, stop)
        assert not self._fills(since), "a trigger order away from the mark filled at once"

    @rule(market=markets, bp=moves)
    def any_move(self, market: str, bp: int) -> None:
        self.move(market, bp)

    def move(self, market: str, bp: int) -> None:
        tick = ref.MARKETS[market].tick
        mark = max(
            ref.to_tick(self.model.marks[market] * (1 + D(bp) / 10_000), tick, up=False), tick
        )
        since = len(self.trading.store.fills)
        liquidations = len(self.trading.store.events(AccountLiquidated))
        self.trading.move(market, mark)
        self.model.marks[market] = mark
        self._after_marks_changed(since, liquidations)

    @precondition(lambda self: bool(self.model.positions))
    @rule(pick=st.integers(0, 3), bp=st.integers(500, 3000))
    def adverse_move(self, pick: int, bp: int) -> None:
        """A move against a position held: how accounts reach liquidation and the floor."""
        held = sorted(self.model.positions)
        market = held[pick % len(held)]
        self.move(market, -bp if self.model.positions[market].size > 0 else bp)

    @precondition(lambda self: bool(self.model.positions))
    @rule(pick=st.integers(0, 3), ticks=st.integers(0, 3))
    def to_the_brink(self, pick: int, ticks: int) -> None:
        """Move one market to just past the mark where equity meets maintenance (solved on
        the model, tier taken as it is now): where partial liquidations and a liquidation
        fee capped by the equity left happen."""
        held = sorted(self.model.positions)
        market = held[pick % len(held)]
        pos, mark = self.model.positions[market], self.model.marks[market]
        rate = ref.maintenance_rate(market, abs(pos.size) * mark)
        others = self.model.maintenance_margin() - abs(pos.size) * mark * rate
        # equity + size * (x - mark) == others + |size| * x * rate, solved for x
        x = (others - self.model.equity() + pos.size * mark) / (pos.size - abs(pos.size) * rate)
        tick = ref.MARKETS[market].tick
        past = ticks * tick if pos.size < 0 else -ticks * tick
        brink = ref.to_tick(x, tick, up=pos.size < 0) + past
        if brink <= tick:
            return
        since = len(self.trading.store.fills)
        liquidations = len(self.trading.store.events(AccountLiquidated))
        self.trading.move(market, brink)
        self.model.marks[market] = brink
        self._after_marks_changed(since, liquidations)

    @rule(market=markets, premiums=st.lists(st.integers(-200, 200), max_size=6))
    def funding_hour(self, market: str, premiums: list[int]) -> None:
        samples = [D(p) / 10_000 for p in premiums]  # premiums of up to +-2%
        rate = ref.funding_rate(samples)
        assert funding_rate(samples, TradingRules()) == rate
        self.hour += 1
        since = len(self.trading.store.fills)
        liquidations = len(self.trading.store.events(AccountLiquidated))
        self.trading.pay_funding({market: rate}, at=START + self.hour * HOUR)
        self.model.pay_funding(market, rate)
        self._after_marks_changed(since, liquidations)

    @rule(market=markets, leverage=st.integers(1, 10))
    def set_leverage(self, market: str, leverage: int) -> None:
        before = self.model.leverage[market]
        self.model.leverage[market] = D(leverage)
        # SPEC 4: at most min(level cap, tier cap); the margin in use must stay available.
        pos = self.model.positions.get(market)
        notional = abs(pos.size) * self.model.marks[market] if pos else D(0)
        allowed = D(leverage) <= ref.MARKETS[market].tier_leverage(notional) and (
            self.model.available() >= 0
        )
        done = self._try(lambda: self.trading.set_leverage(self.account, market, leverage))
        assert done == allowed, (done, allowed, self.model.available())
        if not done:
            self.model.leverage[market] = before

    # -- what must agree after every step ----------------------------------------------------

    @invariant()
    def balances_and_positions_agree(self) -> None:
        account = self.trading.account(self.account)
        assert account.collateral == self.model.collateral
        assert self.trading.house.collateral == self.model.house
        assert self.trading.insurance.collateral == self.model.insurance
        domain = {m: (p.size, p.entry_price) for m, p in account.positions.items()}
        model = {m: (p.size, p.entry) for m, p in self.model.positions.items()}
        assert domain == model
        # The collateral floor (SPEC 4): a flat account never owes. With positions open,
        # collateral may be below 0 while their unrealized gains keep equity above it.
        if not account.positions:
            assert account.collateral >= 0


DomainAgainstReference.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDomainAgainstReference = DomainAgainstReference.TestCase


def test_the_reference_model_imports_nothing_from_the_platform() -> None:
    """Its independence is the point: a rule misread in the domain must not be imported."""
    import ast
    from pathlib import Path

    for path in Path(ref.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not [n for n in names if n.startswith("astratrade")], path
