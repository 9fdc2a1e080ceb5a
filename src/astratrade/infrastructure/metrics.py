"""Prometheus metrics of the event backbone (served on /metrics by the app and workers)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

from astratrade.shared.messages import Envelope

PUBLISHED = Counter("astratrade_events_published", "Events the relay put on a stream", ["stream"])
CONSUMED = Counter(
    "astratrade_events_consumed", "Events a consumer group applied", ["stream", "consumer"]
)
DUPLICATES = Counter(
    "astratrade_events_duplicates",
    "Redelivered events skipped because they were already applied",
    ["stream", "consumer"],
)
FAILED = Counter(
    "astratrade_events_failed", "Failed attempts to apply an event", ["stream", "consumer"]
)
DEAD_LETTERED = Counter(
    "astratrade_events_dead_lettered",
    "Events moved to a dead-letter stream",
    ["stream", "consumer"],
)
LAG = Gauge(
    "astratrade_consumer_lag",
    "Entries on a stream not yet delivered to the consumer group",
    ["stream", "consumer"],
)
PENDING = Gauge(
    "astratrade_consumer_pending",
    "Entries delivered to the consumer group but not yet acknowledged",
    ["stream", "consumer"],
)
BATCH_SECONDS = Histogram(
    "astratrade_event_batch_seconds",
    "Time to relay or consume one batch",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
COMMITTED = Counter(
    "astratrade_events_committed",
    "Events committed by this process, by context and type (orders placed, fills, "
    "liquidations, XP awarded: the platform's business as it happens)",
    ["context", "type"],
)
OUTBOX_BACKLOG = Gauge(
    "astratrade_outbox_backlog",
    "Committed events the relay found not yet on their stream at its last read",
)


def count_committed(envelopes: Iterable[Envelope]) -> None:
    """Count what a unit of work committed (called once its transaction is durable)."""
    for envelope in envelopes:
        COMMITTED.labels(envelope.context, envelope.type).inc()
