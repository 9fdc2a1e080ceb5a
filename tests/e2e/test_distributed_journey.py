"""Distributed mode as real processes on PostgreSQL and Redis (`astratrade up
--distributed --trading-replicas 2`: migrations, the relay, four context services with
trading as two replicas on two shards, the gateway), driven only through the gateway: sign
up, trade (traders of both shards), XP and a level up, the leaderboard, the WebSocket
(closed once its session ends: the trading service asks the users service).
Then the gamification service is killed mid-journey: its paths answer 503 while trading
goes on; it is started again and catches up on what happened meanwhile, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from astratrade.shared.shards import shard_of

from .conftest import (
    Admin,
    Server,
    Trader,
    create_trader,
    eventually,
    make_client,
    register,
    unique_name,
)
from .distributed import STARTUP_SECONDS, Distributed, distributed, stop_up
from .prometheus import check_every_process_is_watched, prometheus

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
SHARDS = 2
PROCESSES = ("users", "trading-1", "trading-2", "financial", "gamification", "relay", "gateway")


@pytest.fixture
def server(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Distributed]:
    """Two trading replicas on two shards: traders land on either, through one gateway."""
    with distributed(
        tmp_path,
        fresh_postgres_url,
        redis_url,
        redis_prefix,
        trading_replicas=2,
        clock="system",
        trading_shards="2",
    ) as srv:
        yield srv


@pytest.fixture
def admin(server: Distributed) -> Iterator[Admin]:
    username = unique_name("admin")
    with make_client(server) as client:
        register(client, username)
    promoted = server.cli("users", "promote", username)
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    user = Admin(server, username, "")
    assert user.get("/me").json()["role"] == "admin"
    yield user
    user.close()


def live(srv: Server, token: str) -> Any:
    return connect(
        srv.base_url.replace("http://", "ws://") + f"/api/v1/ws?token={token}", open_timeout=10
    )


def subscribe(ws: Any, channels: tuple[str, ...]) -> None:
    """Join `channels` and wait for each one's "subscribed": what happens after it is sent."""
    for channel in channels:
        ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    waiting = set(channels)
    deadline = time.monotonic() + 15
    while waiting and time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        assert message["type"] != "error", message
        if message["type"] == "subscribed":
            waiting.discard(message.get("channel"))
    assert not waiting, f"never subscribed to {waiting}"


def next_event(ws: Any, channel: str, kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        data = message.get("data") or {}
        if message.get("channel") == channel and data.get("type") == kind:
            return message
    raise AssertionError(f"no {kind} on {channel}")


def next_board(ws: Any, channel: str, user_id: str) -> list[dict[str, Any]]:
    """The first top of `channel` with the trader in it."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if message.get("channel") == channel and message["type"] == "event":
            standings: list[dict[str, Any]] = message["data"]
            if user_id in [s["user_id"] for s in standings]:
                return standings
    raise AssertionError(f"{user_id} never on {channel}")


def closed_by_server(ws: Any, seconds: float = 5) -> tuple[int, str]:
    """The close code and reason the socket gets within `seconds`, the client silent."""
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=seconds)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def until_within(read: Any, test: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not test(value := read()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def round_trip(trader: Trader) -> None:
    trader.market("buy", "0.01", market="ETH-USD")
    closed = trader.post("/positions/ETH-USD/close", json={"account_id": trader.account_id})
    assert closed.status_code == 200, closed.text


def test_the_journey_through_the_gateway_survives_a_service_restart(
    server: Distributed, admin: Admin, tmp_path: Path
) -> None:
    """Prometheus watches the whole journey: every process a target, the rules evaluated."""
    started = time.monotonic()
    with prometheus(server, tmp_path / "prometheus") as prom:
        print(f"prometheus ready in {time.monotonic() - started:.2f} s")
        journey(server, admin)
        if prom is not None:
            checked = time.monotonic()
            check_every_process_is_watched(prom, server)
            print(f"prometheus checks in {time.monotonic() - checked:.2f} s")
    check_a_clean_stop(server)


def journey(server: Distributed, admin: Admin) -> None:
    admin.reset_prices()
    trader = create_trader(server)
    five = trader.put(
        f"/accounts/{trader.account_id}/leverage", json={"market": "ETH-USD", "leverage": "5"}
    )
    assert five.status_code == 200, five.text
    request_id = trader.get("/me").headers["x-request-id"]
    assert request_id  # every answer names its request, the gateway's id

    with live(server, trader.access_token) as ws:
        subscribe(ws, ("positions", "progression", "leaderboard:xp"))
        trader.market("buy", "0.01", market="ETH-USD")
        filled = next_event(ws, "positions", "OrderFilled")
        assert filled["data"]["account_id"] == trader.account_id
        trader.post("/positions/ETH-USD/close", json={"account_id": trader.account_id})
        assert next_event(ws, "progression", "XpAwarded")["data"]["user_id"] == trader.user_id
        board = next_board(ws, "leaderboard:xp", trader.user_id)  # gamification's, via HTTP
        assert isinstance(board[0]["score"], str)
    with live(server, trader.access_token) as ws:  # closed once its session ends, via users
        assert trader.post("/auth/logout-all").status_code == 204
        assert closed_by_server(ws) == (4001, "token has been revoked")
    trader.login()

    for _ in range(8):  # level 2 at 100 XP: closes and the achievements they complete
        round_trip(trader)
    progression = eventually(
        lambda: trader.get("/progression/me").json(), lambda p: p["level"] >= 2
    )
    board = trader.get("/leaderboards/xp").json()
    assert trader.user_id in [s["user_id"] for s in board["standings"]]

    closes_before = progression["closes"]
    os.kill(server.pid_of("gamification"), signal.SIGKILL)
    down = eventually(lambda: trader.get("/progression/me"), lambda r: r.status_code == 503)
    assert down.json()["error"]["code"] == "service_unavailable"
    assert down.json()["error"]["service"] == "gamification"
    assert trader.get(f"/accounts/{trader.account_id}").status_code == 200  # trading answers
    round_trip(trader)  # closed while gamification is down: its events wait in Redis
    round_trip(trader)

    back = until_within(
        lambda: trader.get("/progression/me"), lambda r: r.status_code == 200, STARTUP_SECONDS
    )
    assert server.starts_of("gamification") == 2
    caught_up = eventually(
        lambda: trader.get("/progression/me").json(), lambda p: p["closes"] == closes_before + 2
    )
    assert caught_up["xp"] > progression["xp"], back.text

    check_the_other_shard_trades_too(server, trader)
    check_the_gateways_own_answers(server)


def check_the_other_shard_trades_too(server: Distributed, first: Trader) -> None:
    """A trader of the other shard is served by the other replica, through the same
    gateway: an account, an order, a position closed."""
    other = create_trader(server, "o")
    while shard_of(other.user_id, SHARDS) == shard_of(first.user_id, SHARDS):
        other.close()
        other = create_trader(server, "o")
    try:
        round_trip(other)
        assert other.position("ETH-USD") is None
        assert other.orders(account_id=other.account_id)
    finally:
        other.close()


def check_the_gateways_own_answers(server: Distributed) -> None:
    """One API described from every service; bad tokens and unknown or internal paths
    stopped at the gateway."""
    spec = httpx.get(f"{server.base_url}/openapi.json", timeout=10).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/orders",
        "/api/v1/leaderboards/{board}",
        "/api/v1/accounts/{account_id}/faucet",
    ):
        assert path in paths, sorted(paths)
    forged = httpx.get(
        f"{server.base_url}/api/v1/me", timeout=10, headers={"Authorization": "Bearer not-a-token"}
    )
    assert forged.status_code == 401
    unknown = httpx.get(f"{server.base_url}/api/v1/no-such-thing", timeout=10)
    assert unknown.status_code == 404
    internal = httpx.get(f"{server.base_url}/internal/v1/accounts/x/funds", timeout=10)
    assert internal.status_code == 404  # service-to-service routes are never routed


def check_a_clean_stop(server: Distributed) -> None:
    """Ctrl-C stops everything `up` started, and it exits 0."""
    pids = [server.pid_of(name) for name in PROCESSES]
    stop_up(server)
    assert server.process.returncode == 0, server.log_tail()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
