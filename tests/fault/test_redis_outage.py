"""Redis killed (-9) under a running embedded platform, then started again empty.

`astratrade serve` (SQLite, manual feed and clock) runs against a Redis of the test's own.
While Redis is down: orders are accepted (their events wait in the outbox), the rate
limits count in the process, the boards answer from SQL, over HTTP and on the WebSocket,
`/readyz` says the bus is down, and the log says so in a few lines — no traceback, a
bounded number of reconnect attempts (backoff 0.1 s doubling to 5 s). Once Redis is back
(empty): the events committed meanwhile reach gamification and the ledger exactly once,
the boards' index is refilled from SQL, and a client on the live channels sees no event
twice."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from e2e.conftest import Server, Trader, create_trader, own_server

from .own_redis import OwnRedis

pytestmark = [pytest.mark.redis]

OUTAGE_SECONDS = 6.0  # long enough for the backoff to reach its cap
FIRST_DELAY, MAX_DELAY = 0.1, 5.0
UNREACHABLE = re.compile(r"^.*Redis unreachable.*$", re.MULTILINE)
RECONNECTED = re.compile(r"^.*Redis reachable again.*$", re.MULTILINE)
CLOSE_XP = 10  # a later close of the same UTC day, no stop-loss (progression rules)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[OwnRedis]:
    own = OwnRedis(tmp_path)
    own.start()
    try:
        yield own
    finally:
        own.kill()


@pytest.fixture
def server(tmp_path: Path, redis: OwnRedis) -> Iterator[Server]:
    with own_server(
        tmp_path,
        redis_url=redis.url,
        consumer_lease_ms="1000",
        rate_limit_orders_per_user="1000/minute",
    ) as srv:
        yield srv


def round_trip(trader: Trader) -> None:
    """Open and close a small BTC position: one close, two fills."""
    assert trader.market("buy", "0.01")["status"] == "filled"
    assert trader.market("sell", "0.01")["status"] == "filled"


def xp_of(trader: Trader) -> int:
    response = trader.get("/progression/me")
    assert response.status_code == 200, response.text
    xp: int = response.json()["xp"]
    return xp


def board(trader: Trader) -> dict[str, int]:
    response = trader.get("/leaderboards/xp", params={"limit": 50})
    assert response.status_code == 200, response.text
    return {s["user_id"]: int(s["score"]) for s in response.json()["standings"]}


def wait_for(what: str, check: Any, seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            assert found, f"{what}: not within {seconds} s"
            return found
        time.sleep(0.1)


def live(server: Server, token: str) -> ClientConnection:
    url = server.base_url.replace("http://", "ws://") + f"/api/v1/ws?token={token}"
    return connect(url, open_timeout=5)


def subscribe(ws: ClientConnection, channel: str) -> dict[str, Any]:
    ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=5))
        if message["type"] == "error" or (
            message["type"] == "subscribed" and message["channel"] == channel
        ):
            return message


def drain(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every message that arrives within `seconds`."""
    found, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            found.append(json.loads(ws.recv(timeout=left)))
        except TimeoutError:
            break
    return found


def attempts_allowed(seconds: float) -> int:
    """Reconnect attempts one loop may make in `seconds`: 0.1, 0.2, 0.4 ... then every 5 s."""
    attempts, delay, elapsed = 1, FIRST_DELAY, 0.0
    while elapsed + delay <= seconds:
        elapsed += delay
        attempts += 1
        delay = min(delay * 2, MAX_DELAY)
    return attempts


def test_a_redis_outage_degrades_without_errors_and_recovers_exactly_once(
    server: Server, redis: OwnRedis
) -> None:
    ann, bob, cid = (create_trader(server) for _ in range(3))
    for trader in (ann, bob, cid):
        round_trip(trader)

    def settled() -> dict[str, int] | None:
        # The board follows gamification's events: each close's XP, then its achievements'.
        xp = {t.user_id: xp_of(t) for t in (ann, bob, cid)}
        return xp if board(ann) == xp else None

    xp_before = before = wait_for("the first closes on the board, achievements included", settled)
    ws = live(server, ann.access_token)
    subscribe(ws, "progression")
    drain(ws, 0.5)

    log_offset = len(server.log_path.read_text(errors="replace"))
    redis.kill()
    killed_at = time.monotonic()
    # -- while Redis is down ------------------------------------------------------------
    for trader in (ann, bob):  # cid stays idle: only a refill puts it back on the board
        round_trip(trader)
    assert board(ann) == before  # from SQL: the closes' XP waits in the outbox
    mine = ann.get("/leaderboards/xp/me", params={"around": 1})
    assert mine.status_code == 200, mine.text
    assert ann.user_id in [s["user_id"] for s in mine.json()["standings"]]
    with live(server, bob.access_token) as other:
        snapshot = subscribe(other, "leaderboard:xp")
        assert snapshot["type"] == "subscribed", snapshot
        assert {s["user_id"] for s in snapshot["snapshot"]} == set(before)
    ready = httpx.get(f"{server.base_url}/readyz", timeout=5)
    assert ready.status_code == 503
    assert ready.json()["checks"]["bus"].startswith("error")
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - killed_at)))
    during = server.log_path.read_text(errors="replace")[log_offset:]
    outage = time.monotonic() - killed_at

    redis.start()  # the same port, empty
    # -- after ----------------------------------------------------------------------------
    expected = {
        **xp_before,
        ann.user_id: xp_before[ann.user_id] + CLOSE_XP,
        bob.user_id: xp_before[bob.user_id] + CLOSE_XP,
    }
    wait_for(
        "the XP of the outage's closes",
        lambda: {t.user_id: xp_of(t) for t in (ann, bob, cid)} == expected,
    )
    wait_for("the board refilled from SQL", lambda: board(ann) == expected)
    wait_for(
        "ready again", lambda: httpx.get(f"{server.base_url}/readyz", timeout=5).status_code == 200
    )
    resting = ann.place(side="buy", type="limit", size="0.001", price="30000")  # a limit's turn
    assert resting.status_code == 201, resting.text
    reconciled = server.cli("reconcile")  # every fill's postings on the ledger, once
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    time.sleep(1)  # anything the relay would send twice has had time to arrive
    assert xp_of(ann) == expected[ann.user_id]
    seen = [json.dumps(m["data"], sort_keys=True) for m in drain(ws, 1.0) if m["type"] == "event"]
    ws.close()
    assert seen, "the outage's XP reached the live channel"
    assert [m for m, n in Counter(seen).items() if n > 1] == []  # no event shown twice

    assert "Traceback" not in during, during[-3000:]
    lines = UNREACHABLE.findall(during)
    assert lines, during[-3000:]
    per_loop = Counter(line.split(": Redis unreachable")[0].split()[-1] for line in lines)
    allowed = attempts_allowed(outage)
    assert max(per_loop.values()) <= allowed, (allowed, per_loop)
    assert len(lines) <= 6 * allowed, len(lines)  # relay, consumers, tail, index, limits
    after = server.log_path.read_text(errors="replace")[log_offset:]
    back = Counter(
        line.split(": Redis reachable again")[0].split()[-1] for line in RECONNECTED.findall(after)
    )
    assert set(back) == set(per_loop), (back, per_loop)
    assert max(back.values()) == 1, back
    assert "Traceback" not in after, after[-3000:]
