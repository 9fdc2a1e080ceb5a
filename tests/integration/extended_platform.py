"""Helpers for tests that drive a platform in process against the local Extended stand-in
(tests/extended_exchange.py): the stand-in holding one sub-account, and the platform with
live trading pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.platform import Platform
from extended_exchange import ExtendedStandIn


@asynccontextmanager
async def stand_in_holding(
    api_key: str, *, account_id: int, vault: int, public_key: int
) -> AsyncIterator[ExtendedStandIn]:
    """The stand-in, running, with one sub-account known by this API key."""
    venue = await ExtendedStandIn().start()
    venue.add_account(api_key, account_id=account_id, vault=vault, public_key=public_key)
    try:
        yield venue
    finally:
        await venue.stop()


@asynccontextmanager
async def live_platform(
    stand_in: ExtendedStandIn, data_dir: Path, secrets_key: str, *, streams: bool = True
) -> AsyncIterator[Platform]:
    """The platform on SQLite with the manual feed, live accounts' keys sealed under
    `secrets_key`, Extended's API (and, with `streams`, its account streams) the stand-in's."""
    settings = Settings(
        data_dir=data_dir,
        price_feed="manual",
        secrets_key=secrets_key,
        extended_api_url=stand_in.api_url,
        **({"extended_stream_url": stand_in.stream_url} if streams else {}),
    )
    running = bootstrap(settings)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in time")
