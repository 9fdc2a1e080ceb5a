"""Waiting out an unreachable Redis: one log line per attempt, with backoff, and one line
when Redis answers again.

Every loop that reads or writes Redis (the relay, each consumer, the live event tail) and
every request path with a Redis fallback (rate limits, the boards' index) keeps one of
these. Without it an outage wrote a traceback per poll per loop: 700 lines in seconds. The
delay doubles from 0.1 s to at most 5 s, so a loop makes 7 attempts in its first 7 s down,
then one every 5 s; no jitter: a handful of loops per process is no thundering herd."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis is unreachable" looks like: redis-py wraps socket errors in these
# (BusyLoadingError, a Redis still loading its data, is a ConnectionError too). Anything else
# is a bug, a bad reply or the database, and keeps its traceback.
UNREACHABLE: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)


@asynccontextmanager
async def outage_as_unreachable(redis: Any) -> AsyncIterator[None]:
    """A Redis call that failed with neither a reply nor one of redis-py's connection
    errors: a Redis killed mid-command can surface as the event loop's own error on a socket
    it has already closed (uvloop's RuntimeError, "the handler is closed"). If Redis then
    does not answer a PING, that is the outage, and raises as one; otherwise the error is
    a bug and keeps its traceback."""
    try:
        yield
    except RedisError:
        raise  # a connection error (UNREACHABLE), or Redis answered
    except Exception as error:
        try:
            await redis.ping()
        except UNREACHABLE as down:
            raise down from error
        raise


FIRST_DELAY_SECONDS = 0.1
MAX_DELAY_SECONDS = 5.0


class Reconnect:
    def __init__(
        self,
        name: str,
        *,
        first: float = FIRST_DELAY_SECONDS,
        cap: float = MAX_DELAY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name  # one word: the log lines start with it
        self._first, self._cap = first, cap
        self._monotonic = monotonic
        self.down = False
        self.attempts = 0  # failed attempts since Redis was last reachable
        self._since = 0.0
        self._next_attempt = 0.0

    def failed(self, error: BaseException) -> float:
        """Count a failed attempt and log it; return the delay until the next one. Failures
        of calls made together (concurrent requests) count as one attempt."""
        now = self._monotonic()
        if self.down and now < self._next_attempt:
            return self._next_attempt - now
        if not self.down:
            self.down, self.attempts, self._since = True, 0, now
        self.attempts += 1
        delay: float = min(self._first * 2.0 ** (self.attempts - 1), self._cap)
        self._next_attempt = now + delay
        logger.warning(
            "%s: Redis unreachable (%s: %s); attempt %d, next in %.1f s",
            self.name,
            type(error).__name__,
            error,
            self.attempts,
            delay,
        )
        return delay

    def succeeded(self) -> None:
        """Redis answered: after an outage, say so once."""
        if self.down:
            logger.warning(
                "%s: Redis reachable again after %d failed attempts in %.1f s",
                self.name,
                self.attempts,
                self._monotonic() - self._since,
            )
        self.down, self.attempts = False, 0

    def due(self) -> bool:
        """May Redis be tried now? Always while it is up; down, once the delay has passed."""
        return not self.down or self._monotonic() >= self._next_attempt

    def due_in(self) -> float:
        """Seconds until the next attempt (0 while Redis is up)."""
        return max(0.0, self._next_attempt - self._monotonic()) if self.down else 0.0

    async def wait(self, error: BaseException, stop: asyncio.Event | None = None) -> None:
        """Count the failure, then sleep until the next attempt (or until `stop` is set)."""
        delay = self.failed(error)
        if stop is None:
            await asyncio.sleep(delay)
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
