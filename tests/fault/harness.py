"""A test-only context, "ledgertest", and the real processes that move its events.

Run from the project's virtualenv as a script (its directory need not be importable):

    python tests/fault/harness.py produce --db URL --counters 50 --last-seq 200 [--rate 1500]
    python tests/fault/harness.py relay   --db URL --redis URL --prefix P [--hold-before-mark F]
    python tests/fault/harness.py consume NAME --db URL --redis URL --prefix P [--lease-ms]

A `Counter` aggregate records `AmountAdded(counter_id, amount, seq)`; `produce` commits
them through SqlUnitOfWork (audit log and outbox in one transaction), `relay` runs the real
OutboxRelay and `consume` a real StreamConsumer whose handler folds each event into a tally
row inside a SqlUnitOfWork — the unit of work writes the consumer's tracking row in that
same transaction, because the consumer has set the delivery contextvar.

Every application is also appended to `fault_applications` (no unique key there, on
purpose: a second application of an event must show up, not be refused by the test), so
the tests can count applications and read their commit order per counter independently of
the platform's own tracking table.

Fault injection is by "hold" files: while the file exists, the process stops at that point
and says so by creating FILE.reached. The test then kills the process or deletes Redis keys
exactly there, and removes the file to let it go on."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure import streams
from astratrade.infrastructure.consumer import ConsumerSettings, StreamConsumer
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.relay import OutboxRelay
from astratrade.infrastructure.types import ExactDecimal
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.writer import Writer, writer_for
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import SystemClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Aggregate, Envelope, Event

T = TypeVar("T")

CONTEXT = "ledgertest"  # the publishing context: stream <prefix>astratrade.ledgertest.events
GROUP = "ledgertest.tally"  # the consuming context: consumer group and tracking name

# -- the test context ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AmountAdded(Event):
    context = CONTEXT
    counter_id: str
    amount: Decimal
    seq: int


class Counter(Aggregate):
    aggregate_type = "counter"

    def add(self, amount: Decimal) -> None:
        seq = self.version + len(self.pending_events) + 1  # == the aggregate version
        self.record(AmountAdded(counter_id=self.id, amount=amount, seq=seq))


def counter_id(index: int) -> str:
    return f"counter-{index:03d}"


def amount_for(index: int, seq: int) -> Decimal:
    """A known, varied amount with four decimals (0.0000 to 999.9999)."""
    return Decimal((index * 7_919 + seq * 104_729) % 10_000_000) / Decimal(10_000)


def expected_totals(counters: int, last_seq: int) -> dict[str, Decimal]:
    return {
        counter_id(i): sum((amount_for(i, s) for s in range(1, last_seq + 1)), Decimal(0))
        for i in range(counters)
    }


tally_metadata = MetaData()  # test-only tables, not an app migration

tallies = Table(
    "fault_tallies",
    tally_metadata,
    Column("counter_id", String(64), primary_key=True),
    Column("total", ExactDecimal, nullable=False),
    Column("applied", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("violations", Integer, nullable=False),  # seq != last_seq + 1 when applied
)

applications = Table(
    "fault_applications",
    tally_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),  # commit order per counter
    Column("event_id", String(36), nullable=False),  # deliberately not unique
    Column("counter_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("consumer_name", String(40), nullable=False),
)


async def setup(url: str, counters: int) -> None:
    """App tables by migration, the test tables by create_all, one zero tally per counter."""
    engine = create_engine(url)
    try:
        await migrate(engine)
        async with engine.begin() as conn:
            await conn.run_sync(tally_metadata.create_all)
            await conn.execute(
                insert(tallies),
                [
                    {
                        "counter_id": counter_id(i),
                        "total": Decimal(0),
                        "applied": 0,
                        "last_seq": 0,
                        "violations": 0,
                    }
                    for i in range(counters)
                ],
            )
    finally:
        await engine.dispose()


class NoPublisher:
    """Nothing is woken in-process: the relay is another process and polls the outbox."""

    def committed(self, envelopes: list[Envelope]) -> None:
        return None


async def produce(
    url: str,
    counters: int,
    last_seq: int,
    *,
    first_seq: int = 1,
    rounds_per_commit: int = 1,
    rate: float | None = None,
) -> int:
    """Commit AmountAdded events seq first_seq..last_seq for every counter, round by round
    (each round one event per counter), `rounds_per_commit` rounds per transaction, at
    about `rate` events a second if given. Return how many were committed."""
    engine = create_engine(url)
    clock = SystemClock()
    aggregates = [Counter(counter_id(i), version=first_seq - 1) for i in range(counters)]
    committed, started = 0, time.monotonic()
    try:
        seq = first_seq
        while seq <= last_seq:
            rounds = range(seq, min(seq + rounds_per_commit, last_seq + 1))
            async with SqlUnitOfWork(engine, NoPublisher(), clock) as uow:
                for s in rounds:
                    for i, aggregate in enumerate(aggregates):
                        aggregate.add(amount_for(i, s))
                        uow.track(aggregate)
                committed += len(await uow.commit())
            seq = rounds.stop
            if rate:
                ahead = committed / rate - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
    finally:
        await engine.dispose()
    return committed


# -- fault injection -------------------------------------------------------------------------


class Hold:
    """Stops the process here while `path` exists, after creating `path`.reached."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None

    async def here(self) -> None:
        if self.path is None or not self.path.exists():
            return
        _write(self.path.with_name(self.path.name + ".reached"), str(os.getpid()))
        while self.path.exists():  # noqa: ASYNC110 - the test's file is the only signal
            await asyncio.sleep(0.005)


class HeldWriter:
    """The relay's writer, held before each transaction: the relay's only writes are
    marking a batch it has just XADDed as published (and, after Redis lost its data,
    queueing the replay window again)."""

    def __init__(self, inner: Writer, hold: Hold) -> None:
        self._inner, self._hold = inner, hold
        self.exclusive = inner.exclusive

    async def run(self, work: Callable[[Connection], T]) -> T:
        await self._hold.here()
        return await self._inner.run(work)

    async def close(self) -> None:
        await self._inner.close()


class HeldEngine:
    """The relay's read engine, held before each read of the outbox: that is after the
    relay last compared its stream counts with Redis and before it sends the batch it reads."""

    def __init__(self, inner: AsyncEngine, hold: Hold) -> None:
        self._inner, self._hold = inner, hold

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        await self._hold.here()
        async with self._inner.connect() as conn:
            yield conn


class HeldRedis:
    """A consumer's Redis client, held before each XACK: the batch in hand is applied and
    committed, and Redis does not know it yet."""

    def __init__(self, inner: Any, hold: Hold) -> None:
        self._inner, self._hold = inner, hold

    async def xack(self, *args: Any) -> Any:
        await self._hold.here()
        return await self._inner.xack(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


# -- the processes ---------------------------------------------------------------------------


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def run_relay(args: argparse.Namespace) -> None:
    engine = create_engine(args.db)
    redis = streams.connect(args.redis)
    writer = HeldWriter(writer_for(args.db, engine), Hold(args.hold_before_mark))
    read_db: Any = HeldEngine(engine, Hold(args.hold_before_read))
    relay = OutboxRelay(
        redis,
        read_db,
        writer,
        SystemClock(),
        prefix=args.prefix,
        batch_size=args.batch_size,
    )
    stop = _stop_on_signals()
    logging.info("relay running (pid %d)", os.getpid())
    try:
        await relay.run(stop)
    finally:
        _write_stats(args.stats, {"published": relay.published})
        await redis.aclose()
        await engine.dispose()
    logging.info("relay stopped cleanly after publishing %d", relay.published)


# One statement (the consumers are CPU-bound on two cores): lock the counter's tally row, so
# its applications commit one at a time; fold the amount in; count an order violation when
# the event is not the next one of its counter; append the application.
APPLY = text(
    """
    WITH old AS (
        SELECT last_seq FROM fault_tallies WHERE counter_id = :counter FOR UPDATE
    ), tally AS (
        UPDATE fault_tallies AS t
        SET total = t.total + :amount, applied = t.applied + 1, last_seq = :seq,
            violations = t.violations + CASE WHEN :seq = old.last_seq + 1 THEN 0 ELSE 1 END
        FROM old WHERE t.counter_id = :counter
        RETURNING t.counter_id
    )
    INSERT INTO fault_applications (event_id, counter_id, seq, consumer_name)
    SELECT :event_id, counter_id, :seq, :name FROM tally
    """
)


def tally_handler(
    engine: AsyncEngine, name: str, hold: Hold
) -> Callable[[Envelope, Delivery], Any]:
    clock, publisher = SystemClock(), NoPublisher()

    async def add_to_tally(envelope: Envelope, delivery: Delivery) -> None:
        await hold.here()  # held mid-batch, its transaction open: nothing of it committed
        data = envelope.payload
        params = {
            "counter": str(data["counter_id"]),
            "seq": int(data["seq"]),
            "amount": Decimal(data["amount"]),
            "event_id": envelope.event_id,
            "name": name,
        }
        async with SqlUnitOfWork(engine, publisher, clock, delivery=delivery) as uow:
            conn = await uow.connection()
            await conn.execute(APPLY, params)
            await uow.commit()  # writes the tracking row of the delivery in hand, too

    return add_to_tally


async def run_consumer(args: argparse.Namespace) -> None:
    engine = create_engine(args.db)
    redis = streams.connect(args.redis)
    handler = tally_handler(engine, args.name, Hold(args.hold_in_handler))
    bus = MessageBus()
    bus.subscribe("AmountAdded", handler, source=CONTEXT, consumer=GROUP)
    settings = ConsumerSettings(batch_size=args.batch_size, lease_ms=args.lease_ms)
    held_redis: Any = HeldRedis(redis, Hold(args.hold_before_ack))
    consumer = StreamConsumer(
        held_redis,
        bus,
        engine,
        engine,
        writer_for(args.db, engine),
        SystemClock(),
        context=GROUP,
        name=args.name,
        prefix=args.prefix,
        settings=settings,
    )
    stop = _stop_on_signals()
    await consumer.ensure_groups()
    _write(args.ready, str(os.getpid()))
    logging.info("consumer %s running (pid %d)", args.name, os.getpid())
    try:
        await consumer.run(stop)
    finally:
        stats = {
            "consumed": consumer.consumed,
            "duplicates": consumer.duplicates,
            "failed": consumer.failed,
            "dead_lettered": consumer.dead_lettered,
        }
        _write_stats(args.stats, stats)
        await redis.aclose()
        await engine.dispose()
    logging.info("consumer %s stopped cleanly: %s", args.name, consumer.consumed)


async def run_producer(args: argparse.Namespace) -> None:
    count = await produce(
        args.db,
        args.counters,
        args.last_seq,
        first_seq=args.first_seq,
        rounds_per_commit=args.rounds_per_commit,
        rate=args.rate,
    )
    _write_stats(args.stats, {"produced": count})
    logging.info("produced %d events", count)


def _write_stats(path: str | None, stats: dict[str, int]) -> None:
    _write(path, json.dumps(stats))


def _write(path: str | Path | None, content: str) -> None:
    if path:
        Path(path).write_text(content)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="harness")
    commands = parser.add_subparsers(dest="command", required=True)
    produce_cmd = commands.add_parser("produce")
    relay_cmd = commands.add_parser("relay")
    consume_cmd = commands.add_parser("consume")
    for cmd in (produce_cmd, relay_cmd, consume_cmd):
        cmd.add_argument("--db", required=True)
        cmd.add_argument("--stats")
    for cmd in (relay_cmd, consume_cmd):
        cmd.add_argument("--redis", required=True)
        cmd.add_argument("--prefix", required=True)
    produce_cmd.add_argument("--counters", type=int, required=True)
    produce_cmd.add_argument("--first-seq", type=int, default=1)
    produce_cmd.add_argument("--last-seq", type=int, required=True)
    produce_cmd.add_argument("--rounds-per-commit", type=int, default=1)
    produce_cmd.add_argument("--rate", type=float)
    relay_cmd.add_argument("--batch-size", type=int, default=500)
    relay_cmd.add_argument("--hold-before-mark")
    relay_cmd.add_argument("--hold-before-read")
    consume_cmd.add_argument("name")
    consume_cmd.add_argument("--batch-size", type=int, default=100)
    consume_cmd.add_argument("--lease-ms", type=int, default=1000)
    consume_cmd.add_argument("--ready")
    consume_cmd.add_argument("--hold-before-ack")
    consume_cmd.add_argument("--hold-in-handler")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"%(asctime)s {args.command}[{os.getpid()}] %(levelname)s %(name)s: %(message)s",
    )
    work = {"produce": run_producer, "relay": run_relay, "consume": run_consumer}
    asyncio.run(work[args.command](args))


if __name__ == "__main__":
    main()
