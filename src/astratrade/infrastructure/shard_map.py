"""Which replica of a sharded service serves a request: the live holder of the shard its
key (a user id, an account id) falls in, by the shard map the replicas answer.

`ShardMap` keeps the map in memory: asked of the first discovery URL that answers (the
service's URLs from the settings), again every second in the background, and at once when
a replica says a shard is not its own (coalesced: one question at a time, and a caller
waits for the answer no longer than its timeout). `ShardRoutes` picks the address. The
gateway and financial's calls to trading share both; a service with one URL and one shard
needs none of it (`StaticRoutes`: every request to that URL, as before shards)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import suppress
from itertools import count
from typing import Protocol

import httpx

from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.infrastructure.shard_leases.placement import Placement
from astratrade.shared.shards import shard_of

logger = logging.getLogger(__name__)

MAP_PATH = "/internal/v1/shards"
REFRESH_SECONDS = 1.0
# The answer of a replica to a command on an account it does not write: nothing was done.
SHARD_ELSEWHERE = "shard_elsewhere"


class NoHolder(Exception):
    """No live replica holds the shard now (a failover under way): try again shortly."""

    def __init__(self, shard: int, shards: int) -> None:
        super().__init__(f"no replica holds shard {shard} of {shards} now; try again shortly")
        self.shard, self.shards = shard, shards


class ShardLocator(Protocol):
    """Where the shard map comes from (a fake one in unit tests)."""

    async def current(self) -> Placement | None:
        """The map known now (None: nobody answered yet); from memory, unless there is no
        background refresh and it is older than a second."""
        ...

    async def refresh(self) -> Placement | None:
        """Ask for the map again now; the last one known if no answer comes in time."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class Routes(Protocol):
    """Where a sharded service's requests go."""

    async def holder_of(self, key: str) -> str:
        """The address of the replica writing `key`'s shard; NoHolder while none does."""
        ...

    async def any_replica(self) -> str:
        """A live replica (for requests that no shard's writer must answer)."""
        ...

    async def refresh(self) -> None:
        """A replica said a shard is not its own: ask for the map again now."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class ShardMap:
    def __init__(
        self,
        discovery: list[str],
        service_key: str,
        *,
        timeout: float,
        every: float | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """`every`: seconds between background refreshes (REFRESH_SECONDS by default)."""
        if not discovery:
            raise ValueError("the shard map needs at least one URL to ask")
        self._discovery = list(discovery)
        self._timeout = timeout
        self._every = REFRESH_SECONDS if every is None else every
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(min(timeout, 2.0)), headers={SERVICE_KEY_HEADER: service_key}
        )
        self._placement: Placement | None = None
        self._fetched_at = 0.0  # monotonic
        self._asking: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    # -- the map ------------------------------------------------------------------------------

    async def current(self) -> Placement | None:
        stale = time.monotonic() - self._fetched_at > self._every
        if self._placement is None or (self._task is None and stale):
            return await self.refresh()
        return self._placement

    async def refresh(self) -> Placement | None:
        if self._asking is None or self._asking.done():
            self._asking = asyncio.ensure_future(self._ask())
        # Shielded: a caller that gives up (its timeout, its client gone) leaves the
        # question to finish for the others.
        with suppress(TimeoutError):
            async with asyncio.timeout(self._timeout):
                await asyncio.shield(self._asking)
        return self._placement

    async def _ask(self) -> None:
        """The map from the first discovery URL that answers (the last to answer first)."""
        problems = []
        for url in self._discovery:
            try:
                answer = await self._client.get(url + MAP_PATH)
                answer.raise_for_status()
                placement = Placement.from_json(answer.json())
            except (httpx.HTTPError, ValueError) as error:
                problems.append(f"{url}: {type(error).__name__} {error}")
                continue
            self._discovery.remove(url)
            self._discovery.insert(0, url)
            self._placement, self._fetched_at = placement, time.monotonic()
            if self._failing:
                logger.info("shard map: %s answers again", url)
            self._failing = False
            return
        if not self._failing:  # said once, not every second
            logger.warning("shard map: no answer (%s); routing by the last one known", problems)
        self._failing = True

    # -- the background refresh ---------------------------------------------------------------

    async def start(self) -> None:
        """Keep the map fresh in the background (the first answer is not waited for)."""
        self._task = asyncio.create_task(self._run(), name="shard map")

    async def _run(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self._every)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._asking is not None and not self._asking.done():
            self._asking.cancel()
        await self._client.aclose()


class ShardRoutes:
    """The address serving a key's shard, or any live replica's."""

    def __init__(self, locator: ShardLocator, fallback: str) -> None:
        self.locator = locator
        self._fallback = fallback  # the first configured URL: before any map, and for a
        # holder that did not say where it is reached (the replica logs that)
        self._turn = count()

    async def holder_of(self, key: str) -> str:
        placement = await self.locator.current()
        if placement is None:  # nobody answered yet: where requests went before shards
            return self._fallback
        shard = shard_of(key, placement.shards)
        holder = placement.holder(shard)
        if holder is None:  # a failover: ask again once before saying so
            placement = await self.locator.refresh() or placement
            holder = placement.holder(shard_of(key, placement.shards))
            if holder is None:
                raise NoHolder(shard, placement.shards)
        return holder.address or self._fallback

    async def any_replica(self) -> str:
        """A live replica, in turn."""
        placement = await self.locator.current()
        addresses = placement.addresses() if placement is not None else []
        if not addresses:
            return self._fallback
        return addresses[next(self._turn) % len(addresses)]

    async def refresh(self) -> None:
        await self.locator.refresh()

    async def start(self) -> None:
        await self.locator.start()

    async def close(self) -> None:
        await self.locator.close()


class StaticRoutes:
    """One URL, one shard: every request there, no map asked."""

    def __init__(self, url: str) -> None:
        self._url = url

    async def holder_of(self, key: str) -> str:
        return self._url

    async def any_replica(self) -> str:
        return self._url

    async def refresh(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def routes_to(urls: list[str], service_key: str, timeout: float, *, shards: int) -> Routes:
    """Routes to a sharded service listed at `urls`: static for one URL and one shard (no
    map, no hop, exactly as before), else by the map the replicas answer."""
    if len(urls) == 1 and shards == 1:
        return StaticRoutes(urls[0])
    return ShardRoutes(ShardMap(urls, service_key, timeout=timeout), urls[0])


def is_shard_elsewhere(status: int, body: bytes) -> bool:
    """A replica's 503 saying the account's shard is written elsewhere (nothing done)."""
    if status != 503 or SHARD_ELSEWHERE.encode() not in body:
        return False
    try:
        error = json.loads(body).get("error") or {}
    except (ValueError, AttributeError):
        return False
    return isinstance(error, dict) and error.get("code") == SHARD_ELSEWHERE
