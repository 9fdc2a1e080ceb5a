"""The platform one process runs: what `bootstrap` builds, started and stopped as a whole."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import Settings
from astratrade.deployment import Deployment
from astratrade.infrastructure.backbone import EventBackbone
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.infrastructure.writer import Writer
from astratrade.modules import Infrastructure, Module, provided
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock, SystemClock

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Platform:
    """Every context's module over one infrastructure; `start()` runs the ones this
    process serves (their start hooks, background loops and timed jobs)."""

    infra: Infrastructure
    deployment: Deployment
    modules: tuple[Module, ...]  # every context's: their subscriptions are on the bus
    backbone: EventBackbone  # how committed events reach their subscribers, in this mode
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def running(self) -> tuple[Module, ...]:
        """The modules this process serves."""
        return tuple(m for m in self.modules if self.deployment.serves(m.name))

    def port(self, kind: type[T]) -> T:
        """The value of type `kind` a module provides (trading's engine, the boards' index)."""
        found = provided(self.modules, kind)
        if found is None:
            raise LookupError(f"no module provides a {kind.__name__}")
        return found

    @property
    def projections(self) -> tuple[Projection, ...]:
        return tuple(p for module in self.modules for p in module.projections)

    async def start(self) -> None:
        if self.deployment.migrates_on_start:
            await migrate(self.db)
        for module in self.running:
            for prepare in module.prepare:
                await prepare()
        await self.backbone.start()
        for module in self.running:
            for start in module.start:
                await start()
            self._tasks.extend(asyncio.create_task(loop()) for loop in module.background)
        if isinstance(self.clock, SystemClock):
            self._tasks.append(asyncio.create_task(self._keep_time()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.backbone.stop()
        for module in self.modules:
            for close in module.closers:
                await close()
        for client in self.deployment.clients:
            await client.close()
        await self.writer.close()
        await self.db.dispose()
        await self.read_db.dispose()

    async def on_time(self) -> None:
        """What is due as time moves here: funding, the tournaments that ended, renewals."""
        for module in self.running:
            for job in module.on_time:
                await job()

    async def _keep_time(self) -> None:
        # Funding samples each minute and pays each hour even when no quote arrives;
        # tournaments end on time even when nobody trades.
        while True:
            await asyncio.sleep(1)
            try:
                await self.on_time()
            except Exception:
                logger.exception("a timed job failed")

    # The infrastructure, as tests and operators reach it.
    @property
    def settings(self) -> Settings:
        return self.infra.settings

    @property
    def clock(self) -> Clock:
        return self.infra.clock

    @property
    def db(self) -> AsyncEngine:
        return self.infra.db

    @property
    def read_db(self) -> AsyncEngine:
        return self.infra.read_db

    @property
    def writer(self) -> Writer:
        return self.infra.writer

    @property
    def bus(self) -> MessageBus:
        return self.infra.bus

    @property
    def tokens(self) -> TokenCodec:
        return self.infra.tokens
