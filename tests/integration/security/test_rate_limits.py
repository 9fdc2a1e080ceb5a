"""Rate limits in memory and in the real Redis: over the limit is 429 with Retry-After, per
IP and per user apart, and two processes' limiters on one Redis share the count."""

from __future__ import annotations

import pytest

from astratrade.infrastructure.rate_limits import RateLimits
from astratrade.shared.errors import TooManyRequests

RULES = {"orders:user": "3/minute", "orders:ip": "5/minute"}


async def over(limits: RateLimits, *, ip: str, user: str | None) -> TooManyRequests | None:
    try:
        await limits.hit("orders", ip=ip, user=user)
    except TooManyRequests as refused:
        return refused
    return None


async def check_limits(first: RateLimits, second: RateLimits) -> None:
    for n in range(3):  # the user's three, alternating between the two limiters
        assert await over(first if n % 2 else second, ip="10.0.0.1", user="ann") is None
    refused = await over(first, ip="10.0.0.1", user="ann")
    assert refused is not None
    assert refused.retry_after >= 1
    assert "3 per 1 minute" in refused.message
    assert await over(second, ip="10.0.0.1", user="bob") is None  # bob has his own count
    refused = await over(first, ip="10.0.0.1", user="cy")  # the IP's fifth... and sixth
    refused = refused or await over(first, ip="10.0.0.1", user="cy")
    assert refused is not None
    assert await over(second, ip="10.0.0.2", user="cy") is None  # another IP


async def test_in_memory() -> None:
    limits = RateLimits(RULES)
    await check_limits(limits, limits)


@pytest.mark.redis
async def test_in_redis_shared_by_processes(redis_url: str, redis_prefix: str) -> None:
    first = RateLimits(RULES, redis_url=redis_url, prefix=redis_prefix)
    second = RateLimits(RULES, redis_url=redis_url, prefix=redis_prefix)
    await check_limits(first, second)


async def test_with_redis_unreachable_the_process_counts_in_memory(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No Redis on the port: every check still answers (never an error), the limits still
    hold, counted in this process, and the log says so once per attempt, not per request."""
    limits = RateLimits(RULES, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level("WARNING"):
        await check_limits(limits, limits)
    unreachable = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert 1 <= len(unreachable) <= 2, [r.getMessage() for r in unreachable]
    assert unreachable[0].getMessage().startswith("rate-limits: Redis unreachable")
