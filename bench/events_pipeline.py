"""Events end to end (outbox -> Redis Streams -> consumer -> tracking commit), beside raw
redis-py XADD + XREADGROUP of the same payloads, in one run.

Against the real services: PostgreSQL (a database of our own, created and dropped here)
and/or SQLite (a file in a temporary directory), and Redis (keys under a prefix of our own,
deleted at the end). The platform's own pieces are used unchanged: `migrate`,
`SqlUnitOfWork`, `writer_for`, `OutboxRelay`, `StreamConsumer`; only the event
(`BenchTicked`), its aggregate and the subscriptions are bench-only. For each database:

1. the floor: redis-py (redis.asyncio with hiredis, the platform's client settings) XADDs
   the same encoded envelopes (`streams.encode`) in pipelines of --relay-batch while a
   consumer XREADGROUPs COUNT --consumer-batch and XACKs each batch; events/s from the first
   XADD to the last XACK;
2. throughput: N events are committed to the outbox through `SqlUnitOfWork` (500 a commit,
   not timed); then the relay and the consumer are started and timed until every event is
   handled, and the tracking rows are counted (must be N). Two consumers:
   - "no effect": the handler does nothing, so the consumer writes the tracking rows itself
     -- the pipeline's own cost, which the verdicts use;
   - "counter": the handler increments a counter row through a `SqlUnitOfWork`, which writes
     the tracking row in the same transaction -- the shape of a real handler;
   - "projection" (one process only): a read model increments the counter row
     (`projections.subscribe`, as the ledger and activity read models are fed), so the
     consumer hands it each batch whole -- one transaction with its tracking rows;
3. latency: events are committed through `SqlUnitOfWork` on an open-loop schedule of --rate
   a second for --latency-seconds (event i is due at t0 + i/rate; whatever is due is
   committed in one unit of work, at most 500 a commit). Latency = the time.time() at which
   the commit of the event's consumer batch returned - the event's scheduled time (carried
   in the payload), so a publisher that falls behind is not hidden (no coordinated
   omission). Events not handled within --drain-timeout count as infinite. Both consumers;
   the verdict uses "no effect", as the rates do.

Each in two layouts (--layout): "one process", relay and consumer on the publisher's event
loop (`astratrade serve` with Redis; commits wake the relay), and "worker processes", the
relay and the consumer each in an OS process of its own (`ASTRATRADE_EVENT_WORKERS=external`;
the relay polls the outbox every ASTRATRADE_RELAY_POLL_MS). The PostgreSQL and Redis
servers' CPU per event is read from /proc for each run.

Targets (issue): >= 20,000 events/s end to end on this 2-core machine; >= 30 % of the raw
Redis rate; p99 under 50 ms at 5,000 events/s.

    python -m bench.events_pipeline [--events 20000] [--rate 5000] [--latency-seconds 3]
                                    [--database sqlite|postgres|both]
                                    [--layout one|workers|both] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from redis.asyncio import Redis
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    func,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure import projections, streams
from astratrade.infrastructure.consumer import ConsumerSettings, StreamConsumer
from astratrade.infrastructure.db import async_url, create_engine
from astratrade.infrastructure.event_store import outbox
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.relay import OutboxRelay
from astratrade.infrastructure.tracking import tracking
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.writer import Writer, writer_for
from astratrade.shared.bus import EventHandler, MessageBus
from astratrade.shared.clock import SystemClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import new_id
from astratrade.shared.messages import Aggregate, Envelope, Event, number_events
from bench import common
from bench.common import cpu_of_processes, load_average, percentile, postgres_admin
from bench.event_workers import Workers, WorkerSpec

TARGET_RATE = 20_000.0  # events/s end to end
TARGET_RATIO = 0.30  # of the raw Redis rate
TARGET_P99_MS = 50.0
TARGET_AT_RATE = 5_000.0  # events/s at which the p99 target holds
THROUGHPUT_TIMEOUT = 120.0  # seconds a throughput run may take to handle every event
PREFILL_BATCH = 500  # events a commit when filling the outbox (not timed)
PUBLISH_MAX_BATCH = 500  # events a commit at most in the open-loop publisher
POSTGRES_PROCESS, REDIS_PROCESS = "postgres", "redis-server"
SERVERS = (POSTGRES_PROCESS, REDIS_PROCESS)
ONE_PROCESS = "one process"  # publisher, relay and consumer on one event loop
WORKER_PROCESSES = "worker processes"  # relay and consumer each in a process of its own
SOURCE = "bench"  # the bench event's context: its stream is <prefix>astratrade.bench.events
DEFAULT_POSTGRES = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
DEFAULT_REDIS = os.environ.get("ASTRATRADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# -- the bench's own event, aggregate and read model --------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BenchTicked(Event):
    """About the size of a fill event: ids, a market, a side, Decimal strings."""

    context: ClassVar[str] = SOURCE

    seq: int
    scheduled_at: float  # time.time() the event was due (the latency run's schedule)
    sent_at: float  # time.time() the publisher took it into a unit of work
    account_id: str
    market: str
    side: str
    size: str
    price: str


class BenchSource(Aggregate):
    aggregate_type: ClassVar[str] = "bench_source"

    def tick(self, seq: int, scheduled_at: float, sent_at: float) -> None:
        self.record(
            BenchTicked(
                seq=seq,
                scheduled_at=scheduled_at,
                sent_at=sent_at,
                account_id=self.id,
                market="BTC-USD",
                side="buy" if seq % 2 else "sell",
                size="0.001",
                price=f"{97_000 + seq % 1000}.5",
            )
        )


bench_metadata = MetaData()
counters = Table(
    "bench_counter",
    bench_metadata,
    Column("consumer", String(40), primary_key=True),
    Column("handled", BigInteger, nullable=False),
)


class CountingProjection:
    """A read model that counts the consumer's events in its counter row: a projection's
    shape (a pure function of the writer's connection, like the ledger's)."""

    source = SOURCE
    event_types = frozenset({BenchTicked.type_name()})
    tables: tuple[Table, ...] = (counters,)

    def __init__(self, name: str) -> None:
        self.name = name
        self._increment = (
            update(counters)
            .where(counters.c.consumer == name)
            .values(handled=counters.c.handled + 1)
        )

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        conn.execute(self._increment)


class NoPublisher:
    """For the untimed pre-fill: the relay is not running yet and reads the outbox anyway."""

    def committed(self, envelopes: list[Envelope]) -> None:
        pass


# -- measurement --------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """This process's CPU time (user + system), all threads: the writer thread counts too."""
    return time.process_time()


@dataclass
class Rate:
    label: str
    events: int
    seconds: float
    cpu: float
    checked: bool = True  # the tracking rows (or acks) account for every event
    servers: dict[str, float] = field(default_factory=dict)  # CPU seconds per server process

    def server_us(self, name: str) -> float:
        used = self.servers.get(name)
        return used / self.events * 1e6 if used is not None and self.events else float("nan")

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("nan")

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.events * 1e6 if self.events else float("nan")


@dataclass
class Latency:
    label: str  # the consumer's handler: "no effect" or "counter"
    rate: float
    seconds: float
    published: int = 0
    commits: int = 0
    handled: int = 0
    from_scheduled_ms: list[float] = field(default_factory=list)
    from_sent_ms: list[float] = field(default_factory=list)
    # Split at the XADD (the stream entry id is Redis's clock in ms, the same machine's):
    to_stream_ms: list[float] = field(default_factory=list)  # commit -> on the stream
    from_stream_ms: list[float] = field(default_factory=list)  # on the stream -> handled
    publish_lag_ms: float = 0.0  # how late the publisher finished against its schedule
    last_handled_at: float = 0.0
    started_at: float = 0.0

    # (scheduled_at, sent_at, stream message id) of events handled in the batch in hand
    in_batch: list[tuple[float, float, str]] = field(default_factory=list)

    def handled_in_batch(self, envelope: Envelope, delivery: Delivery) -> None:
        message_id = delivery.message_id or "0-0"
        payload = envelope.payload
        self.in_batch.append((payload["scheduled_at"], payload["sent_at"], message_id))

    def batch_committed(self, now: float) -> None:
        """The batch's tracking rows have committed: its events are handled now."""
        for scheduled_at, sent_at, message_id in self.in_batch:
            on_stream = int(message_id.split("-")[0]) / 1000
            self.from_scheduled_ms.append((now - scheduled_at) * 1000)
            self.from_sent_ms.append((now - sent_at) * 1000)
            self.to_stream_ms.append((on_stream - sent_at) * 1000)
            self.from_stream_ms.append((now - on_stream) * 1000)
        if self.in_batch:
            self.last_handled_at = now
        self.in_batch.clear()

    def p(self, q: float) -> float:
        """Percentile from the scheduled time, unhandled events counting as infinite."""
        missing = self.published - len(self.from_scheduled_ms)
        return percentile(self.from_scheduled_ms + [math.inf] * missing, q)


def servers_since(before: dict[str, float]) -> dict[str, float]:
    """The database and Redis servers' CPU seconds since `before`."""
    now = cpu_of_processes(SERVERS)
    return {name: now[name] - before[name] for name in now}


# -- the databases and Redis ------------------------------------------------------------------


@dataclass
class Stack:
    """One database with the platform's engines and writer, and the shared Redis client."""

    name: str
    url: str
    db: AsyncEngine
    read_db: AsyncEngine
    writer: Writer
    redis: Any
    prefix: str
    clock: SystemClock = field(default_factory=SystemClock)

    def uow(self, publisher: Any, delivery: Delivery | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, publisher, self.clock, delivery=delivery)


async def open_stack(name: str, url: str, redis: Any, prefix: str) -> Stack:
    db = create_engine(url)
    read_db = create_engine(url, read_only=True)
    await migrate(db)
    async with db.begin() as conn:
        await conn.run_sync(bench_metadata.create_all)
    return Stack(name, url, db, read_db, writer_for(url, db), redis, prefix)


async def close_stack(stack: Stack) -> None:
    await stack.writer.close()
    await stack.db.dispose()
    await stack.read_db.dispose()


async def delete_keys(redis: Any, prefix: str) -> int:
    keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
    for start in range(0, len(keys), 500):
        await redis.delete(*keys[start : start + 500])
    return len(keys)


# -- 1. the floor: raw redis-py -----------------------------------------------------------------


def sample_envelopes(count: int) -> list[dict[str, str]]:
    """`count` encoded envelopes, numbered as the unit of work numbers them."""
    source, now, at = BenchSource(new_id()), datetime.now(UTC), time.time()
    for seq in range(count):
        source.tick(seq, at, at)
    return [streams.encode(e) for e in number_events([source], now, new_id)]


async def raw_floor(
    redis: Any, prefix: str, payloads: list[dict[str, str]], xadd_batch: int, read_batch: int
) -> Rate:
    stream, group = f"{prefix}raw.events", "raw"
    await redis.xgroup_create(stream, group, id="0", mkstream=True)
    total, acked = len(payloads), 0

    async def produce() -> None:
        for start in range(0, total, xadd_batch):
            pipeline = redis.pipeline(transaction=False)
            for fields in payloads[start : start + xadd_batch]:
                pipeline.xadd(stream, fields)
            await pipeline.execute()

    async def consume() -> None:
        nonlocal acked
        while acked < total:
            reply = await redis.xreadgroup(
                group, "raw-1", {stream: ">"}, count=read_batch, block=500
            )
            for _stream, messages in reply or []:
                ids = [message_id for message_id, _fields in messages]
                await redis.xack(stream, group, *ids)
                acked += len(ids)

    gc.collect()
    servers, cpu, started = cpu_of_processes(SERVERS), cpu_seconds(), time.perf_counter()
    await asyncio.gather(produce(), consume())
    seconds = time.perf_counter() - started
    rate = Rate("raw redis-py", total, seconds, cpu_seconds() - cpu)
    rate.servers = servers_since(servers)
    await redis.delete(stream)
    return rate


# -- 2. throughput through the platform's relay and consumer ----------------------------------


def counting_handler(stack: Stack, context: str, latency: Latency | None = None) -> EventHandler:
    """Increments the consumer's counter row in a unit of work; the tracking row of the
    delivery commits in the same transaction (SqlUnitOfWork writes it)."""
    increment = (
        update(counters)
        .where(counters.c.consumer == context)
        .values(handled=counters.c.handled + 1)
    )

    async def flush(conn: AsyncConnection) -> None:
        await conn.execute(increment)

    async def handle(envelope: Envelope, delivery: Delivery) -> None:
        async with stack.uow(NoPublisher(), delivery) as uow:
            uow.on_commit(flush)
            await uow.commit()
        if latency is not None:
            latency.handled_in_batch(envelope, delivery)

    handle.__name__ = "count"
    return handle


async def no_effect(envelope: Envelope, delivery: Delivery) -> None:
    """Nothing to commit: the consumer then writes the tracking row on its own."""


def noting_handler(latency: Latency) -> EventHandler:
    """No effect, but the event is timed when its batch's tracking rows commit."""

    async def note(envelope: Envelope, delivery: Delivery) -> None:
        latency.handled_in_batch(envelope, delivery)

    return note


Consumer = EventHandler | CountingProjection  # a handler, or a read model to feed


def handler_for(stack: Stack, context: str, label: str, latency: Latency | None) -> EventHandler:
    if label == "counter":
        return counting_handler(stack, context, latency)
    return noting_handler(latency) if latency is not None else no_effect


class TimedConsumer(StreamConsumer):
    """The platform's consumer; each batch's events are timed once its commit returned."""

    latency: Latency | None = None

    async def consume_once(self) -> int:
        count = await super().consume_once()
        if self.latency is not None:
            self.latency.batch_committed(time.time())
        return count


@dataclass
class Pipeline:
    relay: OutboxRelay
    consumer: StreamConsumer
    prefix: str


async def pipeline_for(
    stack: Stack,
    context: str,
    handler: Consumer,
    args: argparse.Namespace,
    latency: Latency | None = None,
) -> Pipeline:
    """A relay and one consumer group on streams of their own (a prefix each), as the
    platform wires them (`event_wiring.event_backbone`, `redis_backbone`, `modules.register`)."""
    prefix = f"{stack.prefix}{context}:"
    bus = MessageBus()
    if isinstance(handler, CountingProjection):
        projections.subscribe(bus, handler, stack.writer, stack.clock)
    else:
        bus.subscribe(BenchTicked.type_name(), handler, source=SOURCE, consumer=context)
    relay = OutboxRelay(
        stack.redis,
        stack.read_db,
        stack.writer,
        stack.clock,
        prefix=prefix,
        batch_size=args.relay_batch,
    )
    consumer = TimedConsumer(
        stack.redis,
        bus,
        stack.db,
        stack.read_db,
        stack.writer,
        stack.clock,
        context=context,
        name="bench-1",
        prefix=prefix,
        settings=ConsumerSettings(batch_size=args.consumer_batch),
    )
    consumer.latency = latency
    await consumer.ensure_groups()
    async with stack.db.begin() as conn:
        await conn.execute(insert(counters).values(consumer=context, handled=0))
    return Pipeline(relay, consumer, prefix)


async def prefill(stack: Stack, count: int) -> None:
    for start in range(0, count, PREFILL_BATCH):
        source, at = BenchSource(new_id()), time.time()
        async with stack.uow(NoPublisher()) as uow:
            for seq in range(start, min(start + PREFILL_BATCH, count)):
                source.tick(seq, at, at)
            uow.track(source)
            await uow.commit()


async def handled(stack: Stack, context: str) -> tuple[int, int]:
    """(tracking rows, counter) of a consumer."""
    async with stack.read_db.connect() as conn:
        rows = await conn.scalar(
            select(func.count()).select_from(tracking).where(tracking.c.consumer == context)
        )
        counter = await conn.scalar(
            select(counters.c.handled).where(counters.c.consumer == context)
        )
    return int(rows or 0), int(counter or 0)


async def until(done: Callable[[], bool], seconds: float) -> bool:
    """Poll `done` every 2 ms for at most `seconds`; whether it came true."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


async def run_workers(pipeline: Pipeline, body: Callable[[], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(pipeline.relay.run(stop), name="bench-relay"),
        asyncio.create_task(pipeline.consumer.run(stop), name="bench-consumer"),
    ]
    try:
        await body()
    finally:
        stop.set()
        await asyncio.wait(tasks, timeout=10)
        for task in tasks:
            task.cancel()


async def throughput(
    stack: Stack, label: str, context: str, handler: Consumer, args: argparse.Namespace
) -> Rate:
    pipeline = await pipeline_for(stack, context, handler, args)
    started = time.perf_counter()
    await prefill(stack, args.events)
    filled = time.perf_counter() - started
    print(
        f"  {stack.name}, {ONE_PROCESS}: {args.events:,} events in the outbox in "
        f"{filled:.1f} s; relaying and consuming ({label}) ..."
    )
    consumer, result = pipeline.consumer, Rate(label, args.events, math.nan, math.nan)

    async def timed() -> None:
        finished = await until(
            lambda: consumer.consumed + consumer.duplicates >= args.events, THROUGHPUT_TIMEOUT
        )
        result.seconds = time.perf_counter() - started
        result.cpu = cpu_seconds() - cpu
        result.servers = servers_since(servers)
        if not finished:
            print(
                f"  {stack.name}: only {consumer.consumed:,} handled within "
                f"{THROUGHPUT_TIMEOUT:g} s"
            )
            result.events = consumer.consumed

    gc.collect()
    servers, cpu, started = cpu_of_processes(SERVERS), cpu_seconds(), time.perf_counter()
    await run_workers(pipeline, timed)
    await check_handled(
        stack, context, label, result, consumer.duplicates, consumer.dead_lettered, args.events
    )
    return result


def worker_specs(
    stack: Stack,
    prefix: str,
    context: str,
    handler: str,
    expected: int,
    args: argparse.Namespace,
    *,
    timed: bool = False,
) -> list[WorkerSpec]:
    return [
        WorkerSpec(
            role,
            stack.url,
            args.redis_url,
            prefix,
            context,
            handler,
            expected,
            args.relay_batch,
            args.consumer_batch,
            timed,
        )
        for role in ("relay", "consumer")
    ]


async def throughput_in_workers(
    stack: Stack, label: str, context: str, args: argparse.Namespace
) -> Rate:
    """The same run with the relay and the consumer in processes of their own; CPU is the
    two workers' from the start to the last event handled."""
    pipeline = await pipeline_for(stack, context, handler_for(stack, context, label, None), args)
    await prefill(stack, args.events)
    print(
        f"  {stack.name}, {WORKER_PROCESSES}: {args.events:,} events in the outbox; "
        f"relaying and consuming ({label}) ..."
    )
    workers = Workers(*worker_specs(stack, pipeline.prefix, context, label, args.events, args))
    await workers.start()
    gc.collect()
    servers, started = cpu_of_processes(SERVERS), time.perf_counter()
    workers.go.set()
    finished = await until(workers.done.is_set, THROUGHPUT_TIMEOUT)
    seconds = time.perf_counter() - started
    used_by_servers = servers_since(servers)
    results = await workers.finish()
    consumer = results["consumer"]
    result = Rate(
        label,
        args.events if finished else consumer.consumed,
        seconds,
        results["relay"].cpu + consumer.cpu,
    )
    result.servers = used_by_servers
    await check_handled(
        stack, context, label, result, consumer.duplicates, consumer.dead_lettered, args.events
    )
    return result


async def check_handled(
    stack: Stack,
    context: str,
    label: str,
    result: Rate,
    duplicates: int,
    dead_lettered: int,
    expected: int,
) -> None:
    """Every event has its tracking row (and its increment), none twice or dead-lettered."""
    rows, counter = await handled(stack, context)
    expected_counter = expected if label in ("counter", "projection") else 0
    result.checked = (rows, counter, duplicates, dead_lettered) == (
        expected,
        expected_counter,
        0,
        0,
    )
    if not result.checked:
        print(
            f"  {stack.name}: {label}: {rows:,} tracking rows, counter {counter:,}, "
            f"{duplicates} duplicates, {dead_lettered} dead-lettered "
            f"(expected {expected:,} rows)"
        )


# -- 3. open-loop latency -----------------------------------------------------------------------


async def publish(stack: Stack, result: Latency, publisher: Any) -> None:
    """Commit `result.rate` events a second through units of work, on an open-loop schedule:
    whatever is due is committed in one unit of work, at most PUBLISH_MAX_BATCH a commit."""
    rate, total = result.rate, round(result.rate * result.seconds)
    source = BenchSource(new_id())
    t0 = result.started_at = time.time() + 0.05
    sent = 0
    while sent < total:
        now = time.time()
        due = min(total, math.floor((now - t0) * rate) + 1, sent + PUBLISH_MAX_BATCH)
        if due <= sent:
            await asyncio.sleep(max(0.0, t0 + sent / rate - now))
            continue
        async with stack.uow(publisher) as uow:
            for seq in range(sent, due):
                source.tick(seq, t0 + seq / rate, now)
            uow.track(source)
            await uow.commit()
        result.commits += 1
        sent = result.published = due
    result.publish_lag_ms = (time.time() - (t0 + (total - 1) / rate)) * 1000


async def settle_outbox(stack: Stack) -> None:
    """What a saturated run left in the outbox must not reach the next run's relay."""
    async with stack.db.begin() as conn:
        await conn.execute(
            update(outbox)
            .where(outbox.c.published_at.is_(None))
            .values(published_at=stack.clock.now())
        )


def announce_latency(stack: Stack, result: Latency, layout: str) -> int:
    total = round(result.rate * result.seconds)
    print(
        f"  {stack.name}, {layout}: open loop at {result.rate:,.0f} events/s for "
        f"{result.seconds:g} s ({total:,} events) ..."
    )
    return total


async def latency(stack: Stack, label: str, context: str, args: argparse.Namespace) -> Latency:
    """Publisher, relay (woken by each commit, as in the platform) and consumer on one loop."""
    result = Latency(label, args.rate, args.latency_seconds)
    handler = handler_for(stack, context, label, result)
    pipeline = await pipeline_for(stack, context, handler, args, result)
    total = announce_latency(stack, result, ONE_PROCESS)

    async def body() -> None:
        await publish(stack, result, pipeline.relay)  # each commit wakes the relay
        await until(lambda: len(result.from_scheduled_ms) >= total, args.drain_timeout)

    gc.collect()
    await run_workers(pipeline, body)
    result.handled = len(result.from_scheduled_ms)
    await settle_outbox(stack)
    return result


async def latency_in_workers(
    stack: Stack, label: str, context: str, args: argparse.Namespace
) -> Latency:
    """The publisher here; the relay (polling the outbox, as a worker relay does) and the
    consumer in processes of their own."""
    result = Latency(label, args.rate, args.latency_seconds)
    pipeline = await pipeline_for(stack, context, no_effect, args)
    total = announce_latency(stack, result, WORKER_PROCESSES)
    specs = worker_specs(stack, pipeline.prefix, context, label, total, args, timed=True)
    workers = Workers(*specs)
    await workers.start()
    gc.collect()
    workers.go.set()
    await publish(stack, result, NoPublisher())
    await until(workers.done.is_set, args.drain_timeout)
    measured = (await workers.finish())["consumer"].latency or {}
    for name in ("from_scheduled_ms", "from_sent_ms", "to_stream_ms", "from_stream_ms"):
        getattr(result, name).extend(measured.get(name, []))
    result.last_handled_at = measured.get("last_handled_at", 0.0)
    result.handled = len(result.from_scheduled_ms)
    await settle_outbox(stack)
    return result


# -- report -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    layout: str  # ONE_PROCESS or WORKER_PROCESSES
    raw: Rate
    bare: Rate  # "no effect": the consumer writes the tracking row itself
    counting: Rate  # "counter": the handler's unit of work writes it with its effect
    latency: Latency  # at --rate, "no effect": the pipeline's own latency
    latency_counter: Latency  # at --rate, "counter": with a real handler's commit
    projected: Rate | None = None  # "projection": a read model fed whole batches


def fmt_ms(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:,.1f}"


def latency_lines(lat: Latency, args: argparse.Namespace) -> None:
    sustained = (
        lat.handled / (lat.last_handled_at - lat.started_at)
        if lat.handled and lat.last_handled_at > lat.started_at
        else float("nan")
    )
    print(
        f"open loop at {lat.rate:,.0f} events/s for {lat.seconds:g} s ({lat.label} "
        "consumer, timed when its batch's commit returned): "
        f"{lat.published:,} published in {lat.commits:,} commits "
        f"({lat.published / max(lat.commits, 1):.1f} a commit), publisher "
        f"{max(lat.publish_lag_ms, 0):,.0f} ms behind schedule at its end"
    )
    print(
        f"  handled {lat.handled:,} of {lat.published:,} by {args.drain_timeout:g} s after "
        f"the last commit (about {sustained:,.0f} events/s, first due to last handled)"
    )
    print(
        f"  scheduled -> handled: p50 {fmt_ms(lat.p(50))} ms, p99 {fmt_ms(lat.p(99))} ms, "
        f"max {fmt_ms(lat.p(100))} ms (unhandled events count as inf)"
    )
    if lat.from_sent_ms:
        sent, relay, consume = lat.from_sent_ms, lat.to_stream_ms, lat.from_stream_ms
        print(
            f"  of the handled events: commit -> handled p50 {percentile(sent, 50):,.1f} / "
            f"p99 {percentile(sent, 99):,.1f} ms; of which commit -> on the stream (relay) "
            f"p50 {percentile(relay, 50):,.1f} / p99 {percentile(relay, 99):,.1f} ms, on the "
            f"stream -> handled (consumer) p50 {percentile(consume, 50):,.1f} / "
            f"p99 {percentile(consume, 99):,.1f} ms"
        )


def report(outcome: Outcome, args: argparse.Namespace) -> bool:
    raw, lat = outcome.raw, outcome.latency
    print()
    print(
        f"Events pipeline on {outcome.database}: outbox -> OutboxRelay -> Redis Streams -> "
        "StreamConsumer -> tracking commit,"
    )
    print(
        f"beside raw redis-py (XADD pipelines of {args.relay_batch}, XREADGROUP COUNT "
        f"{args.consumer_batch} + XACK) in the same run;"
    )
    where = (
        "publisher, relay and consumer on one event loop"
        if outcome.layout == ONE_PROCESS
        else "publisher here, relay and consumer each in a worker process of its own"
    )
    print(f"{outcome.layout}: {where}; load average now {load_average()} on {os.cpu_count()} CPUs")
    print("-" * 99)
    print(
        f"{'':<52}{'events':>9}{'seconds':>9}{'events/s':>10}{'CPU us/ev':>11}{'vs raw':>8}"
        f"{'PG/SQLite':>10}{'Redis':>7}"
    )
    rows = [
        (f"floor: raw redis-py (XADD {args.relay_batch} + XREADGROUP {args.consumer_batch})", raw),
        ("pipeline, no effect (consumer writes tracking row)", outcome.bare),
        ("pipeline, counter + tracking row in one commit", outcome.counting),
    ]
    if outcome.projected is not None:
        rows.append(("pipeline, projection (read model + tracking rows)", outcome.projected))
    for label, r in rows:
        database, redis = r.server_us(POSTGRES_PROCESS), r.server_us(REDIS_PROCESS)
        print(
            f"{label:<52}{r.events:>9,}{r.seconds:>9.2f}{r.per_second:>10,.0f}"
            f"{r.cpu_us:>11.0f}{r.per_second / raw.per_second:>8.1%}"
            f"{database:>10.0f}{redis:>7.0f}"
        )
    print("-" * 99)
    print(
        "CPU us/ev: the benchmark's processes; PG/SQLite, Redis: the servers' CPU per event "
        "(SQLite runs inside the processes)"
    )
    for run in (lat, outcome.latency_counter):
        latency_lines(run, args)

    bare, counting = outcome.bare, outcome.counting
    rate_ok = bare.per_second >= TARGET_RATE
    ratio_ok = bare.per_second / raw.per_second >= TARGET_RATIO
    at_rate = lat.rate >= TARGET_AT_RATE
    p99_ok = lat.p(99) < TARGET_P99_MS and at_rate
    name = f"{outcome.database}, {outcome.layout}"
    print(
        f"{'PASS' if rate_ok else 'FAIL'}  [{name}] end to end {bare.per_second:,.0f} "
        f"events/s, no-effect consumer (target >= {TARGET_RATE:,.0f})"
    )
    ratio = bare.per_second / raw.per_second
    print(
        f"{'PASS' if ratio_ok else 'FAIL'}  [{name}] {ratio:.1%} of raw Redis's "
        f"{raw.per_second:,.0f} events/s (target >= {TARGET_RATIO:.0%})"
    )
    print(
        f"{'PASS' if p99_ok else 'FAIL'}  [{name}] p99 {fmt_ms(lat.p(99))} ms at "
        f"{lat.rate:,.0f} events/s (target < {TARGET_P99_MS:g} ms at "
        f"{TARGET_AT_RATE:,.0f} events/s)"
    )
    if not at_rate:
        print(
            f"note  --rate {lat.rate:,.0f} is below the target's {TARGET_AT_RATE:,.0f}: "
            "the p99 verdict needs the target rate"
        )
    verdict = "meets" if counting.per_second >= TARGET_RATE else "is under"
    ratio = counting.per_second / raw.per_second
    print(
        f"info  [{name}] the counter consumer's {counting.per_second:,.0f} events/s "
        f"({ratio:.1%} of raw) {verdict} the same bar"
    )
    counter_p99 = outcome.latency_counter.p(99)
    verdict = "under" if counter_p99 < TARGET_P99_MS else "over"
    print(
        f"info  [{name}] with the counter consumer, p99 {fmt_ms(counter_p99)} ms at "
        f"{outcome.latency_counter.rate:,.0f} events/s: {verdict} the same bar"
    )
    sound = bare.checked and counting.checked
    if outcome.projected is not None:
        sound = sound and outcome.projected.checked
    if not sound:
        print(f"FAIL  [{name}] the tracking rows or counters do not match the events (above)")
    return sound and rate_ok and ratio_ok and p99_ok


# -- main ---------------------------------------------------------------------------------------


async def bench_database(
    name: str, url: str, redis: Any, prefix: str, args: argparse.Namespace
) -> list[Outcome]:
    stack = await open_stack(name, url, redis, f"{prefix}{name}:")
    outcomes: list[Outcome] = []
    try:
        payloads = sample_envelopes(args.events)
        print(f"  {name}: raw redis-py floor ({args.events:,} events) ...")
        raw = await raw_floor(redis, stack.prefix, payloads, args.relay_batch, args.consumer_batch)
        if args.layout in ("one", "both"):
            outcomes.append(await in_one_process(stack, raw, args))
        if args.layout in ("workers", "both"):
            outcomes.append(await in_worker_processes(stack, raw, args))
        return outcomes
    finally:
        await close_stack(stack)


async def in_one_process(stack: Stack, raw: Rate, args: argparse.Namespace) -> Outcome:
    bare = await throughput(stack, "no effect", "bench_no_effect", no_effect, args)
    counting = await throughput(
        stack, "counter", "bench_counter", counting_handler(stack, "bench_counter"), args
    )
    projection = CountingProjection("bench_projection")
    projected = await throughput(stack, "projection", projection.name, projection, args)
    lat = await latency(stack, "no effect", "bench_latency", args)
    lat_counter = await latency(stack, "counter", "bench_latency_counter", args)
    return Outcome(stack.name, ONE_PROCESS, raw, bare, counting, lat, lat_counter, projected)


async def in_worker_processes(stack: Stack, raw: Rate, args: argparse.Namespace) -> Outcome:
    bare = await throughput_in_workers(stack, "no effect", "bench_w_no_effect", args)
    counting = await throughput_in_workers(stack, "counter", "bench_w_counter", args)
    lat = await latency_in_workers(stack, "no effect", "bench_w_latency", args)
    lat_counter = await latency_in_workers(stack, "counter", "bench_w_latency_counter", args)
    return Outcome(stack.name, WORKER_PROCESSES, raw, bare, counting, lat, lat_counter)


async def run(args: argparse.Namespace, workdir: Path) -> bool:
    prefix = f"bench-events-{uuid.uuid4().hex[:8]}:"
    redis: Redis = streams.connect(args.redis_url)
    print(
        f"load average before: {load_average()} on {os.cpu_count()} CPUs; "
        f"Redis keys under {prefix!r}"
    )
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    outcomes: list[Outcome] = []
    try:
        for name in databases:
            if name == "sqlite":
                url = f"sqlite+aiosqlite:///{workdir / 'events.db'}"
                outcomes += await bench_database("SQLite", url, redis, prefix, args)
                continue
            database = f"astratrade_bench_{uuid.uuid4().hex[:10]}"
            await postgres_admin(args.postgres_url, f'CREATE DATABASE "{database}"')
            try:
                url = async_url(
                    make_url(args.postgres_url)
                    .set(database=database)
                    .render_as_string(hide_password=False)
                )
                outcomes += await bench_database("PostgreSQL", url, redis, prefix, args)
            finally:
                await postgres_admin(
                    args.postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
                )
    finally:
        await delete_keys(redis, prefix)
        await redis.aclose()
    passed = [report(outcome, args) for outcome in outcomes]
    return all(passed)


def parse_args() -> argparse.Namespace:
    defaults = ConsumerSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events",
        type=int,
        default=20_000,
        help="events for each throughput run (and the raw floor)",
    )
    parser.add_argument(
        "--rate", type=float, default=TARGET_AT_RATE, help="open-loop events/s for the latency run"
    )
    parser.add_argument("--latency-seconds", type=float, default=3.0)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--layout",
        choices=["one", "workers", "both"],
        default="both",
        help="relay and consumer on the publisher's loop (one), in worker processes of "
        "their own (workers), or both",
    )
    parser.add_argument(
        "--relay-batch",
        type=int,
        default=500,
        help="OutboxRelay batch_size, and the raw floor's XADD pipeline",
    )
    parser.add_argument(
        "--consumer-batch",
        type=int,
        default=defaults.batch_size,
        help="ConsumerSettings.batch_size, and the raw floor's XREADGROUP COUNT",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=10.0,
        help="seconds the latency runs wait for the consumer after the last commit",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help="admin URL; a database of our own is created beside it",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


def main() -> None:
    common.main(run, parse_args(), "astratrade-events-bench-")


if __name__ == "__main__":
    main()
