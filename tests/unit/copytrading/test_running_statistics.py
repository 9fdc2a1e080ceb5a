"""The running sums (domain/running_statistics.py) against the statistics computed from the
closes: a history of closes, some back in time (the manual clock), fed one at a time or
in batches, added where `can_add` allows and taken again from the closes where not, gives
exactly `statistics_of` and the very sums taken from the closes, at every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import event, given
from hypothesis import strategies as st

from astratrade.copytrading.domain.running_statistics import RunningStatistics, can_add
from astratrade.copytrading.domain.statistics import ClosedTrade, next_change, statistics_of

START = datetime(2026, 1, 1, tzinfo=UTC)

# A batch of closes: hours after (or, below 0, before) the previous one, hours held, its
# P&L and the equity at its opening.
batches = st.lists(
    st.lists(
        st.tuples(
            st.one_of(st.integers(0, 48), st.integers(-24 * 10, 24 * 40)),
            st.integers(0, 24 * 5),
            st.decimals(-5000, 5000, places=2),
            st.decimals(-100, 20000, places=2),
        ),
        min_size=1,
        max_size=4,
    ),
    max_size=12,
)


@given(batches=batches)
def test_added_closes_give_the_statistics_of_every_close(
    batches: list[list[tuple[int, int, Decimal, Decimal]]],
) -> None:
    trades: list[ClosedTrade] = []
    running, as_of, refresh_at = RunningStatistics.of([], START), None, None
    at = START
    for batch in batches:
        new = []
        for gap, held, pnl, equity in batch:
            at += timedelta(hours=gap)
            new.append(ClosedTrade(at - timedelta(hours=held), at, pnl, equity))
        trades += new
        # The statistics sort closes by close time, keeping the order of equals.
        trades.sort(key=lambda t: t.closed_at)
        now = new[-1].closed_at
        if can_add(new, as_of, refresh_at):
            for trade in new:
                running = running.add(trade)
            event("added to the sums")
        else:
            running = RunningStatistics.of(trades, now)
        as_of, refresh_at = now, next_change(trades, now)
        assert running == RunningStatistics.of(trades, now)
        assert running.statistics() == statistics_of(trades, now)


def test_a_close_is_added_only_while_it_is_the_newest_and_no_window_has_moved() -> None:
    def close(hours: int) -> ClosedTrade:
        at = START + timedelta(hours=hours)
        return ClosedTrade(at - timedelta(hours=1), at, Decimal(10), Decimal(1000))

    as_of = START + timedelta(hours=10)
    refresh_at = START + timedelta(days=7)
    assert can_add([close(10), close(11)], as_of, refresh_at)
    assert not can_add([close(9)], as_of, refresh_at)  # before the sums' moment
    assert not can_add([close(12), close(11)], as_of, refresh_at)  # out of order
    assert not can_add([close(24 * 7)], as_of, refresh_at)  # a window moved by then
    assert not can_add([close(11), close(11 + 24 * 7)], as_of, None)  # the first left a window
    assert not can_add([close(11)], None, None)  # no sums yet
    assert not can_add([], as_of, refresh_at)


def test_windows_with_no_close_give_the_statistics_of_none() -> None:
    """Once every close has left the windows (the timed refresh), the sums are empty: no
    division by their count, and each figure what `statistics_of` gives for no close."""
    empty = RunningStatistics.of([], START).statistics()
    assert empty == statistics_of([], START)
    assert (empty.win_rate, empty.average_hold_seconds, empty.closed_positions_90d) == (0, 0, 0)
