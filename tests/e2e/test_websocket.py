"""The WebSocket API with real clients: a fill shows on `positions` and `account`, a price
on `prices:<market>`, a close's XP on `progression` and `leaderboard:xp`; a reconnecting
client resumes from its last sequence number; nobody subscribes to another's account, and
an unauthenticated client is closed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from .conftest import Admin, Server, Trader

WAIT = 5.0


@contextmanager
def live(server: Server, token: str | None) -> Iterator[ClientConnection]:
    url = server.base_url.replace("http://", "ws://") + "/api/v1/ws"
    with connect(url + (f"?token={token}" if token else ""), open_timeout=WAIT) as ws:
        yield ws


def until(ws: ClientConnection, test: Any) -> dict[str, Any]:
    """The next message that passes `test` (others are skipped), within WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no such message in time")
        message: dict[str, Any] = json.loads(ws.recv(timeout=left))
        if test(message):
            return message


def subscribe(ws: ClientConnection, channel: str, since: int | None = None) -> dict[str, Any]:
    ws.send(json.dumps({"type": "subscribe", "channel": channel, "since": since}))
    return until(
        ws,
        lambda m: (
            (m.get("channel") == channel and m["type"] in ("subscribed",)) or m["type"] == "error"
        ),
    )


def event_on(ws: ClientConnection, channel: str, kind: str | None = None) -> dict[str, Any]:
    return until(
        ws,
        lambda m: (
            m["type"] == "event"
            and m["channel"] == channel
            and (kind is None or (m["data"] or {}).get("type") == kind)
        ),
    )


def test_a_fill_a_price_and_a_close_arrive_live(
    server: Server, admin: Admin, trader: Trader
) -> None:
    admin.reset_prices()
    with live(server, trader.access_token) as ws:
        opened = subscribe(ws, f"account:{trader.account_id}")
        assert opened["snapshot"]["collateral"] == "10000"
        assert subscribe(ws, "positions")["snapshot"] == []
        assert subscribe(ws, "progression")["snapshot"]["level"] == 1
        assert subscribe(ws, "prices:BTC-USD")["snapshot"]["market"] == "BTC-USD"
        assert subscribe(ws, "leaderboard:xp")["type"] == "subscribed"

        trader.market("buy", "0.1")
        filled = event_on(ws, "positions", "OrderFilled")
        assert (filled["data"]["account_id"], filled["data"]["size"]) == (trader.account_id, "0.1")
        account = event_on(ws, f"account:{trader.account_id}")
        assert account["data"]["initial_margin"] != "0"

        admin.set_price("BTC-USD", "61000")
        tick = event_on(ws, "prices:BTC-USD")
        assert tick["data"]["mark"] == "61000"

        trader.post("/positions/BTC-USD/close", json={"account_id": trader.account_id})
        event_on(ws, "positions", "PositionClosed")
        xp = event_on(ws, "progression", "XpAwarded")
        assert xp["data"]["user_id"] == trader.user_id
        board = event_on(ws, "leaderboard:xp")
        assert trader.user_id in [s["user_id"] for s in board["data"]]


def test_the_weekly_boards_are_live_too(server: Server, admin: Admin, new_trader: Any) -> None:
    """XP this week on `leaderboard:xp:week`; practice ROI on `leaderboard:roi`, where a
    trader ranks from the week's fifth close."""
    admin.reset_prices()
    trader = new_trader()
    with live(server, trader.access_token) as ws:
        assert subscribe(ws, "leaderboard:xp:week")["type"] == "subscribed"
        assert subscribe(ws, "leaderboard:roi")["type"] == "subscribed"
        assert subscribe(ws, "leaderboard:roi:weekly")["type"] == "error"  # no such board
        for _ in range(5):
            trader.market("buy", "0.01", market="ETH-USD")
            trader.post("/positions/ETH-USD/close", json={"account_id": trader.account_id})
        # Both boards move, in whichever order their pushes come.
        boards = {"leaderboard:xp:week", "leaderboard:roi"}
        while boards:
            moved = until(
                ws,
                lambda m: (
                    m["type"] == "event"
                    and m.get("channel") in boards
                    and trader.user_id in [s["user_id"] for s in m["data"]]
                ),
            )
            boards.discard(moved["channel"])


def test_a_reconnecting_client_resumes_from_its_sequence(server: Server, trader: Trader):
    with live(server, trader.access_token) as ws:
        subscribe(ws, "positions")
        metrics = httpx.get(f"{server.base_url}/metrics/", timeout=5).text
        (gauge,) = [
            line for line in metrics.splitlines() if line.startswith("astratrade_ws_connections ")
        ]
        assert float(gauge.split()[1]) >= 1
        trader.market("buy", "0.01", market="ETH-USD")
        first = event_on(ws, "positions", "OrderFilled")
    trader.market("sell", "0.01", market="ETH-USD")  # while disconnected
    with live(server, trader.access_token) as ws:
        rest = trader.place(
            market="BTC-USD", side="buy", type="limit", size="0.001", price="30000"
        ).json()
        (waiting,) = subscribe(ws, "orders")["snapshot"]
        assert waiting["order_id"] == rest["order_id"]
        second = trader.place(
            market="BTC-USD", side="buy", type="limit", size="0.001", price="30001"
        ).json()
        # The sell's events may still be on their way (after the snapshot: their seq says so).
        accepted = until(
            ws,
            lambda m: (
                m["type"] == "event"
                and m["channel"] == "orders"
                and m["data"].get("order_id") == second["order_id"]
            ),
        )["data"]  # the event's name is never the order's type
        assert (accepted["type"], accepted["order_type"]) == ("OrderAccepted", "limit")
        resumed = subscribe(ws, "positions", since=first["seq"])
        assert resumed["resumed"] is True
        missed = event_on(ws, "positions")
        assert missed["seq"] > first["seq"]
        assert missed["data"]["side"] == "sell"


def test_no_one_watches_another_account_and_strangers_are_closed(
    server: Server, trader: Trader, new_trader: Any
) -> None:
    other = new_trader()
    with live(server, other.access_token) as ws:
        refused = subscribe(ws, f"account:{trader.account_id}")
        assert (refused["type"], refused["code"]) == ("error", "not_found")
        assert subscribe(ws, "prices:NOPE-USD")["type"] == "error"
    with live(server, None) as ws:
        ws.send(json.dumps({"type": "auth", "token": "not-a-token"}))
        assert json.loads(ws.recv(timeout=WAIT))["type"] == "error"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=WAIT)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4001


def test_a_message_with_a_string_that_is_not_text_is_refused_and_the_connection_lives(
    server: Server, trader: Trader
) -> None:
    with live(server, trader.access_token) as ws:
        for channel in ('"account:\\ud800"', '"tournament:a\\u0000b"'):
            ws.send('{"type": "subscribe", "channel": ' + channel + "}")
            error = until(ws, lambda m: m.get("type") == "error")
            assert error["code"] == "bad_message", error
            assert "channel" in error["message"], error
        ws.send(json.dumps({"type": "ping"}))
        assert until(ws, lambda m: m.get("type") == "pong") == {"type": "pong"}
