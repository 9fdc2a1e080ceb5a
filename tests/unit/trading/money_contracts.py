"""Contracts of the pure functions that decide money, for CrossHair and Hypothesis
(test_symbolic_money.py, docs/verification.md).

Each contract is a function of whole numbers (units of BTC-USD's step and tick, so every
input is on the grid and never a float): its leading asserts are the bounds searched, the
asserts after them the property. Kept out of test modules so pytest does not rewrite the
asserts CrossHair reads as pre- and postconditions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from astratrade.trading.domain.margin import initial_margin, maintenance_margin
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from astratrade.trading.domain.orders import Side
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.pricing import fee, taker_price
from astratrade.trading.domain.rules import TradingRules

D = Decimal
RULES = TradingRules()
BTC = next(m for m in DEFAULT_MARKETS if m.id == "BTC-USD")
AT = datetime(2026, 1, 5, tzinfo=UTC)
MAX_UNITS = 10**8  # up to 1,000 BTC in steps of 0.00001
MAX_TICKS = 10**7  # BTC up to $1,000,000 in ticks of 0.1


def fee_is_the_notional_times_rate_rounded(units: int, ticks: int, taker: bool) -> None:
    """A fee is never negative and is notional x rate to the micro-dollar (half-even)."""
    assert 0 < units <= MAX_UNITS
    assert 0 < ticks <= MAX_TICKS
    notional = D(units) * BTC.step * D(ticks) * BTC.tick
    rate = RULES.taker_fee_rate if taker else RULES.maker_fee_rate
    paid = fee(notional, rate)
    assert paid >= 0
    assert abs(paid - notional * rate) <= D("0.0000005")
    assert paid == paid.quantize(D("0.000001"))


def a_reduce_realizes_the_move_and_never_adds_exposure(
    units: int, reduce_units: int, entry_ticks: int, exit_ticks: int, long: bool
) -> None:
    """A reduce realizes closed size x (exit - entry) x side exactly, leaves the entry, and
    never increases exposure; a fill past the position flips it at the fill price."""
    assert 0 < units <= MAX_UNITS
    assert 0 < reduce_units <= 2 * MAX_UNITS
    assert 0 < entry_ticks <= MAX_TICKS
    assert 0 < exit_ticks <= MAX_TICKS
    sign = 1 if long else -1
    size, entry, exit_ = (
        D(units) * BTC.step * sign,
        D(entry_ticks) * BTC.tick,
        D(exit_ticks) * BTC.tick,
    )
    delta = -sign * D(reduce_units) * BTC.step
    position = Position("BTC-USD", size, entry, AT)
    realized = position.apply(delta, exit_)
    closed = min(abs(delta), abs(size))
    assert realized == closed * (exit_ - entry) * sign
    if abs(delta) <= abs(size):
        assert abs(position.size) == abs(size) - abs(delta)
        assert abs(position.size) <= abs(size)
        assert position.entry_price == entry
    else:
        assert position.size == size + delta
        assert position.entry_price == exit_


def a_taker_price_is_on_the_tick_against_the_trader_within_the_cap(
    units: int, mark_ticks: int, buy: bool
) -> None:
    """mark x (1 +/- slippage), on the tick, never better than the mark for the trader, and
    never further from it than the 50 bp cap and one tick."""
    assert 0 < units <= MAX_UNITS
    assert 10 <= mark_ticks <= MAX_TICKS
    size, mark = D(units) * BTC.step, D(mark_ticks) * BTC.tick
    price = taker_price(BTC, Side.BUY if buy else Side.SELL, size, mark, RULES)
    assert price % BTC.tick == 0
    assert abs(price - mark) <= mark * RULES.slippage_cap + BTC.tick
    assert price > mark if buy else price < mark


def maintenance_never_exceeds_initial_within_the_tier_cap(
    units: int, mark_ticks: int, leverage: int
) -> None:
    """MMR = 0.5 / the tier's max leverage, so at any allowed leverage the maintenance margin
    is at most half the initial margin: a fresh position is never liquidatable."""
    assert 0 < units <= MAX_UNITS
    assert 0 < mark_ticks <= MAX_TICKS
    assert 1 <= leverage <= 100
    size, mark = D(units) * BTC.step, D(mark_ticks) * BTC.tick
    lever = D(leverage)
    assert lever <= BTC.tier_for(size * mark).max_leverage
    position = Position("BTC-USD", size, mark, AT)
    marks, markets = {"BTC-USD": mark}, {"BTC-USD": BTC}
    initial = initial_margin([position], marks, {"BTC-USD": lever})
    assert 2 * maintenance_margin([position], marks, markets) <= initial


CONTRACTS = [
    fee_is_the_notional_times_rate_rounded,
    a_reduce_realizes_the_move_and_never_adds_exposure,
    a_taker_price_is_on_the_tick_against_the_trader_within_the_cap,
    maintenance_never_exceeds_initial_within_the_tier_cap,
]


def every_fee_is_above_a_dollar(units: int, ticks: int) -> None:
    """A false contract: CrossHair must refute it (small orders pay less than a dollar)."""
    assert 0 < units <= MAX_UNITS
    assert 0 < ticks <= MAX_TICKS
    assert fee(D(units) * BTC.step * D(ticks) * BTC.tick, RULES.taker_fee_rate) > 1
