"""The `candles:<market>:<interval>` channel over a real socket, on the manual feed and
clock: the bar being formed arrives as an admin sets prices, its OHLC those of the marks sent
and the candles route's once written; the snapshot on subscribe is the bar of now; an
unknown market or interval is an error naming it; a client watches a bounded number."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .conftest import Admin, Server, Trader, eventually, make_client
from .test_websocket import event_on, live, subscribe

OHLC = ("open", "high", "low", "close")


def ohlc(bar: dict[str, Any]) -> tuple[str, ...]:
    return tuple(bar[name] for name in OHLC)


def test_the_forming_bar_follows_the_ticks_and_matches_the_route(
    server: Server, admin: Admin, trader: Trader
) -> None:
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    minute = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    admin.clock(now=(minute + timedelta(seconds=1)).isoformat())
    admin.set_price("ETH-USD", "3000")
    with live(server, trader.access_token) as ws:
        opened = subscribe(ws, "candles:ETH-USD:1m")
        assert opened["type"] == "subscribed", opened
        snapshot = opened["snapshot"]
        assert datetime.fromisoformat(snapshot["open_time"]) == minute
        assert ohlc(snapshot) == ("3000", "3000", "3000", "3000")
        hourly = subscribe(ws, "candles:ETH-USD:1h")["snapshot"]
        assert hourly["close"] == "3000"

        seen = []
        for second, mark in [(10, "3012.5"), (20, "2990"), (30, "3001")]:
            admin.clock(now=(minute + timedelta(seconds=second)).isoformat())
            admin.set_price("ETH-USD", mark)
            seen.append(event_on(ws, "candles:ETH-USD:1m")["data"])
        assert [ohlc(bar) for bar in seen] == [
            ("3000", "3012.5", "3000", "3012.5"),
            ("3000", "3012.5", "2990", "2990"),
            ("3000", "3012.5", "2990", "3001"),
        ]
        assert {bar["market"] for bar in seen} == {"ETH-USD"}

        admin.clock(now=(minute + timedelta(seconds=61)).isoformat())
        admin.set_price("ETH-USD", "3005")
        following = event_on(ws, "candles:ETH-USD:1m")["data"]
        assert datetime.fromisoformat(following["open_time"]) == minute + timedelta(minutes=1)
        assert ohlc(following) == ("3005",) * 4

    span = {"interval": "1m", "from": minute.isoformat(), "to": minute.isoformat()}
    with make_client(server) as anonymous:
        stored = eventually(
            lambda: anonymous.get("/markets/ETH-USD/candles", params=span).json()["candles"],
            lambda bars: bars and bars[0]["close"] == "3001",
        )
    assert ohlc(stored[0]) == ohlc(seen[-1])


def test_an_unknown_market_or_interval_is_named_and_the_channels_are_bounded(
    server: Server, trader: Trader
) -> None:
    with live(server, trader.access_token) as ws:
        unknown = subscribe(ws, "candles:NOPE-USD:1m")
        assert (unknown["type"], unknown["code"]) == ("error", "not_found")
        assert "NOPE-USD" in unknown["message"]
        bad = subscribe(ws, "candles:BTC-USD:2m")
        assert (bad["type"], bad["code"]) == ("error", "not_found")
        assert "'2m'" in bad["message"]
        markets = ("BTC-USD", "ETH-USD")
        names = [f"candles:{m}:{i}" for m in markets for i in ("1m", "5m", "15m", "1h", "4h", "1d")]
        for name in names:
            assert subscribe(ws, name)["type"] == "subscribed"
        refused = subscribe(ws, "candles:SOL-USD:1m")
        assert (refused["type"], refused["code"]) == ("error", "too_many_channels")
        assert subscribe(ws, names[0])["type"] == "subscribed"  # again: no more
