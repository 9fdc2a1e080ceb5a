"""The events bench's worker processes: the relay and the consumer each in an OS process of
its own, as `ASTRATRADE_EVENT_WORKERS=external` deploys them (`astratrade worker relay`,
`astratrade worker consume`), with the platform's OutboxRelay and StreamConsumer unchanged.

The parent creates the streams, groups and counter row, fills or publishes the outbox, and
times the run; a worker connects, says it is ready, starts on `go`, and when `stop` is set
finishes its batch and puts what it measured on `results`. The consumer sets `done` once it
has handled `expected` events."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import asdict, dataclass
from typing import Any

from astratrade.config import Settings
from astratrade.infrastructure import streams
from astratrade.infrastructure.consumer import ConsumerSettings, StreamConsumer
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.relay import OutboxRelay
from astratrade.infrastructure.writer import writer_for
from astratrade.shared.bus import MessageBus
from bench.common import run_on_loop

# The worker relay's idle poll as `astratrade worker relay` runs it (ASTRATRADE_RELAY_POLL_MS).
WORKER_RELAY_POLL_SECONDS = Settings.model_fields["relay_poll_ms"].default / 1000
START_TIMEOUT = 60.0  # seconds for a worker process to import, connect and say it is ready


@dataclass(frozen=True)
class WorkerSpec:
    role: str  # "relay" or "consumer"
    url: str
    redis_url: str
    prefix: str
    context: str
    handler: str  # consumer: "no effect" or "counter"
    expected: int  # consumer: events to handle before `done`
    relay_batch: int
    consumer_batch: int
    timed: bool  # consumer: time each event (the latency run)


@dataclass
class WorkerResult:
    role: str
    cpu: float  # seconds of CPU from `go` to `done` (consumer) or to `stop` (relay)
    consumed: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    latency: dict[str, Any] | None = None  # the latency run's lists (see Latency)


class Workers:
    """A relay process and a consumer process for one run."""

    def __init__(self, *specs: WorkerSpec) -> None:
        ctx = multiprocessing.get_context("spawn")  # no inherited loops or connections
        self.go, self.stop, self.done = ctx.Event(), ctx.Event(), ctx.Event()
        self.results: Any = ctx.Queue()
        self._ready = [ctx.Event() for _ in specs]
        self._processes = [
            ctx.Process(
                target=worker_main,
                name=f"bench-{spec.role}",
                args=(spec, ready, self.go, self.stop, self.done, self.results),
            )
            for spec, ready in zip(specs, self._ready, strict=True)
        ]

    async def start(self) -> None:
        for process in self._processes:
            process.start()
        for ready in self._ready:
            if not await asyncio.to_thread(ready.wait, START_TIMEOUT):
                raise RuntimeError("a bench worker did not start")

    async def finish(self) -> dict[str, WorkerResult]:
        """Stop the workers and collect what each measured."""
        self.stop.set()
        results: dict[str, WorkerResult] = {}
        for _ in self._processes:
            result = await asyncio.to_thread(self.results.get, True, START_TIMEOUT)
            results[result.role] = result
        for process in self._processes:
            await asyncio.to_thread(process.join, 10)
        return results


def worker_main(spec: WorkerSpec, ready: Any, go: Any, stop: Any, done: Any, results: Any) -> None:
    async def main() -> bool:
        results.put(await _work(spec, ready, go, stop, done))
        return True

    run_on_loop(main())


async def _work(spec: WorkerSpec, ready: Any, go: Any, stop: Any, done: Any) -> WorkerResult:
    # Imported here: the parent imports this module, and the bench imports it back.
    from bench.events_pipeline import (
        SOURCE,
        THROUGHPUT_TIMEOUT,
        BenchTicked,
        Latency,
        Stack,
        TimedConsumer,
        handler_for,
        until,
    )

    redis = streams.connect(spec.redis_url)
    db, read_db = create_engine(spec.url), create_engine(spec.url, read_only=True)
    stack = Stack(spec.role, spec.url, db, read_db, writer_for(spec.url, db), redis, spec.prefix)
    latency = Latency(spec.handler, 0, 0) if spec.timed else None
    worker: OutboxRelay | StreamConsumer
    if spec.role == "relay":
        worker = OutboxRelay(
            redis,
            read_db,
            stack.writer,
            stack.clock,
            prefix=spec.prefix,
            batch_size=spec.relay_batch,
            idle_poll_seconds=WORKER_RELAY_POLL_SECONDS,
        )
    else:
        handler = handler_for(stack, spec.context, spec.handler, latency)
        bus = MessageBus()
        bus.subscribe(BenchTicked.type_name(), handler, source=SOURCE, consumer=spec.context)
        worker = TimedConsumer(
            redis,
            bus,
            db,
            read_db,
            stack.writer,
            stack.clock,
            context=spec.context,
            name=f"bench-{spec.role}",
            prefix=spec.prefix,
            settings=ConsumerSettings(batch_size=spec.consumer_batch),
        )
        worker.latency = latency
    async with read_db.connect():  # connected before the clock starts
        pass
    ready.set()
    await asyncio.to_thread(go.wait)
    cpu = time.process_time()
    halt = asyncio.Event()
    task = asyncio.create_task(worker.run(halt))
    result = WorkerResult(spec.role, 0.0)
    if isinstance(worker, StreamConsumer):
        consumer = worker
        await until(
            lambda: consumer.consumed + consumer.duplicates >= spec.expected or stop.is_set(),
            THROUGHPUT_TIMEOUT,
        )
        result.cpu = time.process_time() - cpu
        done.set()
    await asyncio.to_thread(stop.wait)
    halt.set()
    await task
    if isinstance(worker, StreamConsumer):
        result.consumed, result.duplicates = worker.consumed, worker.duplicates
        result.dead_lettered = worker.dead_lettered
        result.latency = asdict(latency) if latency is not None else None
    else:
        result.cpu = time.process_time() - cpu
    await stack.writer.close()
    await db.dispose()
    await read_db.dispose()
    await redis.aclose()
    return result
