"""Candles over HTTP against a real server with the manual feed and clock, on SQLite and
PostgreSQL: the bars of the prices an admin sets, with the volume of the trades between
them, at 1m and 1h; bad input answers 422 naming the field; an unlisted market 404."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from .conftest import (
    DATABASES,
    Admin,
    D,
    Server,
    Trader,
    assert_error,
    create_trader,
    eventually,
    make_client,
    module_server,
    new_admin,
)


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    yield from module_server(tmp_path_factory, request, request.param)


def bars(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/markets/SOL-USD/candles", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["market"], body["interval"]) == ("SOL-USD", params.get("interval", "1m"))
    return list(body["candles"])


def test_the_bars_of_the_ticks_sent_with_the_volume_traded(server: Server) -> None:
    admin, trader = Admin(server, new_admin(server), ""), create_trader(server, "ohlc")
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    minute = (now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    admin.clock(now=minute.isoformat())
    for second, mark in [(1, "150"), (10, "152.5"), (30, "149"), (50, "150.5")]:
        admin.clock(now=(minute + timedelta(seconds=second)).isoformat())
        admin.set_price("SOL-USD", mark)
        if second == 10:
            trader.market("buy", "2", market="SOL-USD")
            trader.market("sell", "0.5", market="SOL-USD")
    admin.clock(now=(minute + timedelta(seconds=61)).isoformat())
    admin.set_price("SOL-USD", "151")
    span = {"from": minute.isoformat(), "to": (minute + timedelta(minutes=1)).isoformat()}

    with make_client(server) as anonymous:  # public
        # The bars follow the ticks; their volume, the fills (a read model of its own, which
        # may take in the second fill a moment later).
        found = eventually(
            lambda: bars(anonymous, **span), lambda b: len(b) == 2 and b[0]["volume"] == "2.5"
        )
        hour = eventually(
            lambda: bars(anonymous, interval="1h", limit=1), lambda b: b and b[0]["close"] == "151"
        )

    assert [
        (datetime.fromisoformat(b["open_time"]), b["open"], b["high"], b["low"], b["close"])
        for b in found
    ] == [
        (minute, "150", "152.5", "149", "150.5"),
        (minute + timedelta(minutes=1), "151", "151", "151", "151"),
    ]
    assert [b["volume"] for b in found] == ["2.5", "0"]  # 2 bought, 0.5 sold, in SOL
    assert D(hour[0]["high"]) >= Decimal("152.5")
    assert D(hour[0]["low"]) <= Decimal(149)
    assert hour[0]["volume"] == "2.5"


def test_bad_input_names_the_field(server: Server) -> None:
    trader: Trader = create_trader(server, "candles")
    for params, field in [
        ({"interval": "2m"}, "interval"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-02T10:00:00"}, "from"),  # no timezone
        ({"from": "2026-03-02T10:00:00Z", "to": "2026-03-02T09:00:00Z"}, "from"),
    ]:
        assert_error(trader.get("/markets/SOL-USD/candles", params=params), 422, field)
    assert_error(trader.get("/markets/DOGE-USD/candles"), 404)
