"""A whole embedded platform on SQLite or PostgreSQL, with manual prices and clock (for the
integration tests of every context)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock
from astratrade.users.adapters.passwords import Argon2Hasher

START = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
PlatformFactory = Callable[[], Platform]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_platform(database_url: str, clock: ManualClock) -> PlatformFactory:
    """Each call is a fresh process's worth of platform on the same database: a restart."""
    settings = Settings(
        database_url=database_url, price_feed="manual", clock="manual", jwt_secret="x" * 32
    )
    return lambda: bootstrap(settings, clock=clock, hasher=Argon2Hasher(time_cost=1, memory_cost=8))


@pytest.fixture
async def platform(make_platform: PlatformFactory) -> AsyncIterator[Platform]:
    running = make_platform()
    await running.start()
    yield running
    await running.stop()
