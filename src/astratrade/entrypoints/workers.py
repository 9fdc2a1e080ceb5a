"""Event workers run as processes of their own: the outbox relay and a context's consumer."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.entrypoints.probe import start_probe
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.redis_backbone import RedisBackbone
from astratrade.trading.engine import TradingEngine

logger = logging.getLogger(__name__)


class WorkerError(Exception):
    """A worker that cannot start: said once, plainly, on the command line."""


async def run_worker(kind: str, *, context: str | None, host: str, health_port: int | None) -> None:
    """Run until SIGTERM or SIGINT; the batch in hand is finished and acknowledged first."""
    settings = Settings(event_workers="external", price_feed="manual")
    if settings.redis_url is None:
        raise WorkerError("workers move events through Redis: set ASTRATRADE_REDIS_URL")
    platform = bootstrap(settings)
    backbone = platform.backbone
    if not isinstance(backbone, RedisBackbone):
        raise WorkerError("the event backbone is not Redis")
    await migrate(platform.db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    work: Callable[[asyncio.Event], Awaitable[None]]
    if kind == "relay":
        work = backbone.relay.run
    else:
        consumer = next((c for c in backbone.all_consumers if c.context == context), None)
        if consumer is None:
            known = ", ".join(c.context for c in backbone.all_consumers)
            raise WorkerError(f"no context {context!r} consumes events; contexts: {known}")
        if context == "trading":
            await platform.port(TradingEngine).start()  # its commands need the engine
        work = consumer.run
    task = asyncio.create_task(work(stop), name=f"worker-{kind}")
    probe = start_probe(host, health_port, lambda: not task.done()) if health_port else None
    logger.info("%s worker running (consumer name %s)", kind, settings.consumer_name)
    try:
        await task
    finally:
        if probe is not None:
            probe.shutdown()
        await platform.stop()
    logger.info("%s worker stopped cleanly", kind)
