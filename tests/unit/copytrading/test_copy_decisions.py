"""What a leader fill becomes in a copy, with the figures of SPEC 12 worked by hand.

The copier has 1,000 of equity and the leader 120,000, so a copy is 1/120 of the leader's
fill, rounded down to the market's step."""

from __future__ import annotations

from copy_support import BTC, ETH, SOL, STRK, D, copier, fill

from astratrade.copytrading.domain.deciding import decide
from astratrade.copytrading.domain.decisions import (
    Action,
    Closed,
    CloseReason,
    Copied,
    Skipped,
    SkipReason,
)


def test_an_opening_is_copied_at_the_proportional_size_rounded_down_to_the_step() -> None:
    # 0.5 x 1000 / 120000 = 0.0041666..., the BTC step is 0.00001
    (decision,) = decide(fill("buy", "0.5"), copier(), BTC, followed=False)
    assert decision == Copied("BTC-USD", Action.OPEN, "buy", D("0.00416"), D(15))


def test_leverage_is_the_least_of_the_leaders_the_copiers_unlocked_and_the_tier_cap() -> None:
    (by_leader,) = decide(fill("buy", "0.5", leverage="5"), copier(), BTC, followed=False)
    (by_level,) = decide(fill("buy", "0.5", leverage="50"), copier(), BTC, followed=False)
    # 5 BTC x 1,000,000 / 1,000,000 at 60,000 is 300,000 of notional: BTC's 50x tier.
    big = copier(equity="1000000", available="1000000", unlocked="100")
    (by_tier,) = decide(
        fill("buy", "5", leverage="100", leader_equity="1000000"), big, BTC, followed=False
    )
    assert isinstance(by_leader, Copied)
    assert by_leader.leverage == D(5)
    assert isinstance(by_level, Copied)
    assert by_level.leverage == D(15)
    assert isinstance(by_tier, Copied)
    assert (by_tier.size, by_tier.leverage) == (D(5), D(50))


def test_a_copy_below_the_minimum_size_is_skipped_with_its_figures() -> None:
    # 0.01 x 1000 / 120000 = 0.0000833 -> 0.00008, below BTC's 0.0001
    (decision,) = decide(fill("buy", "0.01"), copier(), BTC, followed=False)
    assert decision == Skipped(
        "BTC-USD",
        SkipReason.BELOW_MIN_SIZE,
        "0.01 x 1000 / 120000 is 0.00008 on the step 0.00001, below the minimum 0.0001",
    )


def test_the_slippage_guard_lets_exactly_half_a_percent_through_on_btc() -> None:
    (at_guard,) = decide(fill("buy", "0.5"), copier(mark="60300"), BTC, followed=False)
    (past_guard,) = decide(fill("buy", "0.5"), copier(mark="60300.1"), BTC, followed=False)
    (favourable,) = decide(fill("buy", "0.5"), copier(mark="59000"), BTC, followed=False)
    assert isinstance(at_guard, Copied)
    assert isinstance(favourable, Copied)
    assert isinstance(past_guard, Skipped)
    assert past_guard.reason is SkipReason.SLIPPAGE
    assert past_guard.detail == (
        "mark 60300.1 moved 0.5002 % against the copy from the leader's 60000, more than 0.5 %"
    )


def test_the_slippage_guard_is_1_5_percent_on_other_markets_and_sells_look_down() -> None:
    short = fill("sell", "100", market="SOL-USD", price="150", leverage="10")
    (at_guard,) = decide(short, copier(mark="147.75"), SOL, followed=False)
    (past_guard,) = decide(short, copier(mark="147.749"), SOL, followed=False)
    # 100 x 1000 / 120000 = 0.8333 -> 0.83 SOL
    assert at_guard == Copied("SOL-USD", Action.OPEN, "sell", D("0.83"), D(10))
    assert isinstance(past_guard, Skipped)
    assert past_guard.reason is SkipReason.SLIPPAGE


def test_eth_is_guarded_at_half_a_percent_and_strk_at_one_and_a_half() -> None:
    eth = fill("buy", "12", market="ETH-USD", price="3000")
    strk = fill("buy", "24000", market="STRK-USD", price="0.5", leverage="10")
    (eth_past,) = decide(eth, copier(mark="3015.01"), ETH, followed=False)
    (strk_within,) = decide(strk, copier(mark="0.5075"), STRK, followed=False)
    assert isinstance(eth_past, Skipped)
    assert eth_past.reason is SkipReason.SLIPPAGE
    # 24000 x 1000 / 120000 = 200 STRK
    assert strk_within == Copied("STRK-USD", Action.OPEN, "buy", D(200), D(10))


def test_an_increase_is_copied_in_proportion_to_the_fill_alone() -> None:
    (decision,) = decide(
        fill("buy", "0.25", before="0.5"), copier(position="0.00416"), BTC, followed=True
    )
    # 0.25 / 120 = 0.0020833 -> 0.00208
    assert decision == Copied("BTC-USD", Action.INCREASE, "buy", D("0.00208"), D(15))


def test_a_copy_the_margin_cannot_carry_is_skipped() -> None:
    # 0.00416 x 60000 / 15 = 16.64 of initial margin
    (decision,) = decide(fill("buy", "0.5"), copier(available="16.63"), BTC, followed=False)
    assert isinstance(decision, Skipped)
    assert decision.reason is SkipReason.INSUFFICIENT_MARGIN
    (taken,) = decide(fill("buy", "0.5"), copier(available="16.64"), BTC, followed=False)
    assert isinstance(taken, Copied)


def test_a_partial_close_closes_the_same_fraction_rounded_up_to_the_step_at_any_price() -> None:
    # The leader closes 0.2 of 0.5 (40 %): 0.4 x 0.00416 = 0.001664 -> 0.00167. The mark has
    # moved 10 % against the copier: reductions are never guarded.
    (decision,) = decide(
        fill("sell", "0.2", before="0.5"),
        copier(position="0.00416", mark="54000"),
        BTC,
        followed=True,
    )
    assert decision == Copied("BTC-USD", Action.REDUCE, "sell", D("0.00167"), None)
    assert decision.reduce_only


def test_a_reduction_below_the_minimum_is_raised_to_it_and_a_dust_remainder_closes_all() -> None:
    # 10 % of 0.00416 is 0.000416 -> 0.00042, above the minimum; 1 % is 0.0000416 -> 0.0001.
    (tenth,) = decide(
        fill("sell", "0.05", before="0.5"), copier(position="0.00416"), BTC, followed=True
    )
    (hundredth,) = decide(
        fill("sell", "0.005", before="0.5"), copier(position="0.00416"), BTC, followed=True
    )
    # 0.00015 held: closing 0.0001 would leave 0.00005, which no order could close.
    (dust,) = decide(
        fill("sell", "0.05", before="0.5"), copier(position="0.00015"), BTC, followed=True
    )
    assert isinstance(tenth, Copied)
    assert tenth.size == D("0.00042")
    assert isinstance(hundredth, Copied)
    assert hundredth.size == D("0.0001")
    assert dust == Closed("BTC-USD", "sell", D("0.00015"), CloseReason.LEADER_CLOSED)


def test_a_full_close_closes_the_copys_whole_position() -> None:
    (decision,) = decide(
        fill("buy", "0.5", before="-0.5"), copier(position="-0.00417"), BTC, followed=True
    )
    assert decision == Closed("BTC-USD", "buy", D("0.00417"), CloseReason.LEADER_CLOSED)


def test_a_leaders_liquidation_closes_the_copys_position_in_that_market() -> None:
    (decision,) = decide(
        fill("sell", "0.5", before="0.5", liquidation=True),
        copier(position="0.00416", mark="50000"),
        BTC,
        followed=True,
    )
    assert decision == Closed("BTC-USD", "sell", D("0.00416"), CloseReason.LEADER_LIQUIDATED)


def test_a_flip_closes_the_copy_then_opens_the_new_side_in_proportion() -> None:
    # Long 0.5, sell 0.8: the close, then a short of 0.3 / 120 = 0.0025
    decisions = decide(
        fill("sell", "0.8", before="0.5"), copier(position="0.00416"), BTC, followed=True
    )
    assert decisions == (
        Closed("BTC-USD", "sell", D("0.00416"), CloseReason.LEADER_CLOSED),
        Copied("BTC-USD", Action.OPEN, "sell", D("0.0025"), D(15)),
    )


def test_changes_to_a_position_opened_before_the_copy_are_skipped_as_such() -> None:
    (increase,) = decide(fill("buy", "0.5", before="0.5"), copier(), BTC, followed=False)
    (reduce,) = decide(fill("sell", "0.2", before="0.5"), copier(), BTC, followed=False)
    assert isinstance(increase, Skipped)
    assert increase.reason is SkipReason.NOT_FOLLOWED
    assert isinstance(reduce, Skipped)
    assert reduce.reason is SkipReason.NOT_FOLLOWED


def test_a_reduction_with_nothing_copied_is_skipped_as_no_position() -> None:
    (decision,) = decide(fill("sell", "0.2", before="0.5"), copier(), BTC, followed=True)
    assert isinstance(decision, Skipped)
    assert decision.reason is SkipReason.NO_POSITION


def test_no_copy_is_sized_from_an_equity_that_is_not_positive() -> None:
    (copy_empty,) = decide(fill("buy", "0.5"), copier(equity="0"), BTC, followed=False)
    (leader_empty,) = decide(fill("buy", "0.5", leader_equity="0"), copier(), BTC, followed=False)
    assert isinstance(copy_empty, Skipped)
    assert copy_empty.reason is SkipReason.NO_EQUITY
    assert isinstance(leader_empty, Skipped)
    assert leader_empty.reason is SkipReason.NO_EQUITY
