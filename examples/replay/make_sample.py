"""Regenerate sample.csv: two minutes of 1-second BTC-USD and ETH-USD quotes.

The prices come from the SyntheticFeed with a fixed seed, so the file is reproducible:
    PYTHONPATH=src python examples/replay/make_sample.py
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from astratrade.shared.clock import ManualClock
from astratrade.trading.adapters.feeds.synthetic import SyntheticFeed
from astratrade.trading.domain.markets import DEFAULT_MARKETS

SEED = 2026
SECONDS = 120
MARKETS = ("BTC-USD", "ETH-USD")
START = datetime(2026, 1, 1, tzinfo=UTC)
SAMPLE = Path(__file__).with_name("sample.csv")


def write_sample(path: Path = SAMPLE) -> None:
    """Write SECONDS + 1 batches (both ends included), one row per market."""
    clock = ManualClock(START)
    markets = [m for m in DEFAULT_MARKETS if m.id in MARKETS]
    feed = SyntheticFeed(markets, seed=SEED, interval_seconds=Decimal(1), clock=clock)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["timestamp", "market", "mark", "index"])
        for second in range(SECONDS + 1):
            at = START + timedelta(seconds=second)
            for quote in feed.step(at):
                writer.writerow([at.isoformat(), quote.market, quote.mark, quote.index])


if __name__ == "__main__":
    write_sample()
    print(f"wrote {SAMPLE}")
