"""Financial's questions to trading in distributed mode, over the trading service's
internal routes: an account's funds now (its single writer answers), and every account's
committed collateral (for reconciling the ledger)."""

from __future__ import annotations

from decimal import Decimal

from astratrade.financial.domain.transfers import Funds
from astratrade.financial.ports import AccountFunds
from astratrade.infrastructure.service_calls import service_client


class HttpTrading:
    def __init__(self, trading_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(trading_url, service_key, timeout)

    async def collateral(self) -> dict[str, Decimal]:
        answer = await self._client.get("/internal/v1/collateral")
        answer.raise_for_status()
        return {account: Decimal(amount) for account, amount in answer.json().items()}

    async def close(self) -> None:
        await self._client.aclose()

    async def funds_of(self, account_id: str) -> AccountFunds | None:
        answer = await self._client.get(f"/internal/v1/accounts/{account_id}/funds")
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        body = answer.json()
        funds = Funds(body["kind"], Decimal(body["collateral"]), Decimal(body["available"]))
        return AccountFunds(body["owner_id"], funds)
