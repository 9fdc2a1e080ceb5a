"""Rate limits per client IP and per user (the `limits` library, sliding window counters:
a moving window's fairness at a counter's cost; its in-memory moving window cost 0.8 ms an
order here): in Redis when the platform has Redis, so every process shares one count; in
memory otherwise."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from astratrade.config import Settings
from astratrade.shared.errors import TooManyRequests


class RateLimits:
    ACTIONS = ("login", "register", "orders", "faucet", "requests")  # requests: the gateway's

    def __init__(self, rules: dict[str, str], *, redis_url: str | None = None,
                 prefix: str = "") -> None:  # fmt: skip
        """`rules`: "<action>:ip" or "<action>:user" -> "20/minute" ("" for none)."""
        storage: Storage = MemoryStorage()
        if redis_url:
            key_prefix = f"{prefix}astratrade.limits"
            storage = RedisStorage(f"async+{redis_url}", implementation="redispy",
                                   key_prefix=key_prefix)  # fmt: skip
        self._limiter = SlidingWindowCounterRateLimiter(storage)
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
            if not await self._limiter.hit(rule, action, whose, identity):
                stats = await self._limiter.get_window_stats(rule, action, whose, identity)
                wait = math.ceil(stats.reset_time - time.time())
                raise TooManyRequests(f"too many {action} requests; try again in {wait} s "
                                      f"(at most {rule})", retry_after=wait)  # fmt: skip
