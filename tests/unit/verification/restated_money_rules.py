"""The money rules of SPEC sections 3-5 and 12, restated over exact arithmetic as Z3 terms
(z3_exact.py). Each function mirrors one domain function, rounding for rounding, and is
written from the SPEC's figures (nothing imported from astratrade): the proofs
(test_proven_money_rules.py) speak about these terms, and the bridge
(test_restatements_match_the_code.py) shows the code computes exactly the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import z3
from z3_exact import (
    MICRO,
    Number,
    Term,
    absolute,
    away_from_zero,
    exact,
    maximum,
    minimum,
    money,
    toward_zero,
)

D = Decimal

# SPEC 4-5
TAKER_FEE = D("0.00025")
SLIPPAGE_BASE = D("0.0001")  # 1 bp
SLIPPAGE_PER_UNIT = D("0.0001")  # + 1 bp per $100k of notional
SLIPPAGE_UNIT = D(100_000)
SLIPPAGE_CAP = D("0.005")  # 50 bp
FUNDING_DIVISOR = D(8)
FUNDING_CAP = D("0.001")
LIQUIDATION_FEE = D("0.01")


@dataclass(frozen=True)
class MarketSpec:
    """SPEC 3: a market's grid and risk tiers (max leverage while notional <= up_to)."""

    id: str
    tick: Decimal
    step: Decimal
    min_size: Decimal
    tiers: tuple[tuple[int, int | None], ...]


MARKETS = (
    MarketSpec(
        "BTC-USD",
        D("0.1"),
        D("0.00001"),
        D("0.0001"),
        ((100, 200_000), (50, 1_000_000), (20, 5_000_000), (10, None)),
    ),
    MarketSpec(
        "ETH-USD",
        D("0.01"),
        D("0.0001"),
        D("0.001"),
        ((100, 100_000), (50, 500_000), (20, 2_000_000), (10, None)),
    ),
    MarketSpec(
        "SOL-USD", D("0.001"), D("0.01"), D("0.1"), ((50, 100_000), (20, 500_000), (10, None))
    ),
    MarketSpec("STRK-USD", D("0.00001"), D(1), D(10), ((20, 50_000), (10, 200_000), (5, None))),
)


# --- prices and fees (SPEC 4-5) ---------------------------------------------------------


def slippage_rate(notional: Number) -> Term:
    return minimum(
        SLIPPAGE_BASE + SLIPPAGE_PER_UNIT * (exact(notional) / SLIPPAGE_UNIT), SLIPPAGE_CAP
    )


def taker_target(buy: bool, size: Number, mark: Number) -> Term:
    """mark * (1 +/- slippage) before rounding."""
    mark = exact(mark)
    rate = slippage_rate(exact(size) * mark)
    return mark * (1 + rate) if buy else mark * (1 - rate)


def round_buy_price(target: Number, tick: Number) -> Term:
    """Up to the tick: against a buyer."""
    return away_from_zero(target, tick)


def round_sell_price(target: Number, tick: Number) -> Term:
    """Down to the tick, against a seller, but never below one tick: max(floor, 1) counted
    in ticks (the same value as max over prices; Z3 decides this form, not that one)."""
    ticks = z3.ToInt(exact(target) / exact(tick))
    return z3.ToReal(z3.If(ticks >= 1, ticks, 1)) * exact(tick)


def taker_price(market: MarketSpec, buy: bool, size: Number, mark: Number) -> Term:
    """mark * (1 +/- slippage), on the tick against the trader; a sell never below one tick."""
    target = taker_target(buy, size, mark)
    return (round_buy_price if buy else round_sell_price)(target, market.tick)


def fee(notional: Number, rate: Number) -> Term:
    return money(exact(notional) * exact(rate))


def funding_rate(premiums: list[Number]) -> Term:
    """clamp(mean premium / 8, -0.1 %, +0.1 %); no samples, no funding."""
    if not premiums:
        return exact(0)
    mean = sum((exact(p) for p in premiums), exact(0)) / len(premiums)
    return maximum(-FUNDING_CAP, minimum(FUNDING_CAP, mean / FUNDING_DIVISOR))


def funding_payment(size: Number, mark: Number, rate: Number) -> Term:
    """size * mark * rate, rounded at the ledger: a long pays a positive rate."""
    return money(exact(size) * exact(mark) * exact(rate))


# --- margin (SPEC 4) --------------------------------------------------------------------


def tier_leverage(market: MarketSpec, notional: Number) -> Term:
    """The max leverage of the tier a position of this notional is in."""
    notional = exact(notional)
    term: Term = exact(market.tiers[-1][0])
    for leverage, up_to in reversed(market.tiers[:-1]):
        assert up_to is not None
        term = z3.If(notional <= up_to, exact(leverage), term)
    return term


def initial_margin(size: Number, mark: Number, leverage: Number) -> Term:
    return absolute(size) * exact(mark) / exact(leverage)


def maintenance_margin(market: MarketSpec, size: Number, mark: Number) -> Term:
    """|size| * mark * MMR, MMR = 0.5 / the tier's max leverage."""
    notional = absolute(size) * exact(mark)
    return notional * (exact(Fraction(1, 2)) / tier_leverage(market, notional))


def unrealized_pnl(size: Number, entry: Number, mark: Number) -> Term:
    return exact(size) * (exact(mark) - exact(entry))


# --- positions and fills (SPEC 4) -------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    size: Term
    entry: Term
    realized: Term  # unrounded, as Position.apply returns it


def apply_fill(size: Number, entry: Number, delta: Number, price: Number) -> Applied:
    """A signed fill of delta at price on a position (size, entry): increases average the
    entry; reductions realize closed * (exit - entry) * side; past flat it flips at price."""
    s, e, d, p = exact(size), exact(entry), exact(delta), exact(price)
    increasing = z3.Or(s == 0, (s > 0) == (d > 0))
    new_size = s + d
    closed = minimum(absolute(d), absolute(s))
    side = z3.If(s > 0, exact(1), exact(-1))
    flipped = z3.And(new_size != 0, (new_size > 0) == (d > 0))
    averaged = (s * e + d * p) / new_size
    return Applied(
        size=new_size,
        entry=z3.If(increasing, averaged, z3.If(flipped, p, e)),
        realized=z3.If(increasing, exact(0), closed * (p - e) * side),
    )


@dataclass(frozen=True)
class Settled:
    collateral: Term
    house: Term
    realized: Term  # as recorded, rounded to the micro-dollar
    fee: Term


def fill_settlement(
    collateral: Number, house: Number, applied: Applied, size: Number, price: Number, rate: Number
) -> Settled:
    """Account.fill and its caller: the trader gets realized - fee, the house the opposite."""
    realized = money(applied.realized)
    paid = fee(exact(size) * exact(price), rate)
    return Settled(
        collateral=exact(collateral) + realized - paid,
        house=exact(house) + paid - realized,
        realized=realized,
        fee=paid,
    )


# --- liquidation and the collateral floor (SPEC 4) --------------------------------------


@dataclass(frozen=True)
class LiquidationStep:
    collateral: Term
    house: Term
    insurance: Term
    fee: Term


def liquidation_close(
    collateral: Number,
    house: Number,
    insurance: Number,
    size: Number,
    entry: Number,
    mark: Number,
    others_pnl: Number,
) -> LiquidationStep:
    """One close of the liquidation loop: the whole position at mark, no trading fee, then
    1 % of its notional to the insurance fund, never more than the equity left."""
    realized = money(exact(size) * (exact(mark) - exact(entry)))
    after_close = exact(collateral) + realized
    equity_left = after_close + exact(others_pnl)
    # The cap is the equity left rounded down to the micro-dollar (floor of max(x, 0) is
    # max(floor(x), 0), written so that Z3 rounds a non-negative value only).
    charged = minimum(
        money(absolute(size) * exact(mark) * LIQUIDATION_FEE),
        toward_zero(maximum(equity_left, 0), MICRO),
    )
    return LiquidationStep(
        collateral=after_close - charged,
        house=exact(house) - realized,
        insurance=exact(insurance) + charged,
        fee=charged,
    )


@dataclass(frozen=True)
class Floor:
    collateral: Term
    insurance: Term
    house: Term
    from_insurance: Term
    from_house: Term


def cover_shortfall(collateral: Number, insurance: Number, house: Number) -> Floor:
    """A flat account below zero is set to zero: the insurance fund pays what it holds, the
    house the rest."""
    c, i, h = exact(collateral), exact(insurance), exact(house)
    shortfall = maximum(-c, 0)
    from_insurance = minimum(shortfall, maximum(i, 0))
    from_house = shortfall - from_insurance
    return Floor(c + shortfall, i - from_insurance, h - from_house, from_insurance, from_house)


# --- copy trading (SPEC 12) -------------------------------------------------------------


def proportional_size(
    leader_size: Number, copy_equity: Number, leader_equity: Number, step: Number
) -> Term:
    """leader size * copy equity / leader equity, rounded down to the step; 0 without equity."""
    ce, le = exact(copy_equity), exact(leader_equity)
    proportion = absolute(leader_size) * ce / le
    return z3.If(z3.Or(ce <= 0, le <= 0), exact(0), round_copy_size(proportion, step))


def round_copy_size(proportion: Number, step: Number) -> Term:
    """Down to the step: a copy never holds more than its proportion."""
    return toward_zero(proportion, step)


def copy_leverage(
    market: MarketSpec, leader_leverage: Number, unlocked: Number, notional: Number
) -> Term:
    return minimum(minimum(leader_leverage, unlocked), tier_leverage(market, notional))


def reduction_size(
    held: Number, leader_before: Number, leader_closed: Number, market: MarketSpec
) -> Term:
    """The leader's closed fraction of the copy's position (reduction_of_part); all of it
    when the leader closes fully."""
    h = absolute(held)
    closed, before = absolute(leader_closed), absolute(leader_before)
    return z3.If(closed >= before, h, reduction_of_part(h, h * closed / before, market))


def reduction_of_part(held: Number, part: Number, market: MarketSpec) -> Term:
    """The part rounded up to the step, at least the minimum size (a whole number of steps
    in every market); all of the position when the rest would be below the minimum.
    Counted in steps: the same values, in the form Z3 decides."""
    step = exact(market.step)
    held_steps = exact(held) / step
    steps = -z3.ToInt(-exact(part) / step)
    min_steps = int(market.min_size / market.step)
    size_steps = z3.If(steps >= min_steps, steps, min_steps)
    return (
        z3.If(held_steps - z3.ToReal(size_steps) < min_steps, held_steps, z3.ToReal(size_steps))
        * step
    )
