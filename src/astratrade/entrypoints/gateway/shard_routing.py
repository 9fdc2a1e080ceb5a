"""Trading's requests to the replica that writes the trader's accounts.

Every account of a trader is in the shard of their user id (practice, live and tournament
accounts alike), so a request's bearer token says where it goes: the live holder of that
shard, by the shard map (in memory, refreshed in the background). A request without a
token (the markets) goes to any live replica. A replica that answers 503
`shard_elsewhere` did nothing (the map moved under the request): the map is asked again
and the request sent once more, to the holder it names now."""

from __future__ import annotations

import asyncio
import logging

from fastapi import Request
from starlette.responses import Response

from astratrade.entrypoints.gateway.forward import forward
from astratrade.entrypoints.gateway.upstreams import Unavailable, Upstreams
from astratrade.infrastructure.shard_map import NoHolder, Routes, is_shard_elsewhere
from astratrade.infrastructure.web.http import error_response

logger = logging.getLogger(__name__)
CONTEXT = "trading"
RETRY_AFTER_SECONDS = 1


async def replica_for(routes: Routes, user_id: str | None) -> str:
    """The trader's shard's holder, or any live replica for a request signed by nobody;
    NoHolder while a failover leaves the shard without one."""
    return await routes.holder_of(user_id) if user_id else await routes.any_replica()


async def forward_by_shard(
    request: Request, user_id: str | None, routes: Routes, upstreams: Upstreams
) -> Response:
    for attempt in (1, 2):
        try:
            replica = await replica_for(routes, user_id)
        except NoHolder as none:
            return no_holder(none)
        try:
            answer = await forward(request, CONTEXT, upstreams, replica)
        except Unavailable:
            # The replica is down or cut off: its shards move within a lease's length,
            # and the map should show it as soon as it does.
            _refresh_soon(routes)
            raise
        if attempt == 1 and is_shard_elsewhere(answer.status_code, bytes(answer.body)):
            logger.info("%s answered shard_elsewhere; asking the shard map again", replica)
            await routes.refresh()
            continue
        return answer
    raise AssertionError("unreachable")  # the second attempt always returns


def no_holder(none: NoHolder) -> Response:
    answer = error_response(
        503,
        "shard_unavailable",
        f"no trading replica holds shard {none.shard} (of {none.shards}) right now, "
        "a failover is under way; nothing was done, try again shortly",
        shard=none.shard,
    )
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


_refreshing: set[asyncio.Task[None]] = set()


def _refresh_soon(routes: Routes) -> None:
    task = asyncio.create_task(routes.refresh())
    _refreshing.add(task)  # kept until done (the loop holds tasks weakly)
    task.add_done_callback(_refreshing.discard)
