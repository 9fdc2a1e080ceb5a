"""Redis Streams names and connections. Every key carries the configured prefix, so test
runs and deployments sharing one Redis never see each other's streams."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from astratrade.infrastructure.event_store import envelope_from_json
from astratrade.shared.messages import Envelope

ENVELOPE_FIELD = "envelope"


# redis-py's default of 10 retries with backoff made each call to a dead Redis take seconds
# (a readiness probe, a board read). One retry replaces a pooled connection that Redis
# dropped (a restart); beyond that the callers' own backoff decides (reconnect.py).
CLIENT_RETRIES = 1
CONNECT_TIMEOUT_SECONDS = 1.0


def connect(url: str, *, command_timeout: float | None = 10.0) -> Redis:
    """A client that fails fast when Redis is unreachable: a connection attempt gives up
    after 1 s, a command Redis does not answer (a partition) after `command_timeout`
    (longer than any XREADGROUP block)."""
    return Redis.from_url(url, **client_options(command_timeout), decode_responses=True)


def client_options(command_timeout: float | None) -> dict[str, Any]:
    """redis-py's options for a fail-fast client (also given to the rate limits' storage)."""
    return {
        "retry": Retry(NoBackoff(), CLIENT_RETRIES),
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": command_timeout,
    }


def events_stream(prefix: str, context: str) -> str:
    """Each context publishes its events on one stream: astratrade.<context>.events."""
    return f"{prefix}astratrade.{context}.events"


# A stream entry's id is "<milliseconds>-<n>" (Redis's clock, then a counter within the
# millisecond). As one integer it orders the entries of a stream the same in every process
# that reads it; JavaScript clients keep it exactly while it stays below 2**53: counted from
# 2025 in steps of 4096 a millisecond, that lasts until 2094.
POSITION_EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
POSITIONS_PER_MS = 4096  # the relay adds at most 500 entries a round trip


def position(entry_id: str) -> int:
    """The entry's place in its stream as one integer (< 2**53), the same everywhere."""
    milliseconds, _, n = entry_id.partition("-")
    since_epoch = max(int(milliseconds) - POSITION_EPOCH_MS, 0)
    return since_epoch * POSITIONS_PER_MS + min(int(n or 0), POSITIONS_PER_MS - 1)


def dead_letter_stream(prefix: str, consumer: str) -> str:
    """Events a consuming context gave up on, with the error, for inspection and replay."""
    return f"{prefix}astratrade.{consumer}.dead-letters"


def encode(envelope: Envelope) -> dict[str, str]:
    return encoded(json.dumps(envelope.as_json(), separators=(",", ":")))


def encoded(envelope_json: str) -> dict[str, str]:
    """A stream entry's fields for an envelope already in JSON (as the outbox keeps it)."""
    return {ENVELOPE_FIELD: envelope_json}


def decode(fields: dict[str, Any]) -> Envelope:
    return envelope_from_json(fields[ENVELOPE_FIELD])
