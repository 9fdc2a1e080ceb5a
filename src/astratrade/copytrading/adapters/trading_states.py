"""Copy trading's read of trading's copy accounts in distributed mode: any trading replica
answers `POST /internal/v1/accounts/states` from committed state (the contract's read), so
the request goes to a live replica, not to a shard's writer."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import httpx

from astratrade.copytrading.ports import MAX_STATES, CopyAccountState, CopyStates
from astratrade.infrastructure.service_calls import service_client
from astratrade.infrastructure.shard_map import Routes, routes_to
from astratrade.shared.errors import Unavailable


class HttpCopyAccounts:
    def __init__(self, trading_urls: list[str], service_key: str, timeout: float, shards: int):
        self._client = service_client(trading_urls[0], service_key, timeout)
        self._routes: Routes = routes_to(trading_urls, service_key, timeout, shards=shards)

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        if len(account_ids) > MAX_STATES:
            raise ValueError(f"at most {MAX_STATES} accounts a read, {len(account_ids)} asked")
        body = {"account_ids": list(account_ids), "market": market}
        try:
            answer = await self._client.post(
                await self._routes.any_replica() + "/internal/v1/accounts/states", json=body
            )
            answer.raise_for_status()
        except httpx.HTTPError as error:
            raise Unavailable(f"trading: {error}") from error
        return states_of(answer.json())

    async def close(self) -> None:
        await self._routes.close()
        await self._client.aclose()


def states_of(body: dict[str, object]) -> CopyStates:
    """The contract's JSON answer as the port's values."""
    accounts = body.get("accounts")
    if not isinstance(accounts, dict):
        raise Unavailable("trading answered no accounts")
    return CopyStates(
        mark=Decimal(str(body["mark"])),
        accounts={
            str(account_id): CopyAccountState(
                equity=Decimal(str(state["equity"])),
                available=Decimal(str(state["available"])),
                collateral=Decimal(str(state["collateral"])),
                position=Decimal(str(state["position"])),
                unlocked_leverage=Decimal(str(state["unlocked_leverage"])),
            )
            for account_id, state in accounts.items()
        },
    )
