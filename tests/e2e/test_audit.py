"""The audit trail over HTTP: an admin reads an aggregate's full event history."""

from __future__ import annotations

from .conftest import Admin, Trader, assert_error


def test_an_admin_reads_an_accounts_history_in_order(admin: Admin, trader: Trader) -> None:
    admin.reset_prices()
    order = trader.market("buy", "0.01")
    response = admin.get("/admin/audit", params={"aggregate_id": trader.account_id})
    assert response.status_code == 200, response.text
    history = response.json()
    assert [e["type"] for e in history] == [
        "AccountOpened", "CollateralDeposited", "OrderAccepted", "OrderFilled",
    ]  # fmt: skip
    assert [e["aggregate_version"] for e in history] == [1, 2, 3, 4]
    assert {e["aggregate_id"] for e in history} == {trader.account_id}
    filled = history[-1]["payload"]
    assert filled["order_id"] == order["order_id"]
    assert filled["price"] == order["fills"][0]["price"]


def test_the_audit_trail_is_for_admins_only(trader: Trader) -> None:
    assert_error(trader.get("/admin/audit", params={"aggregate_id": trader.account_id}), 403)


def test_an_unknown_aggregate_and_a_missing_id_are_clear_errors(admin: Admin) -> None:
    assert_error(admin.get("/admin/audit", params={"aggregate_id": "nope"}), 404)
    assert_error(admin.get("/admin/audit"), 422, "aggregate_id")
