"""Two server processes on one PostgreSQL and Redis: a client on each sees the same events in
the same order, because each process tails every Redis stream itself (XREAD, no group).
The second process runs no relay and no consumers (ASTRATRADE_EVENT_WORKERS=external): it
only serves, as a further gateway would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Server, Trader, _server_env, _start, _stop, _wait_ready
from .test_websocket import event_on, live, subscribe

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def start(tmp: Path, database: str, redis_url: str, prefix: str, **extra: str) -> Server:
    env = _server_env(tmp)
    env.update(ASTRATRADE_DATABASE_URL=database, ASTRATRADE_REDIS_URL=redis_url,
               ASTRATRADE_REDIS_PREFIX=prefix, ASTRATRADE_CONSUMER_LEASE_MS="1000",
               **extra)  # fmt: skip
    srv = _start(env, tmp, tmp / "server.log")
    assert _wait_ready(srv), srv.log_tail()
    return srv


@pytest.fixture
def servers(tmp_path: Path, fresh_postgres_url: str, redis_url: str,
            redis_prefix: str) -> Iterator[tuple[Server, Server]]:  # fmt: skip
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = start(tmp_path / "a", fresh_postgres_url, redis_url, redis_prefix)
    second = start(tmp_path / "b", fresh_postgres_url, redis_url, redis_prefix,
                   ASTRATRADE_EVENT_WORKERS="external")  # fmt: skip
    try:
        yield first, second
    finally:
        _stop(second.process)
        _stop(first.process)


def test_a_client_on_each_process_sees_the_same_events_in_order(
    servers: tuple[Server, Server],
) -> None:
    first, second = servers
    from .conftest import create_trader

    trader: Trader = create_trader(first)
    try:
        with live(first, trader.access_token) as here, live(second, trader.access_token) as there:
            for ws in (here, there):
                assert subscribe(ws, "positions")["type"] == "subscribed"
            for n in range(4):
                trader.market("buy" if n % 2 == 0 else "sell", "0.01", market="ETH-USD")
            seen = [[event_on(ws, "positions", "OrderFilled")["data"]["fill_id"]
                     for _ in range(4)] for ws in (here, there)]  # fmt: skip
        assert seen[0] == seen[1]
        assert len(set(seen[0])) == 4
    finally:
        trader.close()
