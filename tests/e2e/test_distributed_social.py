"""The social service in distributed mode (`astratrade up --distributed` on PostgreSQL and
Redis), driven through the gateway: killed (SIGKILL), its routes answer 503 while trading
goes on untouched (orders placed, positions read and closed, progression earned); started
again by `up`, it catches up on the events it missed (the level reached meanwhile posts
its item) and keeps what it had."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Admin, Trader, create_trader, eventually, new_admin
from .distributed import STARTUP_SECONDS, Distributed, distributed
from .test_distributed_journey import round_trip, until_within

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
RESTART_AFTER = 15.0  # seconds `up` waits before starting a killed service again: the
# first close (level 2 with its achievement) is well decided by then


@pytest.fixture
def server(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Distributed]:
    with distributed(
        tmp_path,
        fresh_postgres_url,
        redis_url,
        redis_prefix,
        realtime_replicas=0,  # no sockets here; two processes fewer on 2 cores
        restart_after=RESTART_AFTER,
        clock="system",
    ) as srv:
        yield srv


def texts(trader: Trader, path: str) -> list[str]:
    answer = trader.get(path)
    assert answer.status_code == 200, answer.text
    return [item["text"] for item in answer.json()["items"]]


def test_trading_goes_on_without_social_which_catches_up_when_back(
    server: Distributed,
) -> None:
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    ann, bob = create_trader(server, "ann"), create_trader(server, "bob")
    followed = eventually(
        lambda: bob.post(f"/profiles/{ann.username}/follow"), lambda r: r.status_code == 200
    )
    assert followed.json()["status"] == "active"
    assert ann.post("/posts", json={"text": "before the outage $ETH"}).status_code == 201
    assert texts(bob, "/feed") == ["before the outage $ETH"]

    os.kill(server.pid_of("social"), signal.SIGKILL)
    down = eventually(lambda: bob.get("/feed"), lambda r: r.status_code == 503)
    assert (down.json()["error"]["code"], down.json()["error"]["service"]) == (
        "service_unavailable",
        "social",
    )
    for path in ("/profiles/me", f"/profiles/{ann.username}/posts", "/markets/ETH-USD/posts"):
        assert ann.get(path).status_code == 503, path
    assert ann.post("/posts", json={"text": "into the void"}).status_code == 503

    # Trading and progression, untouched: round trips until level 2 (its item waits).
    ann.market("buy", "0.01", market="ETH-USD")
    (position,) = ann.positions()
    assert position["market"] == "ETH-USD"
    ann.post("/positions/ETH-USD/close", json={"account_id": ann.account_id})
    level: dict[str, Any] = {}
    for _ in range(12):
        level = ann.get("/progression/me").json()
        if level["level"] >= 2:
            break
        round_trip(ann)
    level = eventually(lambda: ann.get("/progression/me").json(), lambda p: p["level"] >= 2)
    assert ann.orders(account_id=ann.account_id)
    assert ann.get("/feed").status_code == 503, "social came back before the level was reached"
    assert server.starts_of("social") == 1

    until_within(
        lambda: bob.get("/feed"), lambda r: r.status_code == 200, RESTART_AFTER + STARTUP_SECONDS
    )
    assert server.starts_of("social") == 2
    reached = f"Reached level {level['level']}"
    shown = eventually(lambda: texts(bob, "/feed"), lambda items: reached in items)
    assert shown[-1] == "before the outage $ETH"
    assert "into the void" not in shown
    items = ann.get(f"/profiles/{ann.username}/posts").json()["items"]
    assert [i["kind"] for i in items if i["text"] == reached] == ["level"]
    for user in (admin, ann, bob):
        user.close()
