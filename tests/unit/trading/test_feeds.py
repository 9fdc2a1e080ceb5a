"""The synthetic and replay price feeds."""

from __future__ import annotations

import asyncio
import logging
import re
import runpy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astratrade.shared.clock import ManualClock
from astratrade.shared.money import is_multiple
from astratrade.trading.adapters.feeds.replay import ReplayFeed
from astratrade.trading.adapters.feeds.synthetic import MAX_PREMIUM_BP, SyntheticFeed
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from astratrade.trading.domain.prices import Quote

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "replay"
SAMPLE = EXAMPLES / "sample.csv"
START = datetime(2026, 1, 1, tzinfo=UTC)
TICKS = {m.id: m.tick for m in DEFAULT_MARKETS}


def feed(seed: int = 7, interval: str = "1", count: int = 4) -> SyntheticFeed:
    markets, clock = DEFAULT_MARKETS[:count], ManualClock(START)
    return SyntheticFeed(markets, seed=seed, interval_seconds=Decimal(interval), clock=clock)


def walk(source: SyntheticFeed, steps: int) -> list[list[Quote]]:
    return [source.step(START + timedelta(seconds=i)) for i in range(steps)]


def assert_sound(quote: Quote) -> None:
    for price in (quote.mark, quote.index):
        assert isinstance(price, Decimal)
        assert price > 0
        assert is_multiple(price, TICKS[quote.market]), quote


def test_same_seed_gives_the_same_sequence_and_another_seed_differs() -> None:
    assert walk(feed(7), 500) == walk(feed(7), 500)
    assert walk(feed(7), 50) != walk(feed(8), 50)
    # A market's path depends on the seed only, not on which other markets are listed.
    assert [batch[:1] for batch in walk(feed(7), 100)] == walk(feed(7, count=1), 100)


def test_ten_thousand_steps_stay_positive_on_tick_and_within_the_premium_cap() -> None:
    cap = MAX_PREMIUM_BP * Decimal("0.0001")
    batches = walk(feed(11), 10_000)
    for batch in batches:
        assert [q.market for q in batch] == list(TICKS)
        for quote in batch:
            assert_sound(quote)
            assert abs(quote.premium) <= cap, quote
    signs = {(q.premium > 0) - (q.premium < 0) for b in batches for q in b}
    # Funding needs a premium on both sides of zero; the walk starts at start_price and moves.
    assert {1, -1} <= signs
    for market, first, last in zip(DEFAULT_MARKETS, batches[0], batches[-1], strict=True):
        assert abs(first.index - market.start_price) / market.start_price < Decimal("0.01")
        assert last.index != first.index


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(min_value=-(2**63), max_value=2**63))
def test_any_seed_keeps_prices_positive_and_on_tick(seed: int) -> None:
    for batch in walk(feed(seed), 200):
        for quote in batch:
            assert_sound(quote)


def test_synthetic_feed_refuses_naive_times_and_bad_intervals() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        feed().step(datetime(2026, 1, 1))  # noqa: DTZ001 - the naive time under test
    for interval in ("0", "-1", "NaN"):
        with pytest.raises(ValueError, match="interval_seconds"):
            feed(interval=interval)


async def test_synthetic_run_survives_a_failing_sink(caplog: pytest.LogCaptureFixture) -> None:
    received: list[list[Quote]] = []
    enough = asyncio.Event()

    async def sink(batch: list[Quote]) -> None:
        received.append(batch)
        if len(received) == 1:
            raise RuntimeError("bad batch")
        if len(received) == 4:
            enough.set()

    task = asyncio.create_task(feed(interval="0.001").run(sink))
    try:
        with caplog.at_level(logging.ERROR):
            await asyncio.wait_for(enough.wait(), timeout=5)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert all(len(batch) == len(DEFAULT_MARKETS) for batch in received)
    assert "synthetic batch" in caplog.text


def test_replay_parses_the_sample_grouped_by_timestamp() -> None:
    batches = ReplayFeed(SAMPLE, DEFAULT_MARKETS).batches()
    assert [b[0].at for b in batches] == [START + timedelta(seconds=i) for i in range(121)]
    for batch in batches:
        assert [q.market for q in batch] == ["BTC-USD", "ETH-USD"]
        assert all(q.at == batch[0].at for q in batch)
        for quote in batch:
            assert_sound(quote)


def test_the_sample_is_reproducible(tmp_path: Path) -> None:
    script = runpy.run_path(str(EXAMPLES / "make_sample.py"))
    script["write_sample"](tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == SAMPLE.read_bytes()


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "prices.csv"
    path.write_text("\n".join(["timestamp,market,mark,index", *rows, ""]), encoding="utf-8")
    return path


def test_replay_groups_rows_and_accepts_a_z_suffix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-01-01T00:00:00Z,BTC-USD,60000.1,60000.0",
        "2026-01-01T01:00:00+01:00,SOL-USD,150.001,150.000",
        "",
        "2026-01-01T00:00:02Z,ETH-USD,3000.01,3000.00",
    )
    batches = ReplayFeed(path, DEFAULT_MARKETS).batches()
    assert [[q.market for q in b] for b in batches] == [["BTC-USD", "SOL-USD"], ["ETH-USD"]]
    assert batches[0][1] == Quote("SOL-USD", Decimal("150.001"), Decimal("150.000"), START)
    assert batches[1][0].at == START + timedelta(seconds=2)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2026-01-01T00:00:01,BTC-USD,60000.1,60000.0", "line 3: timestamp '2026-01-01T00:00:01'"),
        ("2026-01-01T00:00:01Z,DOGE-USD,1,1", "line 3: unknown market 'DOGE-USD'"),
        ("2026-01-01T00:00:01Z,BTC-USD,NaN,60000.0", "line 3: mark 'NaN'"),
        ("2026-01-01T00:00:01Z,BTC-USD,60000.0,Infinity", "line 3: index 'Infinity'"),
        ("2026-01-01T00:00:01Z,BTC-USD,abc,60000.0", "line 3: mark 'abc'"),
        ("2026-01-01T00:00:01Z,BTC-USD,0,60000.0", "line 3: mark '0' must be positive"),
        ("2026-01-01T00:00:01Z,BTC-USD,-5,60000.0", "line 3: mark '-5' must be positive"),
        ("2026-01-01T00:00:01Z,BTC-USD,60000.05,60000.0", "line 3: mark '60000.05' is not on"),
        ("2025-12-31T23:59:59Z,BTC-USD,60000.1,60000.0", "line 3: timestamp 2025-12-31T23:59:59"),
        ("2026-01-01T00:00:00Z,ETH-USD,3000.01,3000.00", "line 3: 'ETH-USD' appears twice"),
        ("yesterday,BTC-USD,60000.1,60000.0", "line 3: 'yesterday' is not an ISO-8601"),
        ("2026-01-01T00:00:01Z,BTC-USD,60000.1", "line 3: expected 4 columns"),
    ],
)
def test_replay_rejects_bad_rows_with_the_line(tmp_path: Path, row: str, expected: str) -> None:
    path = write(tmp_path, "2026-01-01T00:00:00Z,ETH-USD,3000.01,3000.00", row)
    with pytest.raises(ValueError, match=re.escape(f"prices.csv {expected}")):
        ReplayFeed(path, DEFAULT_MARKETS)


def test_replay_refuses_a_bad_header_no_rows_and_a_bad_speed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time,market,mark,index\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: expected header"):
        ReplayFeed(bad, DEFAULT_MARKETS)
    with pytest.raises(ValueError, match="no price rows"):
        ReplayFeed(write(tmp_path), DEFAULT_MARKETS)
    for speed in ("0", "-1", "NaN"):
        with pytest.raises(ValueError, match="speed"):
            ReplayFeed(SAMPLE, DEFAULT_MARKETS, speed=Decimal(speed))


async def test_replay_run_paces_delivers_every_batch_and_survives_a_failing_sink(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    replay = ReplayFeed(SAMPLE, DEFAULT_MARKETS, speed=Decimal(4))
    received: list[list[Quote]] = []
    slept: list[float] = []

    async def sink(batch: list[Quote]) -> None:
        received.append(batch)
        if len(received) == 2:
            raise RuntimeError("bad batch")

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("astratrade.trading.adapters.feeds.replay.asyncio.sleep", sleep)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(replay.run(sink), timeout=5)
    assert received == replay.batches()
    assert slept == [0.25] * 120  # one-second gaps at four times the recorded pace
    assert "replay batch" in caplog.text
