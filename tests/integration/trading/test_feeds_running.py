"""The platform started with each live feed: marks move and reach the venue."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.trading.adapters.feeds.replay import ReplayFeed
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from astratrade.trading.engine import TradingEngine

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "replay" / "sample.csv"


async def _marks_after(settings: Settings, seconds: float) -> dict[str, Decimal]:
    platform = bootstrap(settings)
    await platform.start()
    try:
        await asyncio.sleep(seconds)
        return dict(platform.port(TradingEngine).venue.marks)
    finally:
        await platform.stop()


async def _marks_once(
    settings: Settings, wanted: dict[str, Decimal], seconds: float
) -> dict[str, Decimal]:
    """The marks once they are `wanted`, or as they are after `seconds` (a busy machine
    may play the file slower than its speed says: the check is where it ends)."""
    platform = bootstrap(settings)
    await platform.start()
    try:
        marks = platform.port(TradingEngine).venue.marks
        for _ in range(int(seconds / 0.05)):
            if {m: marks[m] for m in wanted} == wanted:
                break
            await asyncio.sleep(0.05)
        return dict(marks)
    finally:
        await platform.stop()


async def test_the_synthetic_feed_moves_every_market(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, price_feed="synthetic", feed_interval_seconds=Decimal("0.02")
    )
    marks = await _marks_after(settings, 0.3)
    starts = {"BTC-USD": 60_000, "ETH-USD": 3_000, "SOL-USD": 150, "STRK-USD": Decimal("0.5")}
    assert all(marks[market] != start for market, start in starts.items())


async def test_the_replay_feed_plays_the_file_to_its_last_row(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, price_feed="replay", replay_file=SAMPLE, replay_speed=Decimal(1000)
    )
    last = {q.market: q.mark for q in ReplayFeed(SAMPLE, DEFAULT_MARKETS).batches()[-1]}
    marks = await _marks_once(settings, last, seconds=10)
    assert {market: marks[market] for market in last} == last
