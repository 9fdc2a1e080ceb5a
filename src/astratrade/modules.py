"""The one shape every context's wiring returns, and what each is given to build it.

A context's `wiring.wire(infra, ...)` returns a `Module`: plain values, nothing runs until
the platform starts. The composition root (`bootstrap.py`) registers every module's
commands, subscriptions and projections on the bus, and runs the routes, timed jobs and
start hooks of the modules this process serves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import Settings
from astratrade.infrastructure import projections as read_models
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import CommandHandler, EventPublisher, MessageBus, Subscription
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory

Job = Callable[[], Awaitable[None]]
Loop = Callable[[], Coroutine[Any, Any, None]]  # runs until cancelled
Gate = Callable[[], bool]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Infrastructure:
    """What every context's wiring is given: the databases, the bus, time and ids."""

    settings: Settings
    clock: Clock
    ids: IdFactory
    db: AsyncEngine  # writes (through units of work)
    read_db: AsyncEngine
    writer: Writer  # the single writer of the read models and tracking rows
    bus: MessageBus
    publisher: EventPublisher  # where units of work hand what they committed
    tokens: TokenCodec


@dataclass(frozen=True, slots=True)
class Module:
    """One context, as the platform composes it."""

    name: str  # the context, as the deployment names it ("trading")
    routers: tuple[APIRouter, ...] = ()  # public routes (the gateway routes them here)
    # Routes for the other services, served by its own service (never by the gateway).
    internal_routers: tuple[APIRouter, ...] = ()
    commands: Mapping[type[Any], CommandHandler] = field(default_factory=dict)
    subscriptions: tuple[Subscription, ...] = ()  # its reactions to events
    # Its read models, each subscribed to its events, unless one of `subscriptions` feeds
    # it already (its consumer is the projection's name).
    projections: tuple[Projection, ...] = ()
    on_time: tuple[Job, ...] = ()  # run whenever the clock moves
    prepare: tuple[Job, ...] = ()  # at start, before events flow (caches to load)
    start: tuple[Job, ...] = ()  # at start, once events flow
    background: tuple[Loop, ...] = ()  # loops run while the platform runs (a price feed)
    closers: tuple[Job, ...] = ()  # at stop, whether this process served it or not
    # Consumer groups that work in this process only while their gate is open (a trading
    # shard's group: while this replica holds the shard), by the group's name.
    gates: Mapping[str, Gate] = field(default_factory=dict)
    # What routes read of it on `app.state`, by name ("trading": the engine).
    provides: Mapping[str, object] = field(default_factory=dict)

    def port(self, kind: type[T]) -> T:
        """What it provides of type `kind` (another context's port, built from it)."""
        found = provided((self,), kind)
        if found is None:
            raise LookupError(f"{self.name} provides no {kind.__name__}")
        return found


def register(module: Module, infra: Infrastructure) -> None:
    """Put the module's commands, subscriptions and read models on the bus."""
    bus = infra.bus
    for command_type, handler in module.commands.items():
        bus.register(command_type, handler)
    for subscription in module.subscriptions:
        bus.subscribe(
            subscription.event_type,
            subscription.handler,
            source=subscription.source,
            consumer=subscription.consumer,
        )
    fed = {subscription.consumer for subscription in module.subscriptions}
    for projection in module.projections:
        if projection.name not in fed:
            read_models.subscribe(bus, projection, infra.writer, infra.clock)


def provided(modules: tuple[Module, ...], kind: type[T]) -> T | None:
    """The one value of type `kind` some module provides, if any."""
    for module in modules:
        for value in module.provides.values():
            if isinstance(value, kind):
                return value
    return None
