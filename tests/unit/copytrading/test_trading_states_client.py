"""The distributed read of trading's copy accounts: the contract's request and answer,
any replica asked, a failure answered as trading being unavailable."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from astratrade.copytrading.adapters.trading_states import HttpCopyAccounts
from astratrade.shared.errors import Unavailable


def client_answering(handler: httpx.MockTransport) -> HttpCopyAccounts:
    accounts = HttpCopyAccounts(["http://trading"], "key", 1.0, shards=1)
    accounts._client = httpx.AsyncClient(transport=handler, headers={"x-service-key": "key"})
    return accounts


async def test_the_states_of_many_accounts_in_one_request() -> None:
    asked: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/internal/v1/accounts/states"
        asked.append(json.loads(request.content))
        state = {
            "equity": "1000.5",
            "available": "900",
            "collateral": "1000",
            "position": "-0.25",
            "unlocked_leverage": "20",
        }
        return httpx.Response(200, json={"mark": "60000.1", "accounts": {"a1": state}})

    accounts = client_answering(httpx.MockTransport(answer))
    states = await accounts.states(["a1", "gone"], "BTC-USD")
    assert asked == [{"account_ids": ["a1", "gone"], "market": "BTC-USD"}]
    assert states.mark == Decimal("60000.1")
    assert set(states.accounts) == {"a1"}  # ids trading does not know are left out
    assert states.accounts["a1"].position == Decimal("-0.25")
    assert states.accounts["a1"].equity == Decimal("1000.5")


async def test_trading_failing_is_unavailable_and_too_many_ids_are_refused() -> None:
    accounts = client_answering(httpx.MockTransport(lambda _: httpx.Response(503)))
    with pytest.raises(Unavailable):
        await accounts.states(["a1"], "BTC-USD")
    with pytest.raises(ValueError, match="at most 1000"):
        await accounts.states([f"a{i}" for i in range(1001)], "BTC-USD")
