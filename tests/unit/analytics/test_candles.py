"""Candles: bars of any tick sequence are well formed, coarser bars built from finer ones
equal those built from the ticks, and what the forming bars flush, merged into a store,
equals the bars built at once."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.analytics.domain.candles import Candle, Interval, Tick, candles_of, resampled
from astratrade.analytics.domain.forming import FormingBars

D = Decimal
START = datetime(2026, 3, 2, 23, 58, tzinfo=UTC)
MARKS = st.decimals(min_value=D("0.00001"), max_value=D(200_000), places=5)
# Ticks in time order, up to 2 days apart in total: steps of 0 to 2 hours, in seconds.
STEPS = st.integers(min_value=0, max_value=7200)
TICKS = st.lists(st.tuples(STEPS, MARKS), min_size=1, max_size=200)


def ticks_of(steps: list[tuple[int, Decimal]]) -> list[Tick]:
    at, ticks = START, []
    for step, mark in steps:
        at += timedelta(seconds=step)
        ticks.append(Tick(at, mark))
    return ticks


def test_open_times_align_on_utc() -> None:
    at = datetime(2026, 3, 2, 13, 47, 31, tzinfo=UTC)

    assert Interval.MINUTE.open_time(at) == datetime(2026, 3, 2, 13, 47, tzinfo=UTC)
    assert Interval.FIFTEEN_MINUTES.open_time(at) == datetime(2026, 3, 2, 13, 45, tzinfo=UTC)
    assert Interval.FOUR_HOURS.open_time(at) == datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert Interval.DAY.open_time(at) == datetime(2026, 3, 2, tzinfo=UTC)


def test_bars_of_a_worked_minute() -> None:
    at = datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
    ticks = [Tick(at, D(100)), Tick(at + timedelta(seconds=20), D(104))]
    ticks += [Tick(at + timedelta(seconds=40), D(97)), Tick(at + timedelta(seconds=60), D(99))]

    bars = candles_of("BTC-USD", Interval.MINUTE, ticks)

    assert [(b.open, b.high, b.low, b.close) for b in bars] == [
        (D(100), D(104), D(97), D(97)),
        (D(99), D(99), D(99), D(99)),  # 10:01:05 opens the next minute
    ]


@given(TICKS, st.sampled_from(list(Interval)))
def test_every_bar_is_well_formed(steps: list[tuple[int, Decimal]], interval: Interval) -> None:
    for bar in candles_of("BTC-USD", interval, ticks_of(steps)):
        assert bar.high >= max(bar.open, bar.close)
        assert min(bar.open, bar.close) >= bar.low
        assert bar.open_time == interval.open_time(bar.open_time)


@given(TICKS, st.sampled_from(list(Interval)[1:]))
def test_merging_minute_bars_equals_building_from_ticks(
    steps: list[tuple[int, Decimal]], interval: Interval
) -> None:
    ticks = ticks_of(steps)

    minutes = candles_of("BTC-USD", Interval.MINUTE, ticks)

    assert resampled(minutes, interval) == candles_of("BTC-USD", interval, ticks)
    five = resampled(minutes, Interval.FIVE_MINUTES)
    assert resampled(five, Interval.HOUR) == candles_of("BTC-USD", Interval.HOUR, ticks)


def stored_after(store: dict[tuple, Candle], flushed: list[Candle]) -> None:
    """The storage rule the writer follows (docs/analytics.md)."""
    for bar in flushed:
        key = (bar.market, bar.interval, bar.open_time)
        store[key] = store[key].merged(bar) if key in store else bar


@given(TICKS, st.lists(st.booleans(), min_size=200, max_size=200), st.sampled_from(list(Interval)))
def test_flushes_merged_into_a_store_equal_the_bars_built_at_once(
    steps: list[tuple[int, Decimal]], flush_after: list[bool], interval: Interval
) -> None:
    ticks = ticks_of(steps)
    forming, store = FormingBars(), {}
    for tick, flush in zip(ticks, flush_after, strict=False):
        forming.tick("ETH-USD", tick.at, tick.mark)
        if flush:
            stored_after(store, forming.flush())
    stored_after(store, forming.flush())

    kept = sorted((b for b in store.values() if b.interval == interval), key=lambda b: b.open_time)
    assert kept == candles_of("ETH-USD", interval, ticks)


def test_a_stale_quote_is_ignored() -> None:
    forming = FormingBars((Interval.MINUTE,))
    at = datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)
    forming.tick("SOL-USD", at, D(150))
    forming.tick("SOL-USD", at + timedelta(minutes=1), D(151))

    forming.tick("SOL-USD", at, D(1))

    assert [b.low for b in forming.flush()] == [D(150), D(151)]


def test_an_unchanged_mark_changes_nothing_to_write() -> None:
    forming = FormingBars((Interval.MINUTE,))
    at = datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)
    forming.tick("SOL-USD", at, D(150))
    forming.flush()

    forming.tick("SOL-USD", at + timedelta(seconds=1), D(150))

    assert not forming.flush()
