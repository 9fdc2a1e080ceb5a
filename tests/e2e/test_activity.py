"""GET /accounts/{id}/activity: the account-activity read model over HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .conftest import Admin, Trader, assert_error, eventually


def activity_after(trader: Trader, fills: int) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        response = trader.get(f"/accounts/{trader.account_id}/activity")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return eventually(read, lambda body: body["fills"] >= fills)


def test_activity_sums_the_accounts_fills(admin: Admin, new_trader: Any) -> None:
    admin.reset_prices()
    trader: Trader = new_trader()
    first = trader.market("buy", "0.02")
    second = trader.market("sell", "0.02")
    activity = activity_after(trader, 2)
    fills = first["fills"] + second["fills"]
    assert activity["fills"] == 2
    assert Decimal(activity["volume"]) == sum(D(f["size"]) * D(f["price"]) for f in fills)
    assert Decimal(activity["fees"]) == sum(D(f["fee"]) for f in fills)
    assert Decimal(activity["realized_pnl"]) == sum(D(f["realized_pnl"]) for f in fills)
    assert activity["liquidations"] == 0


def test_another_traders_activity_is_not_found(new_trader: Any) -> None:
    owner: Trader = new_trader()
    intruder: Trader = new_trader()
    assert_error(intruder.get(f"/accounts/{owner.account_id}/activity"), 404)


def D(value: str) -> Decimal:
    return Decimal(value)
