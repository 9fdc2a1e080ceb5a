"""Rate limits per client IP and per user (sliding window counters: a moving window's
fairness at a counter's cost; the `limits` library's in-memory moving window cost 0.8 ms an
order here): in Redis when the platform has Redis (`limits`' Redis storage), so every
process shares one count; in memory otherwise (`sliding_windows`, the same counting).

While Redis is unreachable the limits are counted in this process's memory instead, so
they keep limiting (each process alone, from zero) and a request never fails for want of
Redis; Redis is tried again with backoff (0.1 s doubling to 5 s) and takes over once it
answers. `limits` 5.8 has no fallback storage of its own: its storages raise StorageError
(`wrap_exceptions=True`) and this class switches."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

from astratrade.config import Settings
from astratrade.infrastructure import streams
from astratrade.infrastructure.reconnect import Reconnect
from astratrade.infrastructure.sliding_windows import SlidingWindowCounters
from astratrade.shared.errors import TooManyRequests

# A rate limit check is on every order: a Redis that does not answer within this counts as
# unreachable (the check then counts in memory).
COMMAND_TIMEOUT_SECONDS = 0.5


class RateLimits:
    # requests: the gateway's; posts and interactions (comments, reactions): social's.
    ACTIONS = ("login", "register", "orders", "faucet", "requests", "posts", "interactions")

    def __init__(
        self, rules: dict[str, str], *, redis_url: str | None = None, prefix: str = ""
    ) -> None:
        """`rules`: "<action>:ip" or "<action>:user" -> "20/minute" ("" for none)."""
        self._local = SlidingWindowCounters()
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if redis_url:
            storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                key_prefix=f"{prefix}astratrade.limits",
                wrap_exceptions=True,
                **streams.client_options(COMMAND_TIMEOUT_SECONDS),
            )
            self._shared = SlidingWindowCounterRateLimiter(storage)
        self._reconnect = Reconnect("rate-limits")
        self._rules: dict[str, RateLimitItem] = {a: parse(r) for a, r in rules.items() if r}

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        rules = {
            f"{action}:{whose}": getattr(settings, f"rate_limit_{action}_per_{whose}", "")
            for action in cls.ACTIONS
            for whose in ("ip", "user")
        }
        return cls(rules, redis_url=settings.redis_url, prefix=settings.redis_prefix)

    async def hit(self, action: str, *, ip: str, user: str | None = None) -> None:
        """Count one `action` for the client's IP and the user; 429 when one is over."""
        for whose, identity in (("ip", ip), ("user", user)):
            rule = self._rules.get(f"{action}:{whose}")
            if rule is None or identity is None:
                continue
            wait = await self._seconds_to_wait(rule, action, whose, identity)
            if wait is not None:
                raise TooManyRequests(
                    f"too many {action} requests; try again in {wait} s (at most {rule})",
                    retry_after=wait,
                )

    async def _seconds_to_wait(self, rule: RateLimitItem, *key: str) -> int | None:
        """Count one hit; None if within the limit, else the seconds until it would be."""
        if self._shared is not None and self._reconnect.due():
            try:
                wait = await _count(self._shared, rule, *key)
            except StorageError as error:
                self._reconnect.failed(error.storage_error)  # memory until the next attempt
            else:
                self._reconnect.succeeded()
                return wait
        return self._local.hit(rule, *key)


async def _count(
    limiter: SlidingWindowCounterRateLimiter, rule: RateLimitItem, *key: str
) -> int | None:
    if await limiter.hit(rule, *key):
        return None
    stats = await limiter.get_window_stats(rule, *key)
    return math.ceil(stats.reset_time - time.time())
