"""What the live channels read from trading: an account's figures, a trader's open
positions and orders, an account's owner. Read beside the engine from trading's committed
state where trading runs in this process (embedded, or a trading replica hosting the hub);
else asked of the trading service over its internal routes (the realtime service), so the
hub never reads trading's schema nor waits on its writer."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Protocol

import httpx

from astratrade.infrastructure.service_calls import service_client
from astratrade.infrastructure.shard_map import NoHolder, Routes, routes_to
from astratrade.shared.errors import Unavailable
from astratrade.trading.queries import TradingQueries

LIVE = "/internal/v1/live"


class TradingReads(Protocol):
    async def owner_of(self, account_id: str) -> str | None: ...

    async def account(self, account_id: str) -> dict[str, Any] | None: ...

    async def positions_of(self, user_id: str) -> list[dict[str, Any]]:
        """Every open position of the user's accounts, each with its account's id."""
        ...

    async def open_orders_of(self, user_id: str) -> list[dict[str, Any]]: ...


class LocalTradingReads:
    """Trading's queries in this process."""

    def __init__(self, queries: TradingQueries) -> None:
        self._queries = queries

    async def owner_of(self, account_id: str) -> str | None:
        return await self._queries.owner_of(account_id)

    async def account(self, account_id: str) -> dict[str, Any] | None:
        view = await self._queries.account_view(account_id)
        return None if view is None else asdict(view)

    async def positions_of(self, user_id: str) -> list[dict[str, Any]]:
        positions = await self._queries.positions_of(user_id)
        return [{"account_id": account_id, **asdict(view)} for account_id, view in positions]

    async def open_orders_of(self, user_id: str) -> list[dict[str, Any]]:
        return [asdict(view) for view in await self._queries.open_orders_of(user_id)]


class HttpTradingReads:
    """The trading service's answers (`/internal/v1/live/...`, internal.py), asked of the
    replica writing the account or the trader's shard (its accounts are in memory there;
    any replica would answer from the database)."""

    def __init__(self, trading_urls: list[str], service_key: str, timeout: float, shards: int):
        self._client = service_client(trading_urls[0], service_key, timeout)
        self._routes: Routes = routes_to(trading_urls, service_key, timeout, shards=shards)

    async def _get(self, key: str, path: str) -> httpx.Response:
        try:
            replica = await self._routes.holder_of(key)
        except NoHolder:  # a failover under way: any replica reads the committed state
            replica = await self._routes.any_replica()
        try:
            answer = await self._client.get(replica + LIVE + path)
        except httpx.TransportError:  # that replica just died: the map moves, ask another
            await self._routes.refresh()
            answer = await self._client.get(await self._routes.any_replica() + LIVE + path)
        if answer.status_code >= 500:
            raise Unavailable(f"trading answered {answer.status_code} for {path}")
        return answer

    async def owner_of(self, account_id: str) -> str | None:
        answer = await self._get(account_id, f"/accounts/{account_id}/owner")
        answer.raise_for_status()
        owner: str | None = answer.json()["owner_id"]
        return owner

    async def account(self, account_id: str) -> dict[str, Any] | None:
        answer = await self._get(account_id, f"/accounts/{account_id}")
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    async def positions_of(self, user_id: str) -> list[dict[str, Any]]:
        return await self._list(user_id, f"/positions/{user_id}")

    async def open_orders_of(self, user_id: str) -> list[dict[str, Any]]:
        return await self._list(user_id, f"/orders/{user_id}")

    async def _list(self, user_id: str, path: str) -> list[dict[str, Any]]:
        answer = await self._get(user_id, path)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()
        return found

    async def close(self) -> None:
        await self._routes.close()
        await self._client.aclose()
