"""The WebSocket hub as a service of its own, as real processes (`up --distributed
--realtime-replicas 2`, PostgreSQL and Redis):

- clients of the same trader on both realtime replicas get the same events in the same
  order, with the same sequence numbers;
- a replica killed with -9: its client, relayed by the gateway, is closed with 1012
  (reconnect), reconnects through the gateway to the other replica and resumes with
  `since`: it gets exactly what it missed, no gap, nothing twice;
- the `feed` channel (social's) reaches a follower through the realtime service;
- the `copy:<id>` channel: its owner check and snapshot asked of the copy-trading service,
  the copied decision and the copy account's figures (trading's read) through the realtime
  service;
- the `candles:<market>:<interval>` channel on both replicas (one restarted during the
  hour's bar): the bar being formed as the admin's prices tick, equal to the bar the
  analytics service stores."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from .conftest import Admin, Trader, eventually, new_admin
from .distributed import Distributed, distributed

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
WAIT = 15.0
STARTUP = 60.0
QUIET = 1.5  # seconds without a message: every event in flight has arrived
RESTART_AFTER = 60.0  # the killed replica stays down for the test


@pytest.fixture
def server(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fresh_postgres_url: str,
    redis_url: str,
    redis_prefix: str,
) -> Iterator[Distributed]:
    """Two realtime replicas; a killed process restarts after the seconds the test gives
    (indirectly), else not within the test."""
    restart_after = getattr(request, "param", RESTART_AFTER)
    with distributed(
        tmp_path,
        fresh_postgres_url,
        redis_url,
        redis_prefix,
        realtime_replicas=2,
        restart_after=restart_after,
    ) as srv:
        yield srv


def socket(url: str, token: str) -> ClientConnection:
    return connect(url.replace("http://", "ws://") + f"/api/v1/ws?token={token}", open_timeout=10)


def subscribe(ws: ClientConnection, channel: str, since: int | None = None) -> dict[str, Any]:
    ws.send(json.dumps({"type": "subscribe", "channel": channel, "since": since}))
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
        if message["type"] == "subscribed" and message["channel"] == channel:
            return message


Seen = tuple[str, int, str, str]  # channel, seq, event, its order (or market)


def events(ws: ClientConnection, closes: int) -> list[Seen]:
    """The events on the socket up to the `closes`-th PositionClosed and a quiet second
    after it (the last orders' events)."""
    found: list[Seen] = []
    while sum(seen[2] == "PositionClosed" for seen in found) < closes:
        found += _event_in(ws.recv(timeout=WAIT))
    with suppress(TimeoutError):
        while True:
            found += _event_in(ws.recv(timeout=QUIET))
    return found


def _event_in(text: str | bytes) -> list[Seen]:
    message = json.loads(text)
    if message["type"] != "event":
        return []
    data = message["data"]
    about = data.get("order_id") or data["market"]
    return [(message["channel"], message["seq"], data["type"], about)]


def connections_on(url: str) -> float:
    metrics = httpx.get(f"{url}/metrics/", timeout=5).text
    gauge = "astratrade_ws_connections "
    (line,) = [line for line in metrics.splitlines() if line.startswith(gauge)]
    return float(line.split()[1])


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def closed_code(ws: ClientConnection) -> int:
    """The close code the server sends, once what came before it is read."""
    try:
        while True:
            ws.recv(timeout=WAIT)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else 1006  # no close frame


def round_trip(trader: Trader) -> None:
    """Four events on `positions`' and `orders`' channels: an opening fill, a close."""
    trader.market("buy", "0.01", market="ETH-USD")
    closed = trader.post("/positions/ETH-USD/close", json={"account_id": trader.account_id})
    assert closed.status_code == 200, closed.text


@pytest.mark.parametrize("server", [0.5], indirect=True, ids=["restarting"])
def test_both_replicas_number_a_traders_events_the_same_and_carry_the_feed(
    server: Distributed, trader: Trader, new_trader: Any
) -> None:
    """The second replica restarts after the trader's first events: it never saw them,
    yet numbers what follows as the first one does (counting here would not)."""
    hubs = server.urls_of("realtime")
    assert len(hubs) == 2
    round_trip(trader)
    os.kill(server.pid_of("realtime-2"), signal.SIGKILL)
    deadline = time.monotonic() + STARTUP
    while server.starts_of("realtime-2") < 2 or not ready(hubs[1]):
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.2)
    with socket(hubs[0], trader.access_token) as one, socket(hubs[1], trader.access_token) as two:
        for ws in (one, two):
            subscribe(ws, "orders")
            subscribe(ws, "positions")
        round_trip(trader)
        round_trip(trader)
        seen = events(one, closes=2)
        assert {channel for channel, *_ in seen} == {"orders", "positions"}
        assert events(two, closes=2) == seen
    a_post_reaches_a_follower_through_the_gateway(server, new_trader)
    a_copy_is_watched_through_the_gateway(server, new_trader)
    the_forming_bar_is_the_stored_one_on_both_replicas(server, trader)


def test_a_client_of_a_killed_replica_resumes_on_the_other_without_a_gap(
    server: Distributed, trader: Trader
) -> None:
    hubs = server.urls_of("realtime")
    before = [connections_on(hub) for hub in hubs]
    with socket(server.base_url, trader.access_token) as relayed:
        subscribe(relayed, "positions")
        deadline = time.monotonic() + WAIT
        while (now := [connections_on(hub) for hub in hubs]) == before:
            assert time.monotonic() < deadline, "the relayed socket reached no replica"
            time.sleep(0.1)
        mine = 0 if now[0] > before[0] else 1
        survivor = hubs[1 - mine]
        with socket(survivor, trader.access_token) as witness:
            subscribe(witness, "positions")
            round_trip(trader)
            seen = events(relayed, closes=1)
            assert events(witness, closes=1) == seen

            os.kill(server.pid_of(f"realtime-{mine + 1}"), signal.SIGKILL)
            assert closed_code(relayed) == 1012  # reconnect
            round_trip(trader)  # while the client is away
            round_trip(trader)
            missed = events(witness, closes=2)

    with socket(server.base_url, trader.access_token) as again:  # through the gateway
        resumed = subscribe(again, "positions", since=seen[-1][1])
        assert resumed["resumed"] is True
        assert events(again, closes=2) == missed
        assert missed[0][1] > seen[-1][1]
        assert connections_on(survivor) >= 1


def a_post_reaches_a_follower_through_the_gateway(server: Distributed, new_trader: Any) -> None:
    """Social's `feed` channel, its snapshot and audience asked of the social service."""
    author, follower = new_trader("ann"), new_trader("bob")
    assert follower.post(f"/profiles/{author.username}/follow").json()["status"] == "active"
    with socket(server.base_url, follower.access_token) as ws:
        subscribe(ws, "feed")
        posted = author.post("/posts", json={"text": "live through the hub $BTC"}).json()
        while True:
            message = json.loads(ws.recv(timeout=WAIT))
            if message["type"] == "event" and message["channel"] == "feed":
                break
        assert (message["data"]["type"], message["data"]["post_id"]) == (
            "FeedItem",
            posted["post_id"],
        )


def a_copy_is_watched_through_the_gateway(server: Distributed, new_trader: Any) -> None:
    """A leader (twenty closes: level 3) and a copier on the Pro plan; the copier's socket
    through the gateway to a realtime replica, the leader's trade copied live."""
    admin = Admin(server, new_admin(server), "")
    leader, copier = new_trader("lea"), new_trader("cid")
    for n in range(20):
        admin.set_price("ETH-USD", "3000")
        leader.market("buy", "0.1", market="ETH-USD")
        admin.set_price("ETH-USD", "3030" if n % 2 == 0 else "2970")
        leader.market("sell", "0.1", market="ETH-USD")
    led = eventually(lambda: leader.post("/leaders/me", json={}), lambda r: r.status_code == 200)
    assert led.status_code == 200, led.text
    assert copier.put("/subscription", json={"plan": "pro"}).status_code == 200
    opened = eventually(
        lambda: copier.post("/copies", json={"leader": leader.username, "allocation": "1000"}),
        lambda r: r.status_code == 201,
    )
    assert opened.status_code == 201, opened.text
    copy_id = opened.json()["id"]
    eventually(lambda: copier.get(f"/copies/{copy_id}").json(), lambda c: c["funded"])
    with socket(server.base_url, leader.access_token) as ws:
        refused = json.dumps({"type": "subscribe", "channel": f"copy:{copy_id}"})
        ws.send(refused)
        answer = json.loads(ws.recv(timeout=WAIT))
        assert (answer["type"], answer["code"]) == ("error", "not_found")
    with socket(server.base_url, copier.access_token) as ws:
        first = subscribe(ws, f"copy:{copy_id}")
        assert first["snapshot"]["copy"]["account"]["equity"] == "1000"
        assert [d["kind"] for d in first["snapshot"]["decisions"]["items"]] == ["funded"]
        leader.market("buy", "0.5")
        kinds: list[str] = []
        positions: list[Any] = []
        while not (kinds and positions):
            message = json.loads(ws.recv(timeout=WAIT))
            if message["type"] != "event":
                continue
            data = message["data"]
            if data["type"] == "decision":
                kinds.append(data["decision"]["kind"])
            elif data["type"] == "equity" and data["positions"]:
                positions = data["positions"]
        assert kinds == ["copied"]
        assert (positions[0]["market"], positions[0]["side"]) == ("BTC-USD", "long")


def the_forming_bar_is_the_stored_one_on_both_replicas(server: Distributed, trader: Trader) -> None:
    """Each replica keeps the bars being formed from the prices' stream, and a snapshot
    joins the part the analytics service stored before (the second replica restarted)."""
    admin = Admin(server, new_admin(server), "")
    admin.set_price("SOL-USD", "150")
    hubs = server.urls_of("realtime")
    channel = "candles:SOL-USD:1h"
    with socket(hubs[0], trader.access_token) as one, socket(hubs[1], trader.access_token) as two:
        for ws in (one, two):
            assert subscribe(ws, channel)["snapshot"]["market"] == "SOL-USD"
        for mark in ("151", "155.5", "149"):
            admin.set_price("SOL-USD", mark)
        pushed = [_bar_closing_at(ws, channel, "149") for ws in (one, two)]
    assert pushed[0] == pushed[1]
    span = {"interval": "1h", "from": pushed[0]["open_time"], "to": pushed[0]["open_time"]}
    stored = eventually(
        lambda: httpx.get(f"{server.base_url}/api/v1/markets/SOL-USD/candles", params=span).json()[
            "candles"
        ],
        lambda bars: bars and bars[0]["close"] == "149",
    )
    ohlc = ("open", "high", "low", "close")
    assert [stored[0][k] for k in ohlc] == [pushed[0][k] for k in ohlc]
    assert float(pushed[0]["high"]) >= 155.5


def _bar_closing_at(ws: ClientConnection, channel: str, close: str) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv(timeout=WAIT))
        data = message.get("data") or {}
        if message.get("channel") == channel and data.get("close") == close:
            return dict(data)
