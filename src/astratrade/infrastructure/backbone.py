"""The event backbone port: in-process dispatcher or Redis Streams, chosen by settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from astratrade.shared.messages import Envelope

# An event and its position in its context's stream (None: the in-process bus has none).
Watcher = Callable[[Envelope, int | None], Awaitable[None]]


class EventBackbone(Protocol):
    def committed(self, envelopes: list[Envelope]) -> None:
        """Units of work hand over what they committed (the EventPublisher port)."""
        ...

    async def start(self) -> None: ...
    async def ready(self) -> bool:
        """Can events be delivered now? (readiness probe)"""
        ...

    async def stop(self) -> None: ...
    async def drain(self) -> None:
        """Wait until every event committed so far has been handled."""
        ...

    def watch(self, watcher: Watcher) -> None:
        """Hand every committed event of every context to `watcher` as well (live views in
        this process; nothing is tracked or retried), with its position in its context's
        stream (`streams.position`: the same in every process) where there is one."""
        ...
