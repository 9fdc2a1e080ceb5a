"""The marks, where analytics runs apart from trading (its own service): read from the
Redis stream trading's replicas share every batch of prices on. Its name and format are
trading's, handed in by the composition root (`key`, `decode`): analytics knows neither."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from astratrade.analytics.ports import Mark, MarksSeen
from astratrade.infrastructure import streams
from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect

logger = logging.getLogger(__name__)
# At start, the entries read back (oldest first): the bars of the last minutes are formed
# again and merge into the stored ones unchanged, so a restart loses no tick the stream kept.
CATCH_UP_ENTRIES = 1_000
READ_BLOCK_MS = 1_000


class MarkFollower:
    def __init__(self, redis_url: str, key: str, decode: Callable[[str], Sequence[Mark]]) -> None:
        self._redis_url = redis_url
        self._key = key
        self._decode = decode

    async def __call__(self, seen: MarksSeen) -> None:
        """Tell `seen` of every batch, until cancelled, through Redis's outages."""
        redis: Any = streams.connect(self._redis_url)
        reconnect, last = Reconnect("analytics marks"), None
        try:
            while True:
                try:
                    if last is None:
                        entries = list(
                            reversed(await redis.xrevrange(self._key, count=CATCH_UP_ENTRIES))
                        )
                        last = entries[-1][0] if entries else "0-0"
                    else:
                        reply = await redis.xread({self._key: last}, count=100, block=READ_BLOCK_MS)
                        entries = [e for _stream, found in reply or [] for e in found]
                        last = entries[-1][0] if entries else last
                    for _id, fields in entries:
                        self._tell(seen, fields)
                    reconnect.succeeded()
                except UNREACHABLE as error:
                    await reconnect.wait(error, asyncio.Event())
                except Exception:  # the loop must outlive whatever went wrong
                    logger.exception("following the marks failed; going on")
                    await asyncio.sleep(1)
        finally:
            await redis.aclose()

    def _tell(self, seen: MarksSeen, fields: dict[str, str]) -> None:
        if "quotes" not in fields:
            return  # a clock move
        try:
            marks = self._decode(fields["quotes"])
        except (ValueError, TypeError, ArithmeticError):
            logger.warning("a malformed prices entry was skipped: %r", fields)
            return
        seen(marks)
