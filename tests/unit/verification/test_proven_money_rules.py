"""Proofs of the money rules restated over exact arithmetic (restated_money_rules.py), by
Z3, for every input within the bounds each claim states (money_claims.py); then, for each,
a deliberately broken rule and the counterexample Z3 finds for it, which shows the claim
is not vacuous. The restatements agree with the code value for value
(test_restatements_match_the_code.py); docs/verification.md lists what is proven.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import money_claims as claims
import pytest
import restated_money_rules as rule
import z3
from money_claims import Claim
from restated_money_rules import MARKETS, MarketSpec
from z3_exact import Number, Term, absolute, away_from_zero, exact, money, prove, toward_zero

BY_ID = {m.id: m for m in MARKETS}
MARKET_IDS = [m.id for m in MARKETS]
PROOF_BUDGET_SECONDS = 2.0


def assert_proven(claim: Claim) -> None:
    verdict = prove(claim.bounds, claim.claim)
    assert verdict.proven, f"counterexample: {verdict.counterexample}"
    assert verdict.seconds < PROOF_BUDGET_SECONDS


def assert_refuted(claim: Claim) -> None:
    verdict = prove(claim.bounds, claim.claim)
    assert not verdict.proven, "a broken rule was proven: the claim says nothing"
    assert verdict.counterexample


# --- proofs -----------------------------------------------------------------------------


@pytest.mark.parametrize("buy", [True, False])
def test_taker_slippage_is_1_to_50_bp_against_the_trader(buy: bool) -> None:
    assert_proven(claims.taker_slippage(buy))


@pytest.mark.parametrize("market", MARKET_IDS)
def test_taker_buy_price_rounds_up_to_the_tick_within_one_tick(market: str) -> None:
    assert_proven(claims.taker_buy_rounding(BY_ID[market]))


@pytest.mark.parametrize("market", MARKET_IDS)
def test_taker_sell_price_rounds_down_to_the_tick_within_one_tick(market: str) -> None:
    assert_proven(claims.taker_sell_rounding(BY_ID[market]))


def test_fee_is_notional_times_rate_to_half_a_micro_dollar() -> None:
    assert_proven(claims.fee_rounding())


@pytest.mark.parametrize("samples", [1, 2, 60])
def test_funding_rate_is_capped_and_follows_the_premium(samples: int) -> None:
    assert_proven(claims.funding_rate_capped(samples))


def test_funding_payment_longs_pay_a_positive_rate_within_the_cap() -> None:
    assert_proven(claims.funding_payment_direction())


@pytest.mark.parametrize("market", MARKET_IDS)
def test_maintenance_margin_is_at_most_half_the_initial_margin(market: str) -> None:
    assert_proven(claims.maintenance_within_half_initial(BY_ID[market]))


@pytest.mark.parametrize("market", MARKET_IDS)
def test_risk_tiers_never_reward_a_larger_position(market: str) -> None:
    assert_proven(claims.tiers_never_reward_size(BY_ID[market]))


@pytest.mark.parametrize(("first", "second"), [("BTC-USD", "STRK-USD"), ("ETH-USD", "SOL-USD")])
def test_available_margin_admits_no_liquidatable_account(first: str, second: str) -> None:
    assert_proven(claims.admitted_is_not_liquidatable(BY_ID[first], BY_ID[second]))


def test_position_fill_creates_no_pnl() -> None:
    assert_proven(claims.pnl_conserved())


def test_position_reduce_never_increases_exposure() -> None:
    assert_proven(claims.reduce_never_adds())


def test_position_flip_opens_the_rest_at_the_fill_price() -> None:
    assert_proven(claims.flip_opens_at_the_fill())


def test_position_increase_averages_the_entry() -> None:
    assert_proven(claims.increase_averages())


def test_fill_moves_exactly_as_much_money_as_it_takes() -> None:
    assert_proven(claims.fill_money_conserved())


@pytest.mark.parametrize("others_open", [False, True])
def test_liquidation_fee_never_exceeds_the_equity_left(others_open: bool) -> None:
    assert_proven(claims.liquidation_close_bounded(others_open=others_open))


def test_liquidation_fee_never_passes_the_equity_left_with_other_positions_open() -> None:
    """With other positions open the equity left is not on the micro grid: the cap is it
    rounded down (rounded to nearest, it was up to half a micro-dollar above it)."""
    assert_proven(claims.liquidation_close_bounded(others_open=True, exact_floor=True))


def test_collateral_floor_leaves_a_flat_account_at_zero() -> None:
    assert_proven(claims.floor_covers_the_shortfall())


def test_last_liquidation_close_and_the_floor_leave_nothing_owed() -> None:
    assert_proven(claims.last_close_then_floor())


@pytest.mark.parametrize("market", MARKET_IDS)
def test_copy_size_is_at_most_proportional_and_on_the_step(market: str) -> None:
    assert_proven(claims.copy_size_within_proportion(BY_ID[market]))


@pytest.mark.parametrize("market", MARKET_IDS)
def test_copy_leverage_is_never_above_the_copiers(market: str) -> None:
    assert_proven(claims.copy_leverage_within_the_copiers(BY_ID[market]))


@pytest.mark.parametrize("market", MARKET_IDS)
def test_copy_reduction_closes_the_leaders_fraction(market: str) -> None:
    assert_proven(claims.copy_reduction_closes_the_fraction(BY_ID[market]))


# --- broken rules are refuted -----------------------------------------------------------

BTC = BY_ID["BTC-USD"]


def _flip_keeps_the_entry(s: Number, e: Number, d: Number, p: Number) -> rule.Applied:
    right = rule.apply_fill(s, e, d, p)
    flipped = z3.And(right.size != 0, (right.size > 0) == (exact(d) > 0), exact(s) * exact(d) < 0)
    return rule.Applied(right.size, z3.If(flipped, exact(e), right.entry), right.realized)


def _reduce_averages(s: Number, e: Number, d: Number, p: Number) -> rule.Applied:
    right = rule.apply_fill(s, e, d, p)
    averaged = (exact(s) * exact(e) + exact(d) * exact(p)) / (exact(s) + exact(d))
    reducing = exact(s) * exact(d) < 0
    return rule.Applied(right.size, z3.If(reducing, averaged, right.entry), right.realized)


def _increase_divides_by_the_old_size(s: Number, e: Number, d: Number, p: Number) -> rule.Applied:
    right = rule.apply_fill(s, e, d, p)
    wrong = (exact(s) * exact(e) + exact(d) * exact(p)) / exact(s)
    return rule.Applied(
        right.size, z3.If(exact(s) * exact(d) > 0, wrong, right.entry), right.realized
    )


def _house_takes_only_the_fee(*args: Number | rule.Applied) -> rule.Settled:
    right = rule.fill_settlement(*args)  # type: ignore[arg-type]
    return rule.Settled(right.collateral, exact(args[1]) + right.fee, right.realized, right.fee)  # type: ignore[arg-type]


def _fee_not_capped(*args: Number) -> rule.LiquidationStep:
    c, house, insurance, size, entry, mark, _ = (exact(a) for a in args)
    realized = money(size * (mark - entry))
    charged = money(absolute(size) * mark * rule.LIQUIDATION_FEE)
    return rule.LiquidationStep(
        c + realized - charged, house - realized, insurance + charged, charged
    )


def _insurance_pays_it_all(c: Number, insurance: Number, house: Number) -> rule.Floor:
    shortfall = z3.If(exact(c) < 0, -exact(c), exact(0))
    return rule.Floor(
        exact(c) + shortfall, exact(insurance) - shortfall, exact(house), shortfall, exact(0)
    )


def _last_close_then_generous_floor() -> Claim:
    (c, house, insurance, size, entry, mark, _), bounds = claims._liquidation_unknowns()
    step = rule.liquidation_close(c, house, insurance, size, entry, mark, 0)
    floor = _insurance_pays_it_all(step.collateral, step.insurance, step.house)
    return Claim(bounds, z3.Implies(insurance >= 0, floor.insurance >= 0))


def _maintenance_at_full_rate(m: MarketSpec, s: Number, mark: Number) -> Term:
    notional = absolute(s) * exact(mark)
    return notional / rule.tier_leverage(m, notional)


def _maintenance_cap_from_the_wrong_end(m: MarketSpec, s: Number, mark: Number) -> Term:
    notional = absolute(s) * exact(mark)
    return notional * Decimal("0.5") / (200 - rule.tier_leverage(m, notional))


BROKEN: dict[str, Callable[[], Claim]] = {
    "sell slippage charged as a buy's": lambda: claims.taker_slippage(
        False, lambda buy, s, m: rule.taker_target(not buy, s, m)
    ),
    "buy price rounded down": lambda: claims.taker_buy_rounding(BTC, toward_zero),
    "sell price rounded up": lambda: claims.taker_sell_rounding(BTC, away_from_zero),
    "fee rounded down to the cent": lambda: claims.fee_rounding(
        lambda n, r: toward_zero(exact(n) * exact(r), Decimal("0.01"))
    ),
    "funding rate not capped": lambda: claims.funding_rate_capped(
        2, lambda ps: (ps[0] + ps[1]) / 2 / rule.FUNDING_DIVISOR
    ),
    "shorts pay a positive rate": lambda: claims.funding_payment_direction(
        lambda s, m, r: money(-exact(s) * exact(m) * exact(r))
    ),
    "MMR = 1 / max leverage": lambda: claims.maintenance_within_half_initial(
        BTC, _maintenance_at_full_rate
    ),
    "tier cap read from the wrong end": lambda: claims.tiers_never_reward_size(
        BTC, _maintenance_cap_from_the_wrong_end
    ),
    "leverage up to twice the tier cap": lambda: claims.admitted_is_not_liquidatable(
        BTC, BY_ID["STRK-USD"], leverage_room=2
    ),
    "a flip keeps the old entry (P&L)": lambda: claims.pnl_conserved(_flip_keeps_the_entry),
    "a reduce averages the entry": lambda: claims.reduce_never_adds(_reduce_averages),
    "a flip keeps the old entry": lambda: claims.flip_opens_at_the_fill(_flip_keeps_the_entry),
    "an increase divides by the old size": lambda: claims.increase_averages(
        _increase_divides_by_the_old_size
    ),
    "the house takes only the fee": lambda: claims.fill_money_conserved(_house_takes_only_the_fee),
    "liquidation fee not capped by the equity left": lambda: claims.liquidation_close_bounded(
        _fee_not_capped
    ),
    "insurance pays the whole shortfall": lambda: claims.floor_covers_the_shortfall(
        _insurance_pays_it_all
    ),
    "the floor draws the insurance below zero": _last_close_then_generous_floor,
    "copy size rounded up": lambda: claims.copy_size_within_proportion(BTC, away_from_zero),
    "copy leverage ignores the copier's unlocked": lambda: claims.copy_leverage_within_the_copiers(
        BTC, lambda m, leader, unlocked, n: rule.minimum(leader, rule.tier_leverage(m, n))
    ),
    "copy reduction rounded down": lambda: claims.copy_reduction_closes_the_fraction(
        BTC,
        lambda held, part, m: rule.reduction_of_part(held, exact(part) - exact(m.step), m),
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_rule_is_refuted(broken: str) -> None:
    assert_refuted(BROKEN[broken]())
