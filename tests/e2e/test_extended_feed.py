"""A server on the `extended` price feed, against the local Extended stand-in
(tests/extended_exchange.py, run as a process of its own): the venue's marks are the
markets' marks, and a silent venue makes the server not ready, naming the stale markets."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from .conftest import API, eventually, own_server
from .extended import STREAM_PATH, extended_stand_in


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[str]:
    with extended_stand_in(tmp_path / "stand-in.log") as base:
        yield base


def marks(base_url: str) -> dict[str, Decimal]:
    found = httpx.get(f"{base_url}{API}/markets", timeout=5).json()
    return {m["market"]: Decimal(m["mark_price"]) for m in found}


def test_the_venues_marks_show_and_a_silent_venue_makes_the_server_not_ready(
    stand_in: str, tmp_path: Path
) -> None:
    settings = {
        "price_feed": "extended",
        "extended_stream_url": stand_in.replace("http://", "ws://") + STREAM_PATH,
        "extended_api_url": f"{stand_in}/api/v1",
        "price_stale_seconds": "1",
    }
    data = tmp_path / "data"
    data.mkdir()
    with own_server(data, **settings) as srv:  # ready once its prices are fresh
        assert marks(srv.base_url)["BTC-USD"] == Decimal("64267.4")  # the venue's, on our tick
        httpx.post(
            f"{stand_in}/_standin/price",
            json={"market": "ETH-USD", "mark": "3333.337", "index": "3333.001"},
        )
        moved = eventually(
            lambda: marks(srv.base_url), lambda m: m["ETH-USD"] != Decimal("3120.46")
        )
        assert moved["ETH-USD"] == Decimal("3333.34")

        httpx.post(f"{stand_in}/_standin/silence", json={"silent": True})
        ready = eventually(
            lambda: httpx.get(f"{srv.base_url}/readyz", timeout=5),
            lambda r: r.status_code == 503,
        )
        assert ready.status_code == 503
        assert ready.json()["checks"]["price_feed"] == (
            "error: stale prices for BTC-USD, ETH-USD, SOL-USD, STRK-USD"
        )
