"""The bridge from the proofs to the code: on random inputs within the proofs' bounds, each
domain function and its Z3 restatement (restated_money_rules.py, evaluated exactly on the
same values) agree exactly, so what Z3 proves of the restatement holds of the code there.

Exactly means equal as rationals, with one stated exception: where the code ends with a
division whose quotient does not terminate (an averaged entry, margin at 3x), Decimal
rounds it to 28 significant digits, and the bridge checks the code's value is the exact
quotient so rounded (`to_context`); the funding rate's mean then / 8 rounds twice and is
checked to 1e-27 of the exact rate. Every rounding to a grid (tick, step, micro-dollar)
is compared exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import restated_money_rules as rule
from hypothesis import event, given, settings
from hypothesis import strategies as st
from z3_exact import value_of

from astratrade.copytrading.domain import sizing
from astratrade.copytrading.domain.rules import LeverageTier, MarketRules
from astratrade.shared.ids import sequential_ids
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind, LeverageSettings
from astratrade.trading.domain.execution import cover_shortfall
from astratrade.trading.domain.liquidation import liquidate
from astratrade.trading.domain.margin import initial_margin, maintenance_margin
from astratrade.trading.domain.markets import DEFAULT_MARKETS, Market
from astratrade.trading.domain.orders import Liquidity, Side
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.pricing import fee, funding_rate, taker_price
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.domain.venue import SystemAccounts, Venue

D = Decimal
AT = datetime(2026, 1, 5, tzinfo=UTC)
RULES = TradingRules()
CODE_MARKETS = {m.id: m for m in DEFAULT_MARKETS}
SPEC_MARKETS = {m.id: m for m in rule.MARKETS}
EXAMPLES = settings(max_examples=150, deadline=None)

markets = st.sampled_from(sorted(CODE_MARKETS))
prices = st.decimals(min_value=D("0.00001"), max_value=D(1_000_000), places=5)
money_amounts = st.decimals(min_value=D(-1_000_000), max_value=D(1_000_000), places=6)
leverages = st.decimals(min_value=D(1), max_value=D(100), places=1)


def steps(market: Market, most: int = 10**6) -> st.SearchStrategy[Decimal]:
    """A positive size on the market's grid, up to `most` units of the market."""
    return st.integers(1, int(D(most) / market.step)).map(lambda n: n * market.step)


def signed(size: Decimal, long: bool) -> Decimal:
    return size if long else -size


def to_context(value: Fraction) -> Decimal:
    """The exact value as Decimal's context rounds one division of its two terms."""
    return D(value.numerator) / D(value.denominator)


def equal(code: Decimal, restated: Fraction) -> bool:
    return Fraction(code) == restated


def account(collateral: Decimal, positions: list[Position], kind: AccountKind) -> Account:
    return Account(
        "acct",
        owner_id="owner",
        kind=kind,
        currency="USD",
        collateral=collateral,
        leverage=LeverageSettings(D(5)),
        created_at=AT,
        positions=positions,
    )


def system(house: Decimal, insurance: Decimal) -> SystemAccounts:
    return SystemAccounts(
        house=account(house, [], AccountKind.HOUSE),
        insurance=account(insurance, [], AccountKind.INSURANCE),
    )


# --- prices and fees --------------------------------------------------------------------


@EXAMPLES
@given(st.data(), markets, prices, st.booleans())
def test_taker_price_matches_its_restatement(
    data: st.DataObject, market_id: str, mark: Decimal, buy: bool
) -> None:
    market = CODE_MARKETS[market_id]
    size = data.draw(steps(market))
    code = taker_price(market, Side.BUY if buy else Side.SELL, size, mark, RULES)
    assert equal(code, value_of(rule.taker_price(SPEC_MARKETS[market_id], buy, size, mark)))


@EXAMPLES
@given(st.decimals(min_value=D(0), max_value=D(10**10), places=11), st.booleans())
def test_fee_matches_its_restatement(notional: Decimal, taker: bool) -> None:
    rate = RULES.taker_fee_rate if taker else RULES.maker_fee_rate
    assert equal(fee(notional, rate), value_of(rule.fee(notional, rate)))


@EXAMPLES
@given(st.lists(st.decimals(min_value=D(-1), max_value=D(1), places=8), max_size=60))
def test_funding_rate_matches_its_restatement(premiums: list[Decimal]) -> None:
    code = funding_rate(premiums, RULES)
    restated = value_of(rule.funding_rate(list(premiums)))
    # Two divisions (sum / n, then / 8), each rounded to Decimal's 28 digits: the code is
    # the exact rate to within 1e-27 of it; capped or without samples, exactly.
    assert abs(Fraction(code) - restated) <= abs(restated) * Fraction(1, 10**27)


@EXAMPLES
@given(st.data(), markets, prices, st.booleans(), st.decimals(D("-0.001"), D("0.001"), places=8))
def test_funding_payment_matches_its_restatement(
    data: st.DataObject, market_id: str, mark: Decimal, long: bool, rate: Decimal
) -> None:
    size = signed(data.draw(steps(CODE_MARKETS[market_id])), long)
    holder = account(D(0), [Position(market_id, size, mark, AT)], AccountKind.PRACTICE)
    paid = holder.pay_funding(market_id, rate, mark, AT)
    assert equal(paid, value_of(rule.funding_payment(size, mark, rate)))
    assert holder.collateral == -paid  # the house takes exactly this (handlers/market.py)


# --- margin -----------------------------------------------------------------------------


@EXAMPLES
@given(st.data(), markets, prices, st.booleans(), leverages)
def test_margins_match_their_restatement(
    data: st.DataObject, market_id: str, mark: Decimal, long: bool, leverage: Decimal
) -> None:
    market = CODE_MARKETS[market_id]
    size = signed(data.draw(steps(market)), long)
    position = [Position(market_id, size, mark, AT)]
    marks = {market_id: mark}
    code_initial = initial_margin(position, marks, {market_id: leverage})
    assert code_initial == to_context(value_of(rule.initial_margin(size, mark, leverage)))
    code_maintenance = maintenance_margin(position, marks, CODE_MARKETS)
    restated = rule.maintenance_margin(SPEC_MARKETS[market_id], size, mark)
    assert equal(code_maintenance, value_of(restated))
    notional = abs(size) * mark
    tier = value_of(rule.tier_leverage(SPEC_MARKETS[market_id], notional))
    assert equal(market.tier_for(notional).max_leverage, tier)


# --- positions and fills ----------------------------------------------------------------


@EXAMPLES
@given(st.data(), markets, prices, prices, st.booleans(), st.booleans())
def test_position_apply_matches_its_restatement(
    data: st.DataObject, market_id: str, entry: Decimal, price: Decimal, long: bool, buy: bool
) -> None:
    market = CODE_MARKETS[market_id]
    size = signed(data.draw(steps(market)), long)
    delta = signed(data.draw(steps(market)), buy)
    position = Position(market_id, size, entry, AT)
    realized = position.apply(delta, price)
    restated = rule.apply_fill(size, entry, delta, price)
    assert equal(realized, value_of(restated.realized))
    assert equal(position.size, value_of(restated.size))
    if position.size != 0:
        exact_entry = value_of(restated.entry)
        assert equal(position.entry_price, exact_entry) or position.entry_price == to_context(
            exact_entry
        )


@EXAMPLES
@given(st.data(), markets, prices, prices, st.booleans(), st.booleans(), money_amounts)
def test_fill_settlement_matches_its_restatement(
    data: st.DataObject,
    market_id: str,
    entry: Decimal,
    price: Decimal,
    long: bool,
    buy: bool,
    collateral: Decimal,
) -> None:
    market = CODE_MARKETS[market_id]
    size = signed(data.draw(steps(market)), long)
    fill_size = data.draw(steps(market))
    trader = account(collateral, [Position(market_id, size, entry, AT)], AccountKind.PRACTICE)
    fill = trader.fill(
        fill_id="f",
        order=None,
        market=market_id,
        side=Side.BUY if buy else Side.SELL,
        size=fill_size,
        price=price,
        fee_rate=RULES.taker_fee_rate,
        liquidity=Liquidity.TAKER,
        at=AT,
    )
    house_change = fill.fee - fill.realized_pnl  # what the caller settles with the house
    applied = rule.apply_fill(size, entry, signed(fill_size, buy), price)
    settled = rule.fill_settlement(collateral, 0, applied, fill_size, price, RULES.taker_fee_rate)
    assert equal(trader.collateral, value_of(settled.collateral))
    assert equal(house_change, value_of(settled.house))
    assert equal(fill.fee, value_of(settled.fee))
    assert equal(fill.realized_pnl, value_of(settled.realized))


# --- liquidation and the floor ----------------------------------------------------------


@EXAMPLES
@given(st.data(), markets, prices, st.booleans(), money_amounts)
def test_last_liquidation_close_and_floor_match_their_restatement(
    data: st.DataObject, market_id: str, entry: Decimal, long: bool, insurance: Decimal
) -> None:
    """A one-position account (collateral -5 % to 20 % of its notional) liquidated at a mark
    up to 30 % from its entry: the close, its fee and the floor, against liquidation_close
    then cover_shortfall."""
    market = CODE_MARKETS[market_id]
    size = signed(data.draw(steps(market, most=10**4)), long)
    notional = abs(size) * entry
    collateral = (notional * data.draw(st.integers(-50, 200)) / 1000).quantize(D("0.000001"))
    move = data.draw(st.integers(-3000, 3000))
    mark = max((entry * (10_000 + move) / 10_000).quantize(D("0.00001")), D("0.00001"))
    trader = account(collateral, [Position(market_id, size, entry, AT)], AccountKind.PRACTICE)
    funds = system(D(0), insurance)
    venue = Venue(
        markets=dict(CODE_MARKETS),
        quotes={market_id: Quote(market_id, mark, mark, AT)},
        rules=RULES,
        ids=sequential_ids("liq"),
    )
    liquidated = liquidate(trader, venue, funds, AT)
    step = rule.liquidation_close(collateral, 0, insurance, size, entry, mark, 0)
    event("liquidated" if liquidated else "not liquidatable at this mark")
    if not liquidated:
        return
    event("floor reached" if trader.collateral == 0 else "collateral left")
    floor = rule.cover_shortfall(step.collateral, step.insurance, step.house)
    assert equal(trader.collateral, value_of(floor.collateral))
    assert equal(funds.insurance.collateral, value_of(floor.insurance))
    assert equal(funds.house.collateral, value_of(floor.house))


@EXAMPLES
@given(money_amounts, money_amounts, money_amounts)
def test_collateral_floor_matches_its_restatement(
    collateral: Decimal, insurance: Decimal, house: Decimal
) -> None:
    trader = account(collateral, [], AccountKind.PRACTICE)
    funds = system(house, insurance)
    cover_shortfall(trader, funds, AT)
    floor = rule.cover_shortfall(collateral, insurance, house)
    assert equal(trader.collateral, value_of(floor.collateral))
    assert equal(funds.insurance.collateral, value_of(floor.insurance))
    assert equal(funds.house.collateral, value_of(floor.house))


# --- copy trading -----------------------------------------------------------------------


def copy_rules(market: Market) -> MarketRules:
    tiers = tuple(LeverageTier(t.max_leverage, t.up_to) for t in market.tiers)
    return MarketRules(market.id, market.step, market.min_size, tiers)


equities = st.decimals(min_value=D("0.000001"), max_value=D(10**9), places=6)


@EXAMPLES
@given(st.data(), markets, equities, equities, st.booleans())
def test_proportional_copy_size_matches_its_restatement(
    data: st.DataObject, market_id: str, copy_equity: Decimal, leader_equity: Decimal, long: bool
) -> None:
    market = CODE_MARKETS[market_id]
    leader_size = signed(data.draw(steps(market)), long)
    code = sizing.proportional_size(leader_size, copy_equity, leader_equity, copy_rules(market))
    restated = rule.proportional_size(leader_size, copy_equity, leader_equity, market.step)
    assert equal(code, value_of(restated))


@EXAMPLES
@given(markets, leverages, leverages, st.decimals(D(1), D(10**8), places=2))
def test_copy_leverage_matches_its_restatement(
    market_id: str, leader: Decimal, unlocked: Decimal, notional: Decimal
) -> None:
    code = sizing.copy_leverage(leader, unlocked, copy_rules(CODE_MARKETS[market_id]), notional)
    restated = rule.copy_leverage(SPEC_MARKETS[market_id], leader, unlocked, notional)
    assert equal(code, value_of(restated))


@EXAMPLES
@given(st.data(), markets, st.booleans())
def test_copy_reduction_matches_its_restatement(
    data: st.DataObject, market_id: str, long: bool
) -> None:
    market = CODE_MARKETS[market_id]
    held = signed(data.draw(steps(market)), long)
    leader_before = data.draw(steps(market))
    leader_closed = data.draw(steps(market))
    code = sizing.reduction_size(held, leader_before, leader_closed, copy_rules(market))
    restated = value_of(
        rule.reduction_size(held, leader_before, leader_closed, SPEC_MARKETS[market_id])
    )
    assert equal(code, restated)
    assert code % market.step == 0  # on the step: the part of the contract Z3 left undecided
