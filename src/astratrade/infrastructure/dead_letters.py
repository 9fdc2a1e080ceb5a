"""A consuming context's dead-letter stream: list, inspect, replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from astratrade.infrastructure import streams


@dataclass(frozen=True)
class DeadLetter:
    id: str
    source_stream: str
    source_id: str
    error: str
    attempts: int
    at: str
    envelope: str

    @property
    def event_type(self) -> str:
        try:
            return streams.decode({streams.ENVELOPE_FIELD: self.envelope}).type
        except (KeyError, ValueError, TypeError):
            return "(undecodable)"


class DeadLetters:
    def __init__(self, redis: Redis, prefix: str, consumer: str) -> None:
        self._redis: Any = redis  # stream replies are parsed as RESP2 shapes
        self.stream = streams.dead_letter_stream(prefix, consumer)

    async def add(
        self,
        source_stream: str,
        source_id: str,
        fields: dict[str, Any],
        error: str,
        attempts: int,
        at: datetime,
    ) -> None:
        await self._redis.xadd(
            self.stream,
            {
                "source_stream": source_stream,
                "source_id": source_id,
                "error": error[:4000],
                "attempts": str(attempts),
                "at": at.isoformat(),
                streams.ENVELOPE_FIELD: str(fields.get(streams.ENVELOPE_FIELD, "")),
            },
        )

    async def list(self, count: int = 100) -> list[DeadLetter]:
        entries = await self._redis.xrange(self.stream, count=count)
        return [_letter(entry_id, fields) for entry_id, fields in entries or []]

    async def get(self, letter_id: str) -> DeadLetter | None:
        entries = await self._redis.xrange(self.stream, min=letter_id, max=letter_id)
        return _letter(*entries[0]) if entries else None

    async def replay(self, letter_id: str) -> str | None:
        """Put the event back on its stream (once fixed, it is applied once) and drop the
        letter; return the new message id, or None if there is no such letter."""
        letter = await self.get(letter_id)
        if letter is None:
            return None
        new_id = await self._redis.xadd(
            letter.source_stream, {streams.ENVELOPE_FIELD: letter.envelope}
        )
        await self._redis.xdel(self.stream, letter_id)
        return str(new_id)


def _letter(entry_id: str, fields: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        id=entry_id,
        source_stream=fields.get("source_stream", ""),
        source_id=fields.get("source_id", ""),
        error=fields.get("error", ""),
        attempts=int(fields.get("attempts", 0)),
        at=fields.get("at", ""),
        envelope=fields.get(streams.ENVELOPE_FIELD, ""),
    )
