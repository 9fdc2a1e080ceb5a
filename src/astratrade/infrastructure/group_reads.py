"""Reading a context's consumer group on Redis Streams: new messages, the ones its
consumers took and never acknowledged (with how often each was delivered), and the group's
lag and pending counts for the metrics. `redis` is a client decoding replies to text (as
the consumer holds it: redis-py's stubs type raw replies)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from redis.exceptions import ResponseError

from astratrade.infrastructure import streams
from astratrade.infrastructure.metrics import LAG, PENDING
from astratrade.infrastructure.reconnect import outage_as_unreachable
from astratrade.shared.messages import Envelope


@dataclass
class Message:
    stream: str
    message_id: str
    fields: dict[str, Any]
    deliveries: int = 1

    @cached_property
    def envelope(self) -> Envelope | str:
        """The event it carries, or why it cannot be read (decoded once)."""
        try:
            return streams.decode(self.fields)
        except (KeyError, ValueError, TypeError) as error:
            return f"undecodable message: {error!r}"


async def read_group(
    redis: Any,
    group: str,
    consumer: str,
    offsets: dict[str, str],
    count: int,
    block: int | None,
) -> list[Message]:
    async with outage_as_unreachable(redis):
        reply = await redis.xreadgroup(group, consumer, offsets, count=count, block=block)
    return [
        Message(stream, message_id, fields)
        for stream, messages in reply or []
        for message_id, fields in messages
        if fields is not None  # trimmed from the stream while pending
    ]


async def take_over_pending(
    redis: Any, stream_names: list[str], group: str, consumer: str, count: int
) -> list[Message]:
    """The oldest batch still pending on one stream, now the consumer's, with delivery
    counts."""
    for stream in stream_names:
        _next, entries, _deleted = await redis.xautoclaim(
            stream, group, consumer, 0, start_id="0-0", count=count
        )
        if not entries:
            continue
        first, last = entries[0][0], entries[-1][0]
        counts = {
            info["message_id"]: int(info["times_delivered"])
            for info in await redis.xpending_range(stream, group, first, last, len(entries))
        }
        return [
            Message(stream, message_id, fields, counts.get(message_id, 1))
            for message_id, fields in entries
        ]
    return []


async def report_backlog(redis: Any, stream_names: list[str], group: str) -> None:
    """Lag and pending per stream (one XINFO per stream)."""
    for stream in stream_names:
        try:
            groups = await redis.xinfo_groups(stream)
        except ResponseError:  # the stream is gone (Redis lost it): nothing to report
            continue
        for info in groups:
            if info["name"] == group:
                LAG.labels(stream, group).set(info.get("lag") or 0)
                PENDING.labels(stream, group).set(info["pending"])
