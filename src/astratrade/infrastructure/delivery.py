"""Delivering one event to one subscriber: the same step in-process and from Redis Streams.

The in-process dispatcher and the stream consumer differ in what they do when a handler
fails (log and go on; retry, then dead-letter), not in how they deliver."""

from __future__ import annotations

from astratrade.shared.bus import Subscription
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope, correlation


async def deliver(subscription: Subscription, envelope: Envelope, delivery: Delivery) -> bool:
    """Run the subscriber's handler with the delivery in hand (log lines carry the event's
    correlation id); True if the handler's commit wrote the tracking row, False if it had
    nothing to commit (or its row is the batch's to write)."""
    request = correlation.set(envelope.correlation_id)
    try:
        await subscription.handler(envelope, delivery)
    finally:
        correlation.reset(request)
    return delivery.recorded
