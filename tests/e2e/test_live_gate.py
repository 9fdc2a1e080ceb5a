"""The live-trading gate over HTTP: refused until level 3 in practice and KYC, then a USDC
account whose orders answer that no live venue is connected."""

from __future__ import annotations

from typing import Any

from .conftest import Admin, Trader, assert_error, eventually


def open_live(trader: Trader, expect: int) -> Any:
    """The gate is a read model of other contexts' events: try until it has them."""
    return eventually(
        lambda: trader.post("/accounts", json={"kind": "live"}),
        lambda response: response.status_code == expect,
    )


def test_live_accounts_open_at_level_three_with_kyc(admin: Admin, trader: Trader) -> None:
    admin.reset_prices()
    refused = assert_error(trader.post("/accounts", json={"kind": "live"}), 403)
    assert "level 3" in refused["message"]
    assert "KYC" in refused["message"]
    assert_error(trader.post("/accounts", json={"kind": "practice"}), 422, "kind")

    for _ in range(10):
        trader.market("buy", "0.1", market="ETH-USD")
        trader.market("sell", "0.1", market="ETH-USD")
    url = f"/admin/users/{trader.user_id}/kyc"
    assert_error(trader.put(url, json={"kyc": True}), 403)
    assert_error(admin.put("/admin/users/nobody/kyc", json={"kyc": True}), 404)
    response = admin.put(url, json={"kyc": True})
    assert response.status_code == 200, response.text
    assert trader.get("/me").json()["kyc"] is True

    opened = open_live(trader, 201)
    assert opened.status_code == 201, opened.text
    live = opened.json()
    assert (live["kind"], live["currency"], live["collateral"]) == ("live", "USDC", "0")
    order = trader.place(
        account_id=live["account_id"], market="ETH-USD", side="buy", type="market", size="0.1"
    )
    assert assert_error(order, 409)["code"] == "venue_unavailable"
    kinds = sorted(a["kind"] for a in trader.get("/accounts").json())
    assert kinds == ["live", "practice"]
