"""The copy-trading service in distributed mode (`astratrade up --distributed` on PostgreSQL
and Redis), driven through the gateway: its read models follow users', gamification's
and trading's events over the streams (a closed position counted, the refusal naming what
is still missing); killed (SIGKILL), its routes answer 503 naming it while trading goes
on; started again by `up`, it catches up on the closes it missed."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Admin, Trader, create_trader, new_admin
from .distributed import STARTUP_SECONDS, Distributed, distributed
from .test_distributed_journey import round_trip, until_within

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
RESTART_AFTER = 20.0  # seconds `up` waits before starting a killed service again


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


def refusal(trader: Trader) -> str:
    answer = trader.post("/leaders/me", json={})
    return str(answer.json()["error"]["message"]) if answer.status_code == 400 else ""


def test_copytrading_follows_the_streams_and_catches_up_after_a_kill(
    server: Distributed,
) -> None:
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    lea = create_trader(server, "lea")
    round_trip(lea)
    message = until_within(
        lambda: refusal(lea), lambda m: "level is 2" in m and "1 closed" in m, STARTUP_SECONDS
    )
    assert "level is 2, at least 3 is needed" in message, message  # 160 XP for the first
    assert "1 closed positions, at least 20 are needed" in message, message
    assert lea.get("/leaders").json() == {"items": [], "next_cursor": None}

    os.kill(server.pid_of("copytrading"), signal.SIGKILL)
    down = until_within(lambda: lea.get("/leaders"), lambda r: r.status_code == 503, 10)
    assert (down.status_code, down.json()["error"]["service"]) == (503, "copytrading")
    round_trip(lea)  # trading goes on without it
    round_trip(lea)

    back = until_within(
        lambda: refusal(lea), lambda m: "3 closed positions" in m, RESTART_AFTER + STARTUP_SECONDS
    )
    assert "3 closed positions, at least 20 are needed" in back, back
