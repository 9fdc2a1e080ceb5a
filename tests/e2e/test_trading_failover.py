"""Trading's failover as real processes (`up --distributed --trading-replicas 2`, two
shards, PostgreSQL and Redis), under a burst of orders from traders of both shards:

- one replica killed with -9 mid-burst: the other takes its shard within 10 s and the
  traders of that shard trade again through the same gateway;
- one replica paused with SIGSTOP past its lease: its shard moves; an order that reached it
  before the pause is never written once it wakes (the fence), and it rejoins;
- after it all, every order answered 2xx exists exactly once, no fill is doubled, and
  `astratrade reconcile` proves the ledger."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from astratrade.shared.shards import shard_of

from .conftest import Admin, Trader, make_client, new_admin, register, unique_name
from .distributed import Distributed, distributed

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
SHARDS = 2
TAKEOVER = 10.0  # seconds: the promise for a dead or paused replica's shards
LEASE = 6.0  # the default lease: a paused replica is past it after this long
RESTART_AFTER = 15.0  # `up` restarts a killed replica only after the takeover is measured


@pytest.fixture
def server(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Distributed]:
    with distributed(
        tmp_path,
        fresh_postgres_url,
        redis_url,
        redis_prefix,
        trading_replicas=2,
        realtime_replicas=0,  # sockets play no part here; two processes fewer on 2 cores
        restart_after=RESTART_AFTER,
        trading_shards=str(SHARDS),
    ) as srv:
        yield srv


def sql(srv: Distributed, query: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        url = srv.env["ASTRATRADE_DATABASE_URL"].replace("postgresql+asyncpg", "postgresql")
        connection = await asyncpg.connect(url)
        try:
            return list(await connection.fetch(query, *args))
        finally:
            await connection.close()

    return asyncio.run(run())


def holder_pid(srv: Distributed, shard: int) -> int | None:
    """The pid of the replica holding `shard` now (replicas are named host-pid)."""
    rows = sql(
        srv,
        "SELECT holder FROM events.shard_leases WHERE scope = 'trading' AND shard = $1"
        " AND expires_at > now()",
        shard,
    )
    return int(rows[0]["holder"].rsplit("-", 1)[1]) if rows and rows[0]["holder"] else None


def until(read: Any, test: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not test(value := read()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


@dataclass
class Answer:
    client_order_id: str
    status: int | None  # None: no answer (the connection failed or timed out)
    body: dict[str, Any] = field(default_factory=dict)


class Burst:
    """Each trader places 0.001 BTC market orders, buy then sell, as fast as answers come,
    on a thread of its own, until stopped; every answer is kept."""

    def __init__(self, traders: list[Trader]) -> None:
        self.answers: dict[str, list[Answer]] = {t.account_id: [] for t in traders}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(t,)) for t in traders]

    def __enter__(self) -> Burst:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, trader: Trader) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            side = "buy" if n % 2 else "sell"
            self.answers[trader.account_id].append(place(trader, f"burst-{n}", side))
            time.sleep(0.02)

    def succeeded_since(self, account_id: str, moment: float) -> bool:
        return (
            any(
                a.status is not None and 200 <= a.status < 300
                for a in self.answers[account_id][-3:]
            )
            and time.monotonic() > moment
        )


def place(trader: Trader, client_order_id: str, side: str, timeout: float = 15) -> Answer:
    body = {
        "account_id": trader.account_id,
        "market": "BTC-USD",
        "side": side,
        "type": "market",
        "size": "0.001",
        "client_order_id": client_order_id,
    }
    try:
        answer = trader.client.post("/orders", json=body, timeout=timeout)
    except httpx.HTTPError:
        return Answer(client_order_id, None)
    return Answer(client_order_id, answer.status_code, answer.json())


def traders_on_both_shards(srv: Distributed, each: int) -> dict[int, list[Trader]]:
    found: dict[int, list[Trader]] = {shard: [] for shard in range(SHARDS)}
    while any(len(t) < each for t in found.values()):
        username = unique_name("f")
        with make_client(srv) as client:
            user_id = register(client, username)
        shard = shard_of(user_id, SHARDS)
        if len(found[shard]) < each:
            found[shard].append(Trader(srv, username, user_id))
    return found


def test_a_replica_killed_or_paused_mid_burst_loses_and_doubles_nothing(
    server: Distributed,
) -> None:
    names = {server.pid_of(name): name for name in ("trading-1", "trading-2")}
    replicas = set(names)
    # The traders register once the shards are settled: a shard handed over while a
    # sign-up's account is being opened would only delay it, but past the traders' wait.
    assert until(lambda: {holder_pid(server, s) for s in range(SHARDS)}, replicas.__eq__, 20) == (
        replicas
    ), "each replica holds one shard"
    admin = make_admin(server)
    admin.reset_prices()
    shards = traders_on_both_shards(server, each=2)
    everyone = [t for group in shards.values() for t in group]

    with Burst(everyone) as burst:
        time.sleep(2)
        victim = holder_pid(server, 0)
        assert victim is not None
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        survivor = until(lambda: holder_pid(server, 0), lambda p: p not in (None, victim), 15)
        taken = time.monotonic() - killed_at
        assert survivor in replicas - {victim}, server.log_tail()
        assert taken <= TAKEOVER, f"shard 0 taken over after {taken:.1f} s"
        print(f"shard 0 taken over {taken:.1f} s after its holder was killed")
        for trader in shards[0]:  # its traders trade again, through the same gateway
            assert until(
                lambda t=trader: burst.succeeded_since(t.account_id, killed_at + taken),
                bool,
                TAKEOVER,
            ), burst.answers[trader.account_id][-3:]

        # `up` restarts the killed replica; the leases give it a shard back.
        restarted = until(
            lambda: server.pid_of(names[victim]),
            lambda p: p != victim,
            RESTART_AFTER + 30,
        )
        both = {survivor, restarted}
        # No bound of the specification's here (the takeover's is above): a restarted
        # replica imports the platform first, and at a loaded run's start that took over 30 s.
        assert until(lambda: {holder_pid(server, s) for s in range(SHARDS)}, both.__eq__, 60) == (
            both
        ), server.log_tail()

        paused_shard = 1
        paused = holder_pid(server, paused_shard)
        assert paused is not None
        probe_trader = shards[paused_shard][0]
        os.kill(paused, signal.SIGSTOP)
        try:
            # Sent while the gateway's map still names the paused replica: it waits there.
            probe = place(probe_trader, "while-paused", "buy", timeout=60)
            assert probe.status is None or probe.status >= 500, probe
            moved = until(
                lambda: holder_pid(server, paused_shard), lambda p: p not in (None, paused), 15
            )
            assert moved != paused
            time.sleep(1)
        finally:
            os.kill(paused, signal.SIGCONT)
        time.sleep(LEASE)  # awake: whatever it held in memory meets the fence
        assert not written(server, probe_trader.account_id, "while-paused"), "fence crossed"
        holders = until(
            lambda: {holder_pid(server, s) for s in range(SHARDS)}, lambda h: paused in h, 30
        )
        assert paused in holders, "the paused replica rejoins and gets a shard again"
        time.sleep(2)

    check_every_answer_against_the_database(server, burst)
    check_the_ledger(server, admin)


def make_admin(srv: Distributed) -> Admin:
    return Admin(srv, new_admin(srv), "")


def written(srv: Distributed, account_id: str, client_order_id: str) -> bool:
    return bool(
        sql(
            srv,
            "SELECT 1 FROM trading.trading_orders WHERE account_id = $1 AND client_order_id = $2",
            account_id,
            client_order_id,
        )
    )


def check_every_answer_against_the_database(srv: Distributed, burst: Burst) -> None:
    accepted = 0
    for account_id, answers in burst.answers.items():
        rows = sql(
            srv,
            "SELECT id, client_order_id, status FROM trading.trading_orders WHERE account_id = $1",
            account_id,
        )
        stored = {r["client_order_id"]: r for r in rows}
        for answer in answers:
            if answer.status is not None and 200 <= answer.status < 300:
                accepted += 1
                row = stored.get(answer.client_order_id)
                assert row is not None, f"{answer} answered 2xx but was never written"
                assert row["id"] == answer.body["order_id"], answer
            elif answer.status == 503 and answer.body.get("error", {}).get("code") in (
                "shard_elsewhere",
                "unavailable",
            ):
                assert answer.client_order_id not in stored, f"{answer} refused yet written"
    assert accepted > 100, f"only {accepted} orders accepted in the burst"
    doubled = sql(
        srv,
        "SELECT order_id, count(*) AS n FROM trading.trading_fills"
        " GROUP BY order_id HAVING count(*) > 1",
    )
    assert not doubled, doubled


def check_the_ledger(srv: Distributed, admin: Admin) -> None:
    # Polled over HTTP (the CLI is a process of its own each time), then proven by it.
    until(lambda: admin.get("/admin/reconciliation"), lambda r: r.json().get("proven"), 60)
    done = srv.cli("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
