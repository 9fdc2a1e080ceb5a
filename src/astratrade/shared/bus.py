"""The message bus: commands go to one handler, committed events to every subscriber."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from astratrade.shared.messages import Command, Envelope

logger = logging.getLogger(__name__)

CommandHandler = Callable[[Any], Awaitable[Any]]
EventHandler = Callable[[Envelope], Awaitable[None]]


class EventPublisher(Protocol):
    """Where a unit of work hands its events once they are committed (outbox rows).

    In embedded mode an in-process dispatcher delivers them; the Redis Streams relay sits
    behind this same port."""

    def committed(self, envelopes: list[Envelope]) -> None: ...


class MessageBus:
    def __init__(self) -> None:
        self._command_handlers: dict[type[Command], CommandHandler] = {}
        self._event_handlers: dict[str, list[tuple[str, EventHandler]]] = defaultdict(list)

    def register(self, command_type: type[Command], handler: CommandHandler) -> None:
        if command_type in self._command_handlers:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self._command_handlers[command_type] = handler

    def subscribe(self, event_type: str, handler: EventHandler, *, name: str) -> None:
        """Subscribe by event type name, so contexts never import each other's classes."""
        self._event_handlers[event_type].append((name, handler))

    async def execute(self, command: Command) -> Any:
        handler = self._command_handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        return await handler(command)

    async def deliver(self, envelope: Envelope) -> None:
        """Run every subscriber; one failing is logged and does not stop the others."""
        for name, handler in self._event_handlers.get(envelope.type, ()):
            try:
                await handler(envelope)
            except Exception:
                logger.exception(
                    "handler %s failed on %s %s", name, envelope.type, envelope.event_id
                )
