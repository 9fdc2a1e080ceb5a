"""Properties of every copy decision and of the money a copy moves, for any figures:

- an opening or increase is never larger than the proportional size, sits on the step, is
  at least the minimum size, and its leverage is min(leader's, copier's unlocked, tier cap);
- a reduction never leaves the copy a larger share of its position than the leader kept;
- the high-water mark never charges twice for the same profit: whatever the P&L does, the
  shares add up to rate x the highest cumulative P&L any settlement saw (0 if none was
  positive), rounded once;
- a copy's loss never exceeds its allocation: what goes back is never negative, and the
  shares and what goes back add up to the equity at the close."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from copy_support import MARKETS, START, copier, new_copy
from hypothesis import given
from hypothesis import strategies as st

from astratrade.copytrading.domain.copies import StopReason
from astratrade.copytrading.domain.deciding import CopierState, LeaderFill, decide
from astratrade.copytrading.domain.decisions import Action, Closed, Copied, Skipped, SkipReason
from astratrade.copytrading.domain.events import ProfitShareCharged
from astratrade.copytrading.domain.stop_loss import stop_loss_equity
from astratrade.shared.money import ZERO, is_multiple, money

PRICES = {"BTC-USD": Decimal(60_000), "ETH-USD": Decimal(3000), "SOL-USD": Decimal(150)}
PRICES["STRK-USD"] = Decimal("0.5")
amounts = st.decimals(min_value=Decimal(1), max_value=Decimal(10_000_000), places=2)
leverages = st.integers(1, 100).map(Decimal)
steps = st.integers(1, 10**6)
sides = st.sampled_from(["buy", "sell"])


@st.composite
def exposure_fills(draw: st.DrawFn) -> tuple[LeaderFill, CopierState, str]:
    market = draw(st.sampled_from(sorted(MARKETS)))
    rules = MARKETS[market]
    price = PRICES[market]
    side = draw(sides)
    sign = 1 if side == "buy" else -1
    fill = LeaderFill(
        fill_id="f",
        market=market,
        side=side,
        size=draw(steps) * rules.step,
        price=price,
        position_before=sign * draw(st.integers(0, 10**6)) * rules.step,
        leader_equity=draw(amounts),
        leader_leverage=draw(leverages),
    )
    state = CopierState(
        equity=draw(amounts),
        # More than any margin these figures can need (the most: 10^11 SOL at 150 and 1x,
        # 1.5 x 10^13), so that only the minimum size can skip.
        available=Decimal(10**14),
        unlocked_leverage=draw(st.integers(10, 100).map(Decimal)),
        # On an increase, the copy may hold anything from nothing (its opening was skipped).
        position=sign * draw(st.integers(0, 10**6)) * rules.step,
        mark=price,
    )
    return fill, state, market


@given(exposure_fills())
def test_an_opening_or_increase_never_exceeds_the_proportional_size_and_keeps_leverage(
    case: tuple[LeaderFill, CopierState, str],
) -> None:
    fill, state, market = case
    rules = MARKETS[market]
    (decision,) = decide(fill, state, rules, followed=True)
    exact = fill.size * state.equity / fill.leader_equity
    if isinstance(decision, Skipped):
        assert decision.reason is SkipReason.BELOW_MIN_SIZE
        assert exact < rules.min_size + rules.step  # rounded down, it fell below the minimum
        return
    assert isinstance(decision, Copied)
    assert decision.size <= exact
    assert exact - decision.size < rules.step
    assert is_multiple(decision.size, rules.step)
    assert decision.size >= rules.min_size
    assert decision.action is (Action.OPEN if state.position == 0 else Action.INCREASE)
    cap = rules.tier_cap((abs(state.position) + decision.size) * state.mark)
    assert decision.leverage == min(fill.leader_leverage, state.unlocked_leverage, cap)


@given(
    market=st.sampled_from(sorted(MARKETS)),
    leader_units=st.integers(2, 10**6),
    closed_share=st.integers(1, 10**6),
    held_units=st.integers(1, 10**6),
    long=st.booleans(),
)
def test_a_reduction_leaves_the_copy_no_larger_a_share_than_the_leader_kept(
    market: str, leader_units: int, closed_share: int, held_units: int, long: bool
) -> None:
    rules = MARKETS[market]
    sign = 1 if long else -1
    before = sign * leader_units * rules.step
    closed = max(1, leader_units * closed_share // 10**6) * rules.step
    held = sign * (rules.min_size + held_units * rules.step)
    fill = LeaderFill(
        fill_id="f",
        market=market,
        side="sell" if long else "buy",
        size=min(closed, abs(before)),
        price=PRICES[market],
        position_before=before,
        leader_equity=Decimal(1000),
        leader_leverage=Decimal(5),
    )
    (decision,) = decide(fill, copier(position=str(held)), rules, followed=True)
    assert isinstance(decision, Copied | Closed)
    assert decision.side == fill.side
    assert decision.size <= abs(held)
    assert is_multiple(decision.size, rules.step)
    kept_by_copy = (abs(held) - decision.size) / abs(held)
    kept_by_leader = abs(fill.position_after) / abs(before)
    assert kept_by_copy <= kept_by_leader
    assert kept_by_copy == 0 or abs(held) - decision.size >= rules.min_size
    if isinstance(decision, Copied):
        assert decision.action is Action.REDUCE
        assert decision.size >= rules.min_size


pnl_moves = st.decimals(min_value=Decimal(-400), max_value=Decimal(400), places=6)
rates = st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.1"), Decimal("0.13")])


@given(
    moves=st.lists(st.tuples(pnl_moves, st.booleans()), max_size=30),
    rate=rates,
)
def test_the_high_water_mark_never_charges_twice_for_the_same_profit(
    moves: list[tuple[Decimal, bool]], rate: Decimal
) -> None:
    copy = new_copy(allocation=1000, rate=str(rate))
    cumulative, highest_settled, week = ZERO, ZERO, START
    for move, settles in moves:
        cumulative += move
        week += timedelta(weeks=1) if settles else timedelta(hours=1)
        collateral = 1000 + cumulative - copy.profit_share_paid
        settled_before = copy.last_settled_at
        share = copy.settle_week(cumulative, collateral, week)
        if share:
            assert cumulative > highest_settled  # only profit above every earlier mark
        if copy.last_settled_at != settled_before:
            highest_settled = max(highest_settled, cumulative)
    copy.stop(StopReason.BY_COPIER, {})
    copy.close(cumulative, 1000 + cumulative - copy.profit_share_paid)
    highest_settled = max(highest_settled, cumulative)
    charged = sum(
        (e.amount for e in copy.pending_events if isinstance(e, ProfitShareCharged)), ZERO
    )
    assert charged == copy.profit_share_paid == money(max(ZERO, highest_settled) * rate)


@given(
    moves=st.lists(st.tuples(pnl_moves, st.booleans()), min_size=1, max_size=30),
    max_loss=st.sampled_from([Decimal("0.1"), Decimal("0.5"), Decimal("0.9")]),
    rate=rates,
)
def test_a_copys_loss_never_exceeds_its_allocation(
    moves: list[tuple[Decimal, bool]], max_loss: Decimal, rate: Decimal
) -> None:
    allocation = Decimal(1000)
    copy = new_copy(allocation=1000, max_loss=str(max_loss), rate=str(rate))
    threshold = stop_loss_equity(allocation, max_loss)
    cumulative, week, stopped = ZERO, START, False
    for move, settles in moves:
        cumulative += move * 3  # large enough to reach the stop-loss and past it
        week += timedelta(weeks=1) if settles else timedelta(hours=1)
        # Trading never lets an account owe: equity below 0 is covered back to 0.
        equity = max(ZERO, allocation + cumulative - copy.profit_share_paid)
        copy.settle_week(cumulative, equity, week)
        equity = max(ZERO, allocation + cumulative - copy.profit_share_paid)
        triggered = copy.check_stop_loss(equity, {})
        assert triggered == (not stopped and equity <= threshold)
        if triggered:
            stopped = True
            break
    if not stopped:
        copy.stop(StopReason.BY_COPIER, {})
    equity = max(ZERO, allocation + cumulative - copy.profit_share_paid)
    before_final = copy.profit_share_paid
    returned = copy.close(cumulative, equity)
    final_share = copy.profit_share_paid - before_final
    assert returned >= 0
    assert allocation - returned <= allocation
    assert returned + final_share == equity
    assert copy.profit_share_paid <= money(rate * max(ZERO, cumulative, copy.high_water_mark))
