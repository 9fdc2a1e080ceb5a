"""The money contracts, each as (bounds, claim) over fresh Z3 unknowns, built from a rule
that defaults to its restatement (restated_money_rules.py). A proof is Z3 finding no input
within the bounds that breaks the claim; passing a deliberately broken rule instead shows
the same claim is refuted (test_proven_money_rules.py).

Bounds shared by the claims (SPEC 3-4 and the order value limits, with room): prices
0 < p <= $1,000,000; sizes 0 < |size| <= 1,000,000 units of the market; equities and
collateral within +/- $1,000,000,000; leverage 1 to the tier cap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import restated_money_rules as rule
import z3
from restated_money_rules import MarketSpec
from z3_exact import MICRO, Term, absolute, exact, money, on_grid

MAX_PRICE = 10**6
MAX_SIZE = 10**6
MAX_EQUITY = 10**9
HALF_MICRO = exact(MICRO / 2)


@dataclass(frozen=True)
class Claim:
    bounds: list[z3.BoolRef]
    claim: z3.BoolRef


def _reals(names: str) -> list[Term]:
    return list(z3.Reals(names))


def _price(p: Term) -> z3.BoolRef:
    return z3.And(p > 0, p <= MAX_PRICE)


def _size(s: Term) -> z3.BoolRef:
    return z3.And(s > 0, s <= MAX_SIZE)


def _signed_size(s: Term) -> z3.BoolRef:
    return z3.And(s != 0, s >= -MAX_SIZE, s <= MAX_SIZE)


def _amount(a: Term) -> z3.BoolRef:
    return z3.And(a >= -MAX_EQUITY, a <= MAX_EQUITY)


def _micro_grid(a: Term) -> z3.BoolRef:
    return on_grid(a, MICRO)


# --- prices and fees --------------------------------------------------------------------


def taker_slippage(buy: bool, target: Callable[..., Term] = rule.taker_target) -> Claim:
    """Before rounding, a taker's price is 1 to 50 bp worse than the mark for the trader."""
    size, mark = _reals("size mark")
    price = target(buy, size, mark)
    worse = price - mark if buy else mark - price
    return Claim(
        [_size(size), _price(mark)],
        z3.And(worse >= mark * rule.SLIPPAGE_BASE, worse <= mark * rule.SLIPPAGE_CAP),
    )


def taker_buy_rounding(
    market: MarketSpec, rounding: Callable[..., Term] = rule.round_buy_price
) -> Claim:
    """A buy's price is on the tick, never below its target and less than a tick above."""
    target = z3.Real("target")
    price = rounding(target, market.tick)
    return Claim(
        [target > 0, target <= 2 * MAX_PRICE],
        z3.And(on_grid(price, market.tick), price >= target, price < target + market.tick),
    )


def taker_sell_rounding(
    market: MarketSpec, rounding: Callable[..., Term] = rule.round_sell_price
) -> Claim:
    """A sell's price is on the tick, never above its target (unless that is below one tick:
    then one tick) and less than a tick below it."""
    target = z3.Real("target")
    price = rounding(target, market.tick)
    return Claim(
        [target > 0, target <= 2 * MAX_PRICE],
        z3.And(
            on_grid(price, market.tick),
            price >= market.tick,
            z3.Or(price <= target, z3.And(price == market.tick, target < market.tick)),
            price > target - market.tick,
        ),
    )


def fee_rounding(fee: Callable[..., Term] = rule.fee) -> Claim:
    """A fee is >= 0, on the micro-dollar grid, within half a micro-dollar of notional x rate."""
    notional, rate = _reals("notional rate")
    paid = fee(notional, rate)
    exact_fee = notional * rate
    return Claim(
        [notional > 0, notional <= 10**10, z3.Or(rate == rule.TAKER_FEE, rate == 0)],
        z3.And(
            paid >= 0,
            _micro_grid(paid),
            paid - exact_fee <= HALF_MICRO,
            exact_fee - paid <= HALF_MICRO,
        ),
    )


def funding_rate_capped(
    samples: int, funding_rate: Callable[..., Term] = rule.funding_rate
) -> Claim:
    """The rate is within +/- 0.1 %, has the premium's sign, and is mean / 8 whenever that is
    within the cap."""
    premiums = [z3.Real(f"premium_{i}") for i in range(samples)]
    rate = funding_rate(premiums)
    mean = sum(premiums, exact(0)) / samples
    cap = exact(rule.FUNDING_CAP)
    return Claim(
        [z3.And(p >= -1, p <= 1) for p in premiums],
        z3.And(
            rate <= cap,
            rate >= -cap,
            rate * mean >= 0,
            z3.Implies(absolute(mean / rule.FUNDING_DIVISOR) <= cap, rate == mean / 8),
        ),
    )


def funding_payment_direction(payment: Callable[..., Term] = rule.funding_payment) -> Claim:
    """Longs pay and shorts receive a positive rate (the other way round for a negative
    one); a payment is at most |size| x mark x 0.1 % and half a micro-dollar."""
    size, mark, rate = _reals("size mark rate")
    paid = payment(size, mark, rate)
    return Claim(
        [_signed_size(size), _price(mark), rate >= -rule.FUNDING_CAP, rate <= rule.FUNDING_CAP],
        z3.And(
            paid * size * rate >= 0,
            _micro_grid(paid),
            absolute(paid) <= absolute(size) * mark * rule.FUNDING_CAP + HALF_MICRO,
        ),
    )


# --- margin -----------------------------------------------------------------------------


def maintenance_within_half_initial(
    market: MarketSpec, maintenance: Callable[..., Term] = rule.maintenance_margin
) -> Claim:
    """At any leverage within the tier cap, maintenance <= half the initial margin."""
    size, mark, leverage = _reals("size mark leverage")
    cap = rule.tier_leverage(market, absolute(size) * mark)
    return Claim(
        [_signed_size(size), _price(mark), leverage >= 1, leverage <= cap],
        maintenance(market, size, mark) * 2 <= rule.initial_margin(size, mark, leverage),
    )


def tiers_never_reward_size(
    market: MarketSpec, maintenance: Callable[..., Term] = rule.maintenance_margin
) -> Claim:
    """A larger position never gets a higher leverage cap nor needs less maintenance."""
    small, large = _reals("small large")
    return Claim(
        [small > 0, small <= large, large <= 10**10],
        z3.And(
            rule.tier_leverage(market, small) >= rule.tier_leverage(market, large),
            maintenance(market, small, 1) <= maintenance(market, large, 1),
        ),
    )


def admitted_is_not_liquidatable(
    first: MarketSpec,
    second: MarketSpec,
    maintenance: Callable[..., Term] = rule.maintenance_margin,
    leverage_room: int = 1,
) -> Claim:
    """Cross margin, two positions: with each leverage within its tier cap and available
    (equity - initial margins - orders' reservations) >= 0, equity > maintenance: an
    account the margin check admits is never liquidatable at the same marks."""
    c, reserved, s1, e1, m1, l1, s2, e2, m2, l2 = _reals("c reserved s1 e1 m1 l1 s2 e2 m2 l2")
    equity = c + rule.unrealized_pnl(s1, e1, m1) + rule.unrealized_pnl(s2, e2, m2)
    initial = rule.initial_margin(s1, m1, l1) + rule.initial_margin(s2, m2, l2)
    caps = (
        rule.tier_leverage(first, absolute(s1) * m1) * leverage_room,
        rule.tier_leverage(second, absolute(s2) * m2) * leverage_room,
    )
    return Claim(
        [
            _amount(c),
            reserved >= 0,
            _signed_size(s1),
            _signed_size(s2),
            *(_price(p) for p in (e1, m1, e2, m2)),
            l1 >= 1,
            l1 <= caps[0],
            l2 >= 1,
            l2 <= caps[1],
            equity - initial - reserved >= 0,
        ],
        equity > maintenance(first, s1, m1) + maintenance(second, s2, m2),
    )


# --- positions and fills ----------------------------------------------------------------

Apply = Callable[..., rule.Applied]


def _fill_unknowns() -> tuple[list[Term], list[z3.BoolRef]]:
    size, entry, delta, price = _reals("size entry delta price")
    return [size, entry, delta, price], [
        _signed_size(size),
        _signed_size(delta),
        _price(entry),
        _price(price),
    ]


def pnl_conserved(apply_fill: Apply = rule.apply_fill) -> Claim:
    """A fill at p creates no P&L: realized + the new position's unrealized at p equals the
    old position's unrealized at p (increase, reduce, close and flip)."""
    (size, entry, delta, price), bounds = _fill_unknowns()
    after = apply_fill(size, entry, delta, price)
    return Claim(
        bounds,
        after.realized + rule.unrealized_pnl(after.size, after.entry, price)
        == rule.unrealized_pnl(size, entry, price),
    )


def reduce_never_adds(apply_fill: Apply = rule.apply_fill) -> Claim:
    """A reduce (opposite side, at most the position) realizes closed x (exit - entry) x side,
    keeps the entry, and leaves the position smaller on the same side or flat."""
    (size, entry, delta, price), bounds = _fill_unknowns()
    after = apply_fill(size, entry, delta, price)
    side = z3.If(size > 0, exact(1), exact(-1))
    return Claim(
        [*bounds, size * delta < 0, absolute(delta) <= absolute(size)],
        z3.And(
            absolute(after.size) <= absolute(size),
            after.size * size >= 0,
            after.entry == entry,
            after.realized == absolute(delta) * (price - entry) * side,
        ),
    )


def flip_opens_at_the_fill(apply_fill: Apply = rule.apply_fill) -> Claim:
    """A fill past flat realizes the whole position and opens the rest at the fill price."""
    (size, entry, delta, price), bounds = _fill_unknowns()
    after = apply_fill(size, entry, delta, price)
    return Claim(
        [*bounds, size * delta < 0, absolute(delta) > absolute(size)],
        z3.And(
            after.realized == size * (price - entry),
            after.entry == price,
            after.size * delta > 0,
            absolute(after.size) == absolute(delta) - absolute(size),
        ),
    )


def increase_averages(apply_fill: Apply = rule.apply_fill) -> Claim:
    """An increase realizes nothing and its entry lies between the old entry and the fill."""
    (size, entry, delta, price), bounds = _fill_unknowns()
    after = apply_fill(size, entry, delta, price)
    return Claim(
        [*bounds, size * delta > 0],
        z3.And(
            after.realized == 0,
            after.entry >= z3.If(entry <= price, entry, price),
            after.entry <= z3.If(entry <= price, price, entry),
        ),
    )


def fill_money_conserved(settle: Callable[..., rule.Settled] = rule.fill_settlement) -> Claim:
    """A fill moves exactly as much money as it takes: trader + house unchanged, and the
    trader's equity at the fill price falls by the fee (+/- half a micro-dollar of rounding
    of the realized P&L), never more."""
    (size, entry, delta, price), bounds = _fill_unknowns()
    collateral, house = _reals("collateral house")
    after = rule.apply_fill(size, entry, delta, price)
    settled = settle(collateral, house, after, absolute(delta), price, rule.TAKER_FEE)
    before_equity = collateral + rule.unrealized_pnl(size, entry, price)
    after_equity = settled.collateral + rule.unrealized_pnl(after.size, after.entry, price)
    rounding = after_equity - (before_equity - settled.fee)
    return Claim(
        [*bounds, _amount(collateral), _amount(house)],
        z3.And(
            settled.collateral + settled.house == collateral + house,
            settled.fee >= 0,
            rounding <= HALF_MICRO,
            rounding >= -HALF_MICRO,
        ),
    )


# --- liquidation and the floor ----------------------------------------------------------


def _liquidation_unknowns() -> tuple[list[Term], list[z3.BoolRef]]:
    c, house, insurance, size, entry, mark, others = _reals(
        "collateral house insurance size entry mark others_pnl"
    )
    return [c, house, insurance, size, entry, mark, others], [
        _amount(c),
        _micro_grid(c),  # collateral only ever moves by money-rounded amounts
        _amount(house),
        _amount(insurance),
        _signed_size(size),
        _price(entry),
        _price(mark),
        _amount(others),
    ]


def liquidation_close_bounded(
    close: Callable[..., rule.LiquidationStep] = rule.liquidation_close,
    others_open: bool = False,
    exact_floor: bool = False,
) -> Claim:
    """One liquidation close: money is conserved (trader + house + insurance), the fee is
    0 to 1 % of the notional, and never more than the equity left: when that was >= 0 the
    equity after the fee is >= 0 for the last position (others_open=False), and above
    -half a micro-dollar while other positions stay open (their P&L is not money-rounded).
    `exact_floor` asks for >= 0 with others open too (true since the cap rounds down)."""
    (c, house, insurance, size, entry, mark, others), bounds = _liquidation_unknowns()
    step = close(c, house, insurance, size, entry, mark, others if others_open else 0)
    equity_left = c + money(size * (mark - entry)) + (others if others_open else 0)
    equity_after = step.collateral + (others if others_open else 0)
    slack = exact(0) if (exact_floor or not others_open) else HALF_MICRO
    return Claim(
        bounds,
        z3.And(
            step.collateral + step.house + step.insurance == c + house + insurance,
            step.fee >= 0,
            step.fee <= money(absolute(size) * mark * rule.LIQUIDATION_FEE),
            z3.Implies(equity_left >= 0, equity_after >= -slack),
            z3.Implies(equity_left < 0, step.fee == 0),
        ),
    )


def floor_covers_the_shortfall(cover: Callable[..., rule.Floor] = rule.cover_shortfall) -> Claim:
    """A flat account ends at max(collateral, 0); the insurance fund pays what it holds and
    never goes below zero for it, the house the rest; nothing is created or lost."""
    c, insurance, house = _reals("collateral insurance house")
    after = cover(c, insurance, house)
    return Claim(
        [_amount(c), _amount(insurance), _amount(house)],
        z3.And(
            after.collateral >= 0,
            after.collateral == z3.If(c >= 0, c, exact(0)),
            after.from_insurance >= 0,
            after.from_house >= 0,
            z3.Implies(insurance >= 0, after.insurance >= 0),
            after.collateral + after.insurance + after.house == c + insurance + house,
        ),
    )


def last_close_then_floor(
    close: Callable[..., rule.LiquidationStep] = rule.liquidation_close,
) -> Claim:
    """The last liquidation close then the floor: the trader never owes (collateral >= 0),
    the insurance fund or the house covers what the close left below zero, and money is
    conserved across trader, house and insurance."""
    (c, house, insurance, size, entry, mark, _), bounds = _liquidation_unknowns()
    step = close(c, house, insurance, size, entry, mark, 0)
    floor = rule.cover_shortfall(step.collateral, step.insurance, step.house)
    return Claim(
        bounds,
        z3.And(
            floor.collateral >= 0,
            floor.collateral + floor.insurance + floor.house == c + house + insurance,
            z3.Implies(insurance >= 0, floor.insurance >= 0),
        ),
    )


# --- copy trading -----------------------------------------------------------------------


def copy_size_within_proportion(
    market: MarketSpec, rounding: Callable[..., Term] = rule.round_copy_size
) -> Claim:
    """For every proportion q = leader size x copy equity / leader equity: 0 <= copy size
    <= q, less than one step below it, and a whole number of steps."""
    proportion = z3.Real("proportion")
    size = rounding(proportion, market.step)
    return Claim(
        [proportion > 0, proportion <= 10**12],
        z3.And(
            size >= 0,
            size <= proportion,
            proportion - size < market.step,
            on_grid(size, market.step),
        ),
    )


def copy_leverage_within_the_copiers(
    market: MarketSpec, leverage: Callable[..., Term] = rule.copy_leverage
) -> Claim:
    """A copy's leverage is never above the copier's unlocked leverage, the leader's, or the
    tier cap of the position it leads to: its margin is at least notional / unlocked."""
    leader, unlocked, notional = _reals("leader unlocked notional")
    chosen = leverage(market, leader, unlocked, notional)
    return Claim(
        [leader >= 1, leader <= 100, unlocked >= 1, unlocked <= 100, notional > 0],
        z3.And(
            chosen <= unlocked,
            chosen <= leader,
            chosen <= rule.tier_leverage(market, notional),
            notional / chosen >= notional / unlocked,
        ),
    )


def copy_reduction_closes_the_fraction(
    market: MarketSpec, reduction: Callable[..., Term] = rule.reduction_of_part
) -> Claim:
    """For a held position on the step grid and any part 0 < part < held (the leader's
    closed fraction of it): the copy closes at least the part, never more than it holds,
    and leaves nothing or at least the minimum size (a rest an order can close). That the
    size is on the step Z3 does not decide within 10 s: the bridge checks it on the code."""
    held_steps, part_steps = z3.Int("held_steps"), z3.Real("part_steps")
    held = z3.ToReal(held_steps) * exact(market.step)
    part = part_steps * exact(market.step)
    size = reduction(held, part, market)
    left = held - size
    return Claim(
        [held >= market.min_size, held <= MAX_SIZE, part > 0, part < held],
        z3.And(
            size >= part,
            size <= held,
            z3.Or(left == 0, left >= market.min_size),
        ),
    )
