"""Replicas of a sharded writer as real processes (tests/fault/shard_replica.py) with the
default 6 s lease, on a PostgreSQL database of the test's own: one paused with SIGSTOP is
taken over within 10 s and, woken up, has its writes refused by the fence; a third joins
and gets its share; one killed with -9 is taken over within 10 s too."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.shard_leases import shard_leases

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).with_name("shard_replica.py")
SHARDS = 4
TAKEOVER = 10.0  # seconds: the promise for a dead or paused replica's shards


@dataclass
class Replica:
    name: str
    process: asyncio.subprocess.Process
    report: Path
    log: Path

    def events(self, kind: str) -> list[dict[str, Any]]:
        if not self.report.exists():
            return []
        lines = self.report.read_text().splitlines()
        return [e for e in map(json.loads, lines) if e["event"] == kind]


class Replicas:
    def __init__(self, url: str, engine: AsyncEngine, workdir: Path) -> None:
        self.url, self.engine, self.workdir = url, engine, workdir
        self.scope = f"test-{uuid.uuid4().hex[:8]}"
        self.running: list[Replica] = []

    async def start(self, name: str) -> Replica:
        report, log = self.workdir / f"{name}.jsonl", self.workdir / f"{name}.log"
        args = ["--db", self.url, "--scope", self.scope, "--shards", str(SHARDS)]
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(SCRIPT),
                name,
                *args,
                "--report",
                str(report),
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                env={"PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"},
            )
        replica = Replica(name, process, report, log)
        self.running.append(replica)
        await self.wait_for(lambda: _now(bool(replica.events("started"))), 30, f"{name} up")
        return replica

    async def holders(self) -> dict[int, tuple[str, int]]:
        """Each unexpired lease's holder and token, by the database."""
        leases = shard_leases.c
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(leases.shard, leases.holder, leases.token).where(
                    leases.scope == self.scope, leases.expires_at > text("now()")
                )
            )
            return {shard: (holder, token) for shard, holder, token in rows}

    async def shares(self, *expected: int) -> bool:
        holders = await self.holders()
        names = [holder for holder, _ in holders.values()]
        found = sorted((names.count(n) for n in set(names)), reverse=True)
        return len(holders) == SHARDS and found == list(expected)

    async def writes(self) -> list[tuple[int, int, str]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT shard, token, replica FROM shard_writes ORDER BY seq")
            )
            return [(shard, token, replica) for shard, token, replica in rows]

    async def wait_for(
        self, check: Callable[[], Awaitable[bool]], within: float, what: str
    ) -> float:
        started = time.monotonic()
        while not await check():
            if time.monotonic() - started > within:
                raise AssertionError(f"not within {within} s: {what}")
            await asyncio.sleep(0.05)
        return time.monotonic() - started

    async def close(self) -> None:
        for replica in self.running:
            if replica.process.returncode is None:
                replica.process.send_signal(signal.SIGCONT)  # a paused one cannot die
                replica.process.kill()
                await replica.process.wait()

    def logs(self) -> str:
        return "\n".join(
            f"---- {r.name} ----\n{r.log.read_text(errors='replace')[-3000:]}" for r in self.running
        )


async def _now(value: bool) -> bool:
    return value


@pytest.fixture
async def replicas(fresh_postgres_url: str, tmp_path: Path) -> AsyncIterator[Replicas]:
    engine = create_engine(fresh_postgres_url)
    await migrate(engine)
    running = Replicas(fresh_postgres_url, engine, tmp_path)
    try:
        yield running
    finally:
        await running.close()
        print(running.logs())  # shown with a failing test's report
        await engine.dispose()


async def test_a_paused_replica_is_taken_over_and_fenced_and_a_third_gets_its_share(
    replicas: Replicas,
) -> None:
    r1 = await replicas.start("r1")
    r2 = await replicas.start("r2")
    await replicas.wait_for(lambda: replicas.shares(2, 2), 20, "2 and 2")
    paused = {
        s: token for s, (holder, token) in (await replicas.holders()).items() if holder == "r1"
    }

    async def written_with_its_tokens() -> bool:
        done = {(shard, token) for shard, token, _ in await replicas.writes()}
        return set(paused.items()) <= done

    await replicas.wait_for(written_with_its_tokens, 10, "r1 writing its shards")

    r1.process.send_signal(signal.SIGSTOP)
    took = await replicas.wait_for(lambda: replicas.shares(4), TAKEOVER, "r2 holds every shard")
    holders = await replicas.holders()
    assert all(holder == "r2" for holder, _ in holders.values())
    assert all(holders[s][1] > token for s, token in paused.items())

    r1.process.send_signal(signal.SIGCONT)

    async def woke_up_refused() -> bool:
        lost = {e["shard"] for e in r1.events("lost")}
        fenced = {(e["shard"], e["token"]) for e in r1.events("fenced")}
        return lost >= paused.keys() and fenced >= set(paused.items())

    await replicas.wait_for(woke_up_refused, 10, "r1 told it lost its shards, its writes refused")
    # Per shard, the writes' tokens never go back: nothing r1 wrote with its old token
    # landed after r2's first write under the new one.
    for shard in range(SHARDS):
        tokens = [token for s, token, _ in await replicas.writes() if s == shard]
        assert tokens == sorted(tokens), f"shard {shard}: {tokens}"

    await replicas.wait_for(lambda: replicas.shares(2, 2), 20, "r1 back in, 2 and 2")
    r3 = await replicas.start("r3")
    await replicas.wait_for(lambda: replicas.shares(2, 1, 1), 20, "r3 in, 2, 1 and 1")

    # Killed outright: the two left share its shards again within the promise.
    victim = next(r for r in (r1, r2, r3) if len(r.events("acquired")) > len(r.events("lost")))
    victim.process.kill()
    await victim.process.wait()
    took_after_kill = await replicas.wait_for(
        lambda: replicas.shares(2, 2), TAKEOVER, f"{victim.name}'s shards taken"
    )

    acquisitions = sorted(
        (e["at"], e["shard"], e["token"]) for r in (r1, r2, r3) for e in r.events("acquired")
    )
    for shard in range(SHARDS):
        tokens = [token for _, s, token in acquisitions if s == shard]
        assert tokens == sorted(set(tokens)), f"shard {shard}: tokens {tokens}"
    print(f"paused: taken over in {took:.1f} s; killed: in {took_after_kill:.1f} s")
