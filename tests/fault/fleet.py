"""Real processes of the harness, and what the tests read from PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import streams
from astratrade.infrastructure.consumer import lease_key
from astratrade.infrastructure.event_store import event_log, outbox
from astratrade.infrastructure.tracking import tracking

from .harness import CONTEXT, GROUP, applications, expected_totals, tallies

HARNESS = Path(__file__).with_name("harness.py")


@dataclass
class Proc:
    label: str
    process: asyncio.subprocess.Process
    log: Path
    stats: Path
    holds: dict[str, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """What the process was started as ("c1" for c1 and its restart "c1.1")."""
        return self.label.partition(".")[0]

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def hold(self, point: str) -> Path:
        return self.holds[point]

    def read_stats(self) -> dict[str, int]:
        return json.loads(self.stats.read_text()) if self.stats.exists() else {}


class Fleet:
    """Starts harness processes, kills them, and always cleans them up."""

    def __init__(
        self,
        db_url: str,
        redis_url: str,
        prefix: str,
        workdir: Path,
        engine: AsyncEngine,
        redis: Any,
    ) -> None:
        self.db_url, self.redis_url, self.prefix = db_url, redis_url, prefix
        self.workdir = workdir
        self.engine = engine
        self.redis = redis
        self.procs: list[Proc] = []
        self.stream = streams.events_stream(prefix, CONTEXT)
        self.dead_letter_stream = streams.dead_letter_stream(prefix, GROUP)

    # -- processes ---------------------------------------------------------------------------

    async def _start(self, label: str, command: list[str], holds: tuple[str, ...] = ()) -> Proc:
        n = sum(p.label == label for p in self.procs)
        tag = f"{label}.{n}" if n else label
        log, stats = self.workdir / f"{tag}.log", self.workdir / f"{tag}.stats.json"
        hold_paths = {point: self.workdir / f"{tag}.hold-{point}" for point in holds}
        args = [str(HARNESS), *command, "--db", self.db_url, "--stats", str(stats)]
        for point, path in hold_paths.items():
            args += [f"--hold-{point}", str(path)]
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *args,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                env={"PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"},
            )
        proc = Proc(tag, process, log, stats, hold_paths)
        self.procs.append(proc)
        return proc

    async def relay(self, *, batch_size: int = 500) -> Proc:
        return await self._start(
            "relay",
            [
                "relay",
                "--redis",
                self.redis_url,
                "--prefix",
                self.prefix,
                "--batch-size",
                str(batch_size),
            ],
            holds=("before-mark", "before-read"),
        )

    async def consumer(self, name: str, *, lease_ms: int = 1000, batch_size: int = 20) -> Proc:
        ready = self.workdir / f"{name}.{len(self.procs)}.ready"
        proc = await self._start(
            name,
            [
                "consume",
                name,
                "--redis",
                self.redis_url,
                "--prefix",
                self.prefix,
                "--lease-ms",
                str(lease_ms),
                "--batch-size",
                str(batch_size),
                "--ready",
                str(ready),
            ],
            holds=("before-ack", "in-handler"),
        )
        await self.wait_for(lambda: _exists(ready), 30, f"{proc.label} to start", proc)
        return proc

    async def producer(
        self, counters: int, last_seq: int, *, first_seq: int = 1, rate: float | None = None
    ) -> Proc:
        command = [
            "produce",
            "--counters",
            str(counters),
            "--first-seq",
            str(first_seq),
            "--last-seq",
            str(last_seq),
        ]
        if rate:
            command += ["--rate", str(rate)]
        return await self._start("producer", command)

    async def kill9(self, proc: Proc) -> None:
        """SIGKILL: no signal handler, no finally, no flush."""
        proc.process.send_signal(signal.SIGKILL)
        await proc.process.wait()

    async def finished(self, proc: Proc, within: float = 20) -> int:
        """Wait for a process that ends by itself (the producer) and return its exit code."""
        async with asyncio.timeout(within):
            return await proc.process.wait()

    async def stop(self, proc: Proc, within: float = 20) -> int:
        if proc.running:
            proc.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(within):
                return await proc.process.wait()
        except TimeoutError:
            await self.kill9(proc)
            raise AssertionError(f"{proc.label} did not stop on SIGTERM") from None

    async def close(self) -> None:
        for proc in self.procs:
            if proc.running:
                await self.kill9(proc)

    def logs(self, lines: int = 40) -> str:
        parts = []
        for proc in self.procs:
            text = proc.log.read_text(errors="replace").splitlines() if proc.log.exists() else []
            parts.append(
                f"---- {proc.label} (exit {proc.process.returncode}) ----\n"
                + "\n".join(text[-lines:])
            )
        return "\n".join(parts)

    # -- holds -------------------------------------------------------------------------------

    async def hold(self, proc: Proc, point: str, within: float = 20) -> None:
        """Stop `proc` at `point` and return once it stands there."""
        self.hold_at(proc, point)
        await self.reached(proc, point, within)

    def hold_at(self, proc: Proc, point: str) -> None:
        """Stop `proc` at `point` the next time it gets there."""
        proc.hold(point).touch()

    async def reached(self, proc: Proc, point: str, within: float = 20) -> None:
        path = proc.hold(point)
        reached = path.with_name(path.name + ".reached")
        await self.wait_for(lambda: _exists(reached), within, f"{proc.label} at {point}", proc)

    def release(self, proc: Proc, point: str) -> None:
        path = proc.hold(point)
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".reached").unlink(missing_ok=True)

    # -- waiting -----------------------------------------------------------------------------

    async def wait_for(
        self,
        condition: Callable[[], Awaitable[bool]],
        within: float,
        what: str,
        watch: Proc | None = None,
    ) -> None:
        deadline = time.monotonic() + within
        while not await condition():
            if watch is not None and not watch.running:
                raise AssertionError(f"{watch.label} exited while waiting for {what}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {within}s waiting for {what}")
            await asyncio.sleep(0.05)

    async def settle(self, expected: int, within: float, quiet: float = 4.0) -> bool:
        """Wait until every event is applied, nothing waits in the outbox and the group has
        nothing pending or unread: True. False if nothing moved for `quiet` seconds with
        nothing left to deliver (events were lost), or at the timeout."""
        deadline = time.monotonic() + within
        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            applied = await self.applied()
            idle = await self.unpublished() == 0 and await self.group_idle()
            if applied == expected and idle:
                return True
            if applied != last:
                last, since = applied, time.monotonic()
            elif idle and time.monotonic() - since > quiet:
                return False
            await asyncio.sleep(0.2)
        return False

    # -- PostgreSQL --------------------------------------------------------------------------

    async def scalar(self, statement: Any) -> Any:
        async with self.engine.connect() as conn:
            return await conn.scalar(statement)

    async def applied(self) -> int:
        return int(await self.scalar(select(func.count()).select_from(applications)))

    async def published(self) -> int:
        count = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_not(None))
        return int(await self.scalar(count))

    async def unpublished(self) -> int:
        count = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int(await self.scalar(count))

    async def tracked_message_ids(self, message_ids: list[str]) -> set[str]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(tracking.c.message_id).where(
                    tracking.c.consumer == GROUP, tracking.c.message_id.in_(message_ids)
                )
            )
            return {r.message_id for r in rows}

    async def outcome(self) -> Outcome:
        async with self.engine.connect() as conn:
            apps = (
                await conn.execute(
                    select(
                        applications.c.event_id,
                        applications.c.counter_id,
                        applications.c.seq,
                        applications.c.consumer_name,
                    ).order_by(applications.c.id)
                )
            ).all()
            tally_rows = (await conn.execute(select(tallies))).all()
            tracked = (
                await conn.execute(select(tracking.c.event_id).where(tracking.c.consumer == GROUP))
            ).all()
            logged = (
                await conn.execute(select(event_log.c.event_id, event_log.c.aggregate_id))
            ).all()
            unpublished = await self.unpublished()
        return Outcome(
            applications=[(a.event_id, a.counter_id, a.seq, a.consumer_name) for a in apps],
            tallies={
                t.counter_id: (t.total, t.applied, t.last_seq, t.violations) for t in tally_rows
            },
            tracked=[t.event_id for t in tracked],
            logged={e.event_id: e.aggregate_id for e in logged},
            unpublished=unpublished,
        )

    # -- Redis -------------------------------------------------------------------------------

    async def active_consumer(self, within: float = 20) -> Proc:
        """The running consumer that holds the group's lease (the one at work)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            value = await self.redis.get(lease_key(self.prefix, GROUP))
            holder = value.split(" ")[0] if value else None
            running = [p for p in self.procs if p.running and p.name == holder]
            if running:
                return running[-1]
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"no running consumer took the lease within {within}s: {value!r}, "
            f"running {[p.label for p in self.procs if p.running]}"
        )

    async def group_info(self) -> dict[str, Any] | None:
        try:
            groups = await self.redis.xinfo_groups(self.stream)
        except Exception:  # no stream (yet)
            return None
        return next((g for g in groups if g["name"] == GROUP), None)

    async def group_idle(self) -> bool:
        """Nothing pending, nothing unread (Redis cannot always count the lag: then the
        group's last delivered id is the stream's last id)."""
        group = await self.group_info()
        if group is None or group["pending"] != 0:
            return False
        if group.get("lag") is not None:
            return bool(group["lag"] == 0)
        info = await self.redis.xinfo_stream(self.stream)
        return bool(group["last-delivered-id"] == info["last-generated-id"])

    async def pending_of(self, consumer: str) -> list[str]:
        entries = await self.redis.xpending_range(
            self.stream, GROUP, "-", "+", 100_000, consumername=consumer
        )
        return [e["message_id"] for e in entries]

    async def event_ids_of(self, message_ids: list[str]) -> dict[str, str]:
        found = {}
        for message_id in message_ids:
            for entry_id, fields in await self.redis.xrange(self.stream, message_id, message_id):
                found[entry_id] = streams.decode(fields).event_id
        return found

    async def stream_entries(self) -> list[tuple[str, str, int]]:
        """(event_id, aggregate_id, aggregate_version) of every entry, in stream order."""
        entries = await self.redis.xrange(self.stream)
        decoded = [streams.decode(fields) for _id, fields in entries]
        return [(e.event_id, e.aggregate_id, e.aggregate_version) for e in decoded]

    async def dead_letters(self) -> int:
        return int(await self.redis.xlen(self.dead_letter_stream))

    async def delete_keys(self, *, only_streams: bool = False) -> list[str]:
        """What Redis losing its data does to us: our keys are gone (this test's prefix
        only; the Redis server is shared)."""
        if only_streams:
            keys = [self.stream]
        else:
            keys = [key async for key in self.redis.scan_iter(match=f"{self.prefix}*")]
        if keys:
            await self.redis.delete(*keys)
        return keys


@dataclass
class Outcome:
    applications: list[tuple[str, str, int, str]]  # (event_id, counter, seq, consumer) in order
    tallies: dict[str, tuple[Decimal, int, int, int]]  # total, applied, last_seq, violations
    tracked: list[str]
    logged: dict[str, str]  # event_id -> aggregate_id
    unpublished: int

    def applied_twice(self) -> list[str]:
        return [e for e, n in Tally(a[0] for a in self.applications).items() if n > 1]

    def order_violations(self) -> list[tuple[str, int, int]]:
        """(counter, previous seq, seq) wherever a counter's applications, in commit order,
        are not 1, 2, 3, ..."""
        last: dict[str, int] = {}
        found = []
        for _event, counter, seq, _consumer in self.applications:
            if seq != last.get(counter, 0) + 1:
                found.append((counter, last.get(counter, 0), seq))
            last[counter] = seq
        return found


class EventsLost(AssertionError):
    """Events committed to the outbox that no consumer ever applied."""


class OrderBroken(AssertionError):
    """A counter's events applied out of their order."""


def check_exactly_once(outcome: Outcome, counters: int, last_seq: int) -> None:
    """Every produced event applied once (the test's own table would show a second
    application), one tracking row each, counts and sums exact. Events that were never
    applied raise EventsLost; anything else is a plain assertion."""
    total = counters * last_seq
    assert len(outcome.logged) == total, "the producer committed every event"
    assert outcome.applied_twice() == []
    applied = {a[0] for a in outcome.applications}
    assert applied <= set(outcome.logged)
    if len(applied) < total:
        raise EventsLost(
            f"{total - len(applied)} of {total} committed events were never applied "
            f"(outbox rows still unpublished: {outcome.unpublished})"
        )
    assert len(outcome.applications) == total
    assert Tally(outcome.tracked) == Tally(outcome.logged.keys())
    expected = expected_totals(counters, last_seq)
    assert {counter: t[0] for counter, t in outcome.tallies.items()} == expected
    assert {t[1] for t in outcome.tallies.values()} == {last_seq}
    assert sum(t[1] for t in outcome.tallies.values()) == total
    assert outcome.unpublished == 0


def check_order(outcome: Outcome) -> None:
    violations = outcome.order_violations()
    if violations:
        raise OrderBroken(
            f"{len(violations)} applications out of order per counter, e.g. "
            + ", ".join(f"{c}: seq {s} applied after seq {p}" for c, p, s in violations[:5])
        )


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)
