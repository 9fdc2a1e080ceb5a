"""Redis Streams names and connections. Every key carries the configured prefix, so test
runs and deployments sharing one Redis never see each other's streams."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from astratrade.infrastructure.event_store import envelope_from_json
from astratrade.shared.messages import Envelope

ENVELOPE_FIELD = "envelope"


def connect(url: str) -> Redis:
    return Redis.from_url(url, decode_responses=True)


def events_stream(prefix: str, context: str) -> str:
    """Each context publishes its events on one stream: astratrade.<context>.events."""
    return f"{prefix}astratrade.{context}.events"


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
