"""A fleet of harness processes per test, on the test's own PostgreSQL database and Redis
key prefix. Every process still running at the end is killed; the tail of each process's
log is printed, so a failing test shows what its processes said."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from astratrade.infrastructure import streams
from astratrade.infrastructure.db import create_engine

pytest.register_assert_rewrite(f"{__package__}.fleet")  # its checks report their values

from .fleet import Fleet  # noqa: E402


@pytest.fixture
async def fleet(
    fresh_postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[Fleet]:
    engine = create_engine(fresh_postgres_url)
    redis = streams.connect(redis_url)
    running = Fleet(fresh_postgres_url, redis_url, redis_prefix, tmp_path, engine, redis)
    try:
        yield running
    finally:
        await running.close()
        print(running.logs())  # shown with a failing test's report
        await redis.aclose()
        await engine.dispose()
