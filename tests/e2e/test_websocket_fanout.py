"""Two server processes on one PostgreSQL and Redis: a client on each sees the same events in
the same order, because each process tails every Redis stream itself (XREAD, no group).
The second process runs no relay and no consumers (ASTRATRADE_EVENT_WORKERS=external): it
only serves, as a further gateway would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Server, Trader, own_server
from .test_websocket import event_on, live, subscribe

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def servers(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[tuple[Server, Server]]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shared = {
        "database_url": fresh_postgres_url,
        "redis_url": redis_url,
        "redis_prefix": redis_prefix,
        "consumer_lease_ms": "1000",
    }
    with (
        own_server(tmp_path / "a", **shared) as first,
        own_server(tmp_path / "b", event_workers="external", **shared) as second,
    ):
        yield first, second


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
            seen = [
                [event_on(ws, "positions", "OrderFilled")["data"]["fill_id"] for _ in range(4)]
                for ws in (here, there)
            ]
        assert seen[0] == seen[1]
        assert len(set(seen[0])) == 4
    finally:
        trader.close()
