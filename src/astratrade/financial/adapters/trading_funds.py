"""Financial's questions to trading in distributed mode, over the trading service's
internal routes: an account's funds now (asked of the replica that writes the account:
its shard's holder, by the shard map), and every account's committed collateral (for
reconciling the ledger: read from the database, so any live replica answers for every
shard)."""

from __future__ import annotations

from decimal import Decimal

import httpx

from astratrade.financial.domain.transfers import Funds
from astratrade.financial.ports import AccountFunds
from astratrade.infrastructure.service_calls import answered_by, service_client
from astratrade.infrastructure.shard_map import NoHolder, Routes, is_shard_elsewhere, routes_to
from astratrade.shared.errors import Unavailable


class HttpTrading:
    def __init__(self, trading_urls: list[str], service_key: str, timeout: float, shards: int):
        """`trading_urls`: the trading service's URLs (its replicas, or one in front of
        them); `shards`: how many shards trading's accounts are split into."""
        self._client = service_client(trading_urls[0], service_key, timeout)
        self._routes: Routes = routes_to(trading_urls, service_key, timeout, shards=shards)

    async def collateral(self) -> dict[str, Decimal]:
        with answered_by("trading"):
            answer = await self._client.get(
                await self._routes.any_replica() + "/internal/v1/collateral"
            )
            answer.raise_for_status()
        return {account: Decimal(amount) for account, amount in answer.json().items()}

    async def close(self) -> None:
        await self._routes.close()
        await self._client.aclose()

    async def funds_of(self, account_id: str) -> AccountFunds | None:
        with answered_by("trading"):
            answer = await self._ask_holder(account_id, f"/internal/v1/accounts/{account_id}/funds")
            if answer.status_code == 404:
                return None
            answer.raise_for_status()
        body = answer.json()
        funds = Funds(body["kind"], Decimal(body["collateral"]), Decimal(body["available"]))
        return AccountFunds(body["owner_id"], funds)

    async def _ask_holder(self, account_id: str, path: str) -> httpx.Response:
        """GET `path` of the replica writing the account (its shard by its id; the house
        and insurance accounts name their shard otherwise, but a read of them is answered
        by any replica, from the database); once more, after the map is asked again, if
        that replica says the account is written elsewhere."""
        for attempt in (1, 2):
            try:
                replica = await self._routes.holder_of(account_id)
            except NoHolder as none:
                raise Unavailable(f"trading: {none}") from none
            answer = await self._client.get(replica + path)
            if attempt == 1 and is_shard_elsewhere(answer.status_code, answer.content):
                await self._routes.refresh()
                continue
            return answer
        raise AssertionError("unreachable")  # the second attempt always returns
