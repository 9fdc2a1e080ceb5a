"""Edges of the copy rules: proportional size when an equity is not positive, the tier at
exactly its bound, and the leader statistics at their boundaries (a break-even close is not
a win, a close at `now` is in the window, an average hold in whole seconds), and leaders and
copies as they were saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from astratrade.copytrading.domain import events
from astratrade.copytrading.domain.copies import Copy, CopyStatus, StopReason
from astratrade.copytrading.domain.leaders import Leader
from astratrade.copytrading.domain.rules import LeverageTier, MarketRules
from astratrade.copytrading.domain.sizing import proportional_size
from astratrade.copytrading.domain.statistics import (
    ClosedTrade,
    average_hold_seconds,
    next_change,
    win_rate,
    within,
)
from astratrade.shared.errors import Conflict

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BTC = MarketRules(
    "BTC-USD",
    D("0.00001"),
    D("0.0001"),
    (LeverageTier(D(50), D(100_000)), LeverageTier(D(20), D(500_000)), LeverageTier(D(5), None)),
)


def closed(pnl: str, *, ago: timedelta = timedelta(hours=1), held: int = 60) -> ClosedTrade:
    return ClosedTrade(NOW - ago - timedelta(seconds=held), NOW - ago, D(pnl), D(10_000))


def test_no_copy_size_when_either_equity_is_not_positive() -> None:
    assert proportional_size(D("0.5"), D(-100), D(1_000), BTC) == 0
    assert proportional_size(D("0.5"), D(100), D(0), BTC) == 0
    assert proportional_size(D("0.5"), D(100), D(1_000), BTC) == D("0.05")


def test_a_notional_exactly_at_a_tiers_bound_is_in_that_tier() -> None:
    assert BTC.tier_cap(D(100_000)) == 50
    assert BTC.tier_cap(D("100000.01")) == 20
    assert BTC.tier_cap(D(10**9)) == 5


def test_a_break_even_or_tiny_gain_is_judged_as_it_is() -> None:
    assert win_rate([closed("0"), closed("0.5"), closed("-1"), closed("3")]) == D("0.5")


def test_a_close_at_now_is_in_the_window_and_a_close_at_now_is_no_future_change() -> None:
    at_now = closed("1", ago=timedelta(0))
    assert within([at_now], NOW, 7) == [at_now]
    assert next_change([at_now], NOW) == NOW + timedelta(days=7)


def test_the_average_hold_is_in_whole_seconds() -> None:
    assert average_hold_seconds([closed("1", held=60), closed("1", held=61)]) == 60


def test_a_leader_loaded_from_the_store_keeps_its_terms_and_announces_changes() -> None:
    leader = Leader("lea", account_id="acct-9", profit_share=D("0.15"), active=True, version=4)
    assert (leader.id, leader.version) == ("copytrading-leader-lea", 4)
    assert (leader.account_id, leader.profit_share, leader.active) == ("acct-9", D("0.15"), True)
    assert (Leader("new").account_id, Leader("new").version) == ("", 0)
    leader.set_profit_share(D("0.2"))
    leader.stop()
    assert leader.pending_events == [
        events.LeaderProfitShareChanged(leader_id="lea", profit_share=D("0.2")),
        events.LeaderStopped(leader_id="lea", account_id="acct-9"),
    ]
    assert leader.active is False
    with pytest.raises(Conflict, match=r"^lea is not leading$"):
        leader.stop()


def test_a_copy_loaded_from_the_store_keeps_how_it_ended_so_far() -> None:
    copy = Copy(
        "c-1",
        copier_id="cop",
        leader_id="lea",
        source_account_id="src",
        copy_account_id="cacct",
        leader_account_id="lacct",
        allocation=D(1_000),
        max_loss=D("0.5"),
        profit_share=D("0.1"),
        started_at=NOW,
        status=CopyStatus.STOPPING,
        stop_reason=StopReason.STOP_LOSS,
        funded=True,
        version=3,
    )
    assert (copy.id, copy.version, copy.started_at) == ("c-1", 3, NOW)
    assert (copy.stop_reason, copy.funded, copy.closed_at, copy.returned) == (
        StopReason.STOP_LOSS,
        True,
        None,
        None,
    )
