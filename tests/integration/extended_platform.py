"""Helpers for tests that drive a platform in process against the local Extended stand-in
(tests/extended_exchange.py): the stand-in holding one sub-account, the platform with live
trading pointed at it, and a live account connected to that sub-account."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from trading_platform import new_trader

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.platform import Platform
from astratrade.trading import handlers
from astratrade.trading.adapters.venue_links import SqlVenueLinks
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import OpenLiveAccount
from astratrade.trading.domain.venue_link import VenueLink
from astratrade.trading.engine import TradingEngine
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


async def connected_live_account(
    platform: Platform,
    name: str,
    *,
    api_key: str,
    vault: int,
    venue_account_id: int,
    public_key: int,
    private_key: int,
) -> tuple[str, str, Account, VenueLink]:
    """A new trader (user id, practice account id), their live account, and its link to the
    stand-in's sub-account under these keys."""
    engine = platform.port(TradingEngine)
    owner, practice_id = await new_trader(platform, name)

    async def allowed(_owner: str) -> tuple[bool, bool]:
        return True, True

    opened = OpenLiveAccount(owner_id=owner)
    live: Account = await engine.run(
        lambda uow: handlers.open_live_account(
            opened, uow, engine.venue, allowed, engine.clock.now()
        )
    )
    link = VenueLink(
        account_id=live.id,
        owner_id=owner,
        vault_id=vault,
        public_key=public_key,
        venue_account_id=venue_account_id,
        connected_at=engine.clock.now(),
        api_key=api_key,
        private_key=private_key,
    )
    await platform.port(SqlVenueLinks).save(link)
    return owner, practice_id, live, link
