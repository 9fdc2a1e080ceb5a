"""The ledger's consumer killed in the middle of a busy run and started again, with real
processes on PostgreSQL and Redis: `astratrade serve` runs every other consumer, the
ledger's runs as `astratrade worker consume --context financial.ledger`. While it is dead
reconciliation names the gap; once it is back, it catches up and reconciliation proves every
account (exit 0)."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ASTRATRADE, Admin, Server, create_trader, new_admin, own_server

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
LEDGER = "financial.ledger"


@pytest.fixture
def server(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Server]:
    with own_server(
        tmp_path,
        database_url=fresh_postgres_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        external_consumers=LEDGER,
        consumer_lease_ms="1000",
        # Trading's shard is not what this test moves: a machine starved for more than the
        # default 6 s (the suite's first minutes) must not hand it over mid-run.
        trading_shard_lease_seconds="30",
    ) as srv:
        yield srv


def ledger_worker(srv: Server, n: int) -> subprocess.Popen[bytes]:
    log = (srv.data_dir / f"ledger-worker-{n}.log").open("ab")
    return subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [str(ASTRATRADE), "worker", "consume", "--context", LEDGER],
        env=srv.env,
        cwd=srv.data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def busy(traders: list[Any], rounds: int, stop: threading.Event) -> None:
    """Round trips, faucet top-ups and withdrawals, as fast as the server answers."""
    for n in range(rounds):
        if stop.is_set():
            return
        for trader in traders:
            trader.market("buy" if n % 2 == 0 else "sell", "0.01", market="ETH-USD")
            if n % 5 == 0:
                path = "faucet" if n % 10 == 0 else "withdrawals"
                trader.post(f"/accounts/{trader.account_id}/{path}", json={"amount": "10"})


def reconcile(srv: Server) -> subprocess.CompletedProcess[str]:
    return srv.cli("reconcile")


def test_the_ledger_catches_up_after_its_consumer_is_killed(server: Server) -> None:
    admin = Admin(server, new_admin(server), "")
    traders = [create_trader(server) for _ in range(4)]
    worker = ledger_worker(server, 0)
    stop = threading.Event()
    first = threading.Thread(target=busy, args=(traders, 20, stop))
    first.start()
    try:
        time.sleep(1.5)  # in the middle of the run
        worker.kill()
        worker.wait(timeout=10)
        first.join(timeout=120)
        busy(traders, 6, stop)  # more money moves while the ledger's consumer is dead
        behind = reconcile(server)
        assert behind.returncode == 1, behind.stdout + behind.stderr  # the gap is named

        worker = ledger_worker(server, 1)
        # Polled over HTTP (the CLI is a process of its own each time), then proven by it.
        deadline = time.monotonic() + 60
        while not admin.get("/admin/reconciliation").json()["proven"]:
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.5)
        done = reconcile(server)
        assert done.returncode == 0, done.stdout + done.stderr + server.log_tail()
        assert "proven" in done.stdout
    finally:
        stop.set()
        first.join(timeout=30)
        worker.kill()
        worker.wait(timeout=10)
        for user in (*traders, admin):
            user.close()
