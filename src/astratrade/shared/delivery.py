"""A delivery: one event handed to one consumer, with the tracking record that makes its
effect happen once.

Event handlers receive it as an argument and pass it to the unit of work that commits
their effects; that commit writes the tracking row (consumer, event id) in the same
transaction as the state, audit events and outbox rows, and marks the delivery recorded.
A redelivered event finds its row and has no second effect."""

from __future__ import annotations

from dataclasses import dataclass

IN_PROCESS = "in-process"  # the stream name of events delivered without Redis


@dataclass(eq=False, slots=True)
class Delivery:
    consumer: str  # the subscribing context or read model, e.g. "gamification"
    event_id: str
    stream: str = IN_PROCESS
    message_id: str = ""  # the Redis stream entry, when the event came from one
    # A stream consumer's batch: the open transaction that the handler's unit of work joins
    # (infrastructure's type; the kernel only carries it). None: commit on its own.
    batch: object | None = None
    recorded: bool = False  # a commit wrote the tracking row (only the first one does)

    @property
    def pending(self) -> bool:
        """The next commit must write the tracking row: a handler issues one command."""
        return not self.recorded
