"""Financial's question to trading in distributed mode: an account's funds now, answered
by the trading service's single writer over its internal route."""

from __future__ import annotations

from decimal import Decimal

import httpx

from astratrade.financial.domain.transfers import Funds
from astratrade.financial.ports import AccountFunds


class HttpAccountFunds:
    def __init__(self, trading_url: str, service_key: str, timeout: float) -> None:
        self._client = httpx.AsyncClient(base_url=trading_url, timeout=timeout,
                                         headers={"X-Service-Key": service_key})  # fmt: skip

    async def __call__(self, account_id: str) -> AccountFunds | None:
        answer = await self._client.get(f"/internal/v1/accounts/{account_id}/funds")
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        body = answer.json()
        funds = Funds(body["kind"], Decimal(body["collateral"]), Decimal(body["available"]))
        return AccountFunds(body["owner_id"], funds)
