"""kill -9 in the middle of a burst of orders: every order the API accepted is still there
after a restart, and the account agrees with its fills to the last cent."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from .conftest import (
    STARTING_BALANCE,
    Server,
    Trader,
    _server_env,
    _start,
    _stop,
    _wait_ready,
    create_trader,
    make_client,
)


def _boot(data_dir: Path) -> Server:
    for _attempt in range(3):
        srv = _start(_server_env(data_dir), data_dir, data_dir / "server.log")
        if _wait_ready(srv):
            return srv
    pytest.fail(f"astratrade serve did not start:\n{srv.log_tail()}")


def test_no_accepted_order_is_lost_to_a_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path
    first = _boot(data_dir)
    trader = create_trader(first, "crash")
    accepted: list[dict[str, str]] = []
    lock = threading.Lock()

    def place(i: int) -> None:
        body = {
            "account_id": trader.account_id,
            "market": "BTC-USD",
            "type": "market",
            "side": "buy" if i % 3 else "sell",
            "size": "0.001",
            "client_order_id": f"c{i}",
        }
        try:
            with make_client(first) as client:
                client.headers["Authorization"] = trader.client.headers["Authorization"]
                response = client.post("/orders", json=body)
        except httpx.TransportError:
            return  # in flight when the server died: it may or may not have been taken
        if response.status_code == 201:
            with lock:
                accepted.append(response.json())
                if len(accepted) == 40:
                    first.process.kill()  # SIGKILL: no shutdown, no flush, mid-burst

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(place, range(400)))
    first.process.wait(timeout=10)
    assert 40 <= len(accepted) < 400  # the kill landed mid-burst

    second = _boot(data_dir)
    try:
        again = Trader(second, trader.username, trader.user_id)
        for order in accepted:
            stored = again.order(order["order_id"])
            assert stored["status"] == "filled"
            assert stored["fills"] == order["fills"]
        orders = again.orders(account_id=again.account_id, limit=500)
        fills = [f for o in orders for f in o["fills"]]
        size = sum(
            Decimal(f["size"]) * (1 if o["side"] == "buy" else -1)
            for o in orders
            for f in o["fills"]
        )
        cash = sum(Decimal(f["realized_pnl"]) - Decimal(f["fee"]) for f in fills)
        position = again.position("BTC-USD")
        assert Decimal(position["size"] if position else 0) == abs(size)
        assert again.collateral() == STARTING_BALANCE + cash
        # The idempotency keys survived too: a retry of an accepted order changes nothing.
        retry = again.place(
            account_id=again.account_id,
            market="BTC-USD",
            type="market",
            side="sell",
            size="0.001",
            client_order_id=accepted[0]["client_order_id"],
        )
        assert retry.json()["order_id"] == accepted[0]["order_id"]
        assert len(again.orders(account_id=again.account_id, limit=500)) == len(orders)
    finally:
        _stop(second.process)
