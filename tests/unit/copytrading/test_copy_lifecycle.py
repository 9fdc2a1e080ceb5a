"""A copy follows the positions the leader opens after it starts, stops on its stop-loss,
pays the profit share on its high-water mark weekly and at stop, and returns the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from copy_support import BTC, START, D, copier, event_types, fill, new_copy

from astratrade.copytrading.domain.copies import CopyStatus, StopReason
from astratrade.copytrading.domain.decisions import Closed, CloseReason
from astratrade.copytrading.domain.events import (
    CopyClosed,
    CopyPositionClosed,
    LeaderFillCopied,
    LeaderFillSkipped,
    ProfitShareCharged,
)
from astratrade.copytrading.domain.profit_share import settle, week_start
from astratrade.copytrading.domain.stop_loss import stop_loss_equity
from astratrade.shared.errors import Conflict

MONDAY = START + timedelta(days=5) - timedelta(hours=9)  # 2026-03-09 00:00 UTC


def test_a_position_open_when_the_copy_started_is_followed_once_it_reopens() -> None:
    copy = new_copy()
    copy.pending_events.clear()
    copy.follow_fill(fill("buy", "0.5", before="0.5", fill_id="f1"), copier(), BTC)
    copy.follow_fill(fill("sell", "1", before="1", fill_id="f2"), copier(), BTC)
    copy.follow_fill(fill("buy", "0.5", fill_id="f3"), copier(), BTC)
    reasons = [getattr(e, "reason", None) for e in copy.pending_events]
    assert event_types(copy) == ["LeaderFillSkipped", "LeaderFillSkipped", "LeaderFillCopied"]
    assert reasons[:2] == ["opened_before_copy", "opened_before_copy"]
    assert copy.pending_events[2] == LeaderFillCopied(
        copy_id="c1",
        copier_id="ben",
        leader_id="ada",
        copy_account_id="ben-copy-1",
        decision_id="d-00000001",
        leader_fill_id="f3",
        market="BTC-USD",
        leader_size=D("0.5"),
        leader_price=D(60000),
        action="open",
        side="buy",
        size=D("0.00416"),
        leverage=D(15),
        reduce_only=False,
    )
    assert copy.followed == {"BTC-USD"}


def test_a_flip_of_a_position_older_than_the_copy_opens_the_new_side() -> None:
    copy = new_copy()
    copy.pending_events.clear()
    copy.follow_fill(fill("sell", "0.8", before="0.5"), copier(), BTC)
    assert event_types(copy) == ["LeaderFillSkipped", "LeaderFillCopied"]
    assert copy.followed == {"BTC-USD"}


def test_a_leader_liquidation_closes_and_ends_following_the_market() -> None:
    copy = new_copy()
    copy.follow_fill(fill("buy", "0.5"), copier(), BTC)
    copy.pending_events.clear()
    copy.follow_fill(
        fill("sell", "0.5", before="0.5", liquidation=True, fill_id="liq"),
        copier(position="0.00416"),
        BTC,
    )
    assert copy.pending_events == [
        CopyPositionClosed(
            copy_id="c1",
            copier_id="ben",
            leader_id="ada",
            copy_account_id="ben-copy-1",
            decision_id="d-00000002",
            leader_fill_id="liq",
            market="BTC-USD",
            side="sell",
            size=D("0.00416"),
            reason="leader_liquidated",
        )
    ]
    assert copy.followed == set()


def test_the_stop_loss_stops_the_copy_when_equity_falls_to_the_threshold() -> None:
    copy = new_copy(allocation=1000, max_loss="0.3")
    assert stop_loss_equity(D(1000), D("0.3")) == D(700)
    positions = {"BTC-USD": D("0.00416"), "ETH-USD": D("-0.05"), "SOL-USD": D(0)}
    assert not copy.check_stop_loss(D("700.000001"), positions)
    assert copy.check_stop_loss(D(700), positions)
    assert copy.status is CopyStatus.STOPPING
    assert event_types(copy)[-3:] == ["CopyStopping", "CopyPositionClosed", "CopyPositionClosed"]
    assert not copy.check_stop_loss(D(600), positions)  # stops once
    # Stopped: the leader's next fill is not copied.
    assert copy.follow_fill(fill("buy", "0.5"), copier(), BTC) == ()


def test_stopping_closes_every_position_at_market() -> None:
    copy = new_copy()
    closes = copy.stop(StopReason.BY_COPIER, {"ETH-USD": D("-0.05"), "BTC-USD": D("0.00416")})
    assert closes == (
        Closed("BTC-USD", "sell", D("0.00416"), CloseReason.COPY_STOPPED),
        Closed("ETH-USD", "buy", D("0.05"), CloseReason.COPY_STOPPED),
    )
    with pytest.raises(Conflict):
        copy.stop(StopReason.BY_COPIER, {})


def test_profit_share_is_charged_on_the_high_water_mark_to_the_cent() -> None:
    """10 %: +200 pays 20; down to 150 pays nothing; 260 pays 6 (on 60 above the mark);
    300 at stop pays 4. 30 in all: 10 % of the highest P&L, each dollar charged once."""
    copy = new_copy(rate="0.1")
    charged = [
        copy.settle_week(D(200), D(1200), MONDAY),
        copy.settle_week(D(150), D(1130), MONDAY + timedelta(weeks=1)),
        copy.settle_week(D(260), D(1240), MONDAY + timedelta(weeks=2)),
    ]
    copy.stop(StopReason.BY_COPIER, {})
    returned = copy.close(D(300), D(1274))
    assert charged == [D(20), D(0), D(6)]
    assert copy.profit_share_paid == D(30)
    assert copy.high_water_mark == D(300)
    assert returned == D(1270)
    shares = [e for e in copy.pending_events if isinstance(e, ProfitShareCharged)]
    assert [(e.amount, e.high_water_mark, e.period) for e in shares] == [
        (D(20), D(200), "2026-W10"),
        (D(6), D(260), "2026-W12"),
        (D(4), D(300), "final"),
    ]
    assert copy.pending_events[-1] == CopyClosed(
        copy_id="c1",
        copier_id="ben",
        leader_id="ada",
        copy_account_id="ben-copy-1",
        source_account_id="ben-practice",
        leader_account_id="ada-practice",
        profit_share=D(4),
        returned=D(1270),
        reason="by_copier",
    )
    assert copy.status is CopyStatus.CLOSED


def test_the_weekly_share_is_settled_once_per_monday_00_00_utc() -> None:
    copy = new_copy()
    assert copy.settle_week(D(100), D(1100), MONDAY - timedelta(microseconds=1)) == 0
    assert copy.settle_week(D(100), D(1100), MONDAY) == D(10)
    assert copy.settle_week(D(500), D(1500), MONDAY + timedelta(days=6)) == 0  # same week
    assert copy.last_settled_at == MONDAY
    assert week_start(START) == MONDAY - timedelta(weeks=1)


def test_a_loss_making_copy_pays_no_share_and_returns_what_is_left() -> None:
    copy = new_copy()
    copy.stop(StopReason.STOP_LOSS, {})
    assert copy.close(D(-520), D(480)) == D(480)
    assert not any(isinstance(e, ProfitShareCharged) for e in copy.pending_events)
    with pytest.raises(Conflict):
        copy.close(D(0), D(480))


def test_shares_are_rounded_once_over_the_copys_life() -> None:
    # 13 % of 0.0000035 rounds to 0 on its own; twice over, the total comes to 0.000001.
    first = settle(D("0.0000035"), D(0), D(0), D("0.13"), D(1000))
    second = settle(D("0.0000070"), first.high_water_mark, first.paid, D("0.13"), D(1000))
    assert (first.share, second.share) == (D("0.000000"), D("0.000001"))


def test_a_skip_carries_the_leader_fill_it_answers() -> None:
    copy = new_copy()
    copy.follow_fill(fill("buy", "0.01", fill_id="small"), copier(), BTC)
    skipped = copy.pending_events[-1]
    assert isinstance(skipped, LeaderFillSkipped)
    assert (skipped.leader_fill_id, skipped.reason) == ("small", "below_min_size")


def test_a_refused_funding_closes_the_copy_with_nothing_to_return() -> None:
    copy = new_copy()
    copy.funding_refused()
    assert copy.status is CopyStatus.CLOSED
    assert copy.stop_reason is StopReason.FUNDING_REFUSED
    closed = copy.pending_events[-1]
    assert isinstance(closed, CopyClosed)
    assert (closed.returned, closed.profit_share, closed.reason) == (0, 0, "funding_refused")
    copy.funding_refused()  # told again: nothing more
    assert event_types(copy).count("CopyClosed") == 1


def test_each_order_decision_has_an_id_of_its_own() -> None:
    copy = new_copy()
    copy.follow_fill(fill("buy", "0.5", fill_id="f1"), copier(), BTC)
    copy.follow_fill(
        fill("sell", "0.5", before="0.5", fill_id="f2"), copier(position="0.00416"), BTC
    )
    ids = [e.decision_id for e in copy.pending_events if hasattr(e, "decision_id")]
    assert ids == ["d-00000001", "d-00000002"]
