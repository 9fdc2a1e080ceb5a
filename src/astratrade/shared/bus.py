"""The message bus: commands go to one handler, committed events to every subscriber.

Subscribers' handlers receive each event with its `Delivery` (infrastructure's `deliver`
runs them, in-process and from Redis alike) and pass it to the unit of work that commits
their effects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Command, Envelope

CommandHandler = Callable[[Any], Awaitable[Any]]
# Runs with the delivery in hand and passes it to the unit of work that commits its effects.
EventHandler = Callable[[Envelope, Delivery], Awaitable[None]]


BatchOf = Callable[[list[tuple[Envelope, Delivery]]], Awaitable[None]]


class BatchHandler:
    """An event handler (one event at a time: a stream consumer's deliveries) that also
    takes a batch's share of its events at once (`handle_all`: the in-process dispatcher),
    committing their effects and tracking rows together, as one at a time would."""

    def __init__(self, one: EventHandler, handle_all: BatchOf) -> None:
        self._one = one
        self.handle_all = handle_all
        self.__name__ = getattr(one, "__name__", "handler")

    async def __call__(self, envelope: Envelope, delivery: Delivery) -> None:
        await self._one(envelope, delivery)


AHEAD = "ahead_of_read_models"


def ahead_of_read_models(handler: EventHandler) -> EventHandler:
    """Mark a handler whose latency a trader waits on and which reads none of the read
    models its events feed (copy trading deciding on a leader's fill, trading placing the
    copies): the in-process dispatcher runs it before a batch's projections instead of
    after them. A stream consumer has no such order to keep: each group reads alone."""
    setattr(handler, AHEAD, True)
    return handler


def is_ahead(handler: EventHandler) -> bool:
    return bool(getattr(handler, AHEAD, False))


class EventPublisher(Protocol):
    """Where a unit of work hands its events once they are committed (outbox rows).

    In embedded mode an in-process dispatcher delivers them; with Redis the outbox relay
    moves them to Redis Streams. Both sit behind this port."""

    def committed(self, envelopes: list[Envelope]) -> None: ...


@dataclass(frozen=True)
class Subscription:
    """`consumer` handles events of `event_type`, which the `source` context publishes."""

    event_type: str
    source: str
    consumer: str
    handler: EventHandler

    @property
    def name(self) -> str:
        return f"{self.consumer}.{getattr(self.handler, '__name__', 'handler')}"


class MessageBus:
    def __init__(self) -> None:
        self._command_handlers: dict[type[Command], CommandHandler] = {}
        self._subscriptions: list[Subscription] = []

    def register(self, command_type: type[Command], handler: CommandHandler) -> None:
        if command_type in self._command_handlers:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self._command_handlers[command_type] = handler

    def subscribe(
        self, event_type: str, handler: EventHandler, *, source: str, consumer: str
    ) -> None:
        """Subscribe by event type name, so contexts never import each other's classes.

        A context handles each event type once: its tracking row then stands for the whole
        effect of that event on it."""
        if self.subscription_for(consumer, event_type) is not None:
            raise ValueError(f"{consumer} already handles {event_type}")
        self._subscriptions.append(Subscription(event_type, source, consumer, handler))

    def subscriptions(self, consumer: str | None = None) -> list[Subscription]:
        return [s for s in self._subscriptions if consumer in (None, s.consumer)]

    def subscription_for(self, consumer: str, event_type: str) -> Subscription | None:
        for subscription in self._subscriptions:
            if subscription.consumer == consumer and subscription.event_type == event_type:
                return subscription
        return None

    async def execute(self, command: Command) -> Any:
        handler = self._command_handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        return await handler(command)
