"""The audit trail over HTTP: an admin reads an aggregate's full event history."""

from __future__ import annotations

from .conftest import Admin, Trader, assert_error, eventually


def test_an_admin_reads_an_accounts_history_in_order(admin: Admin, trader: Trader) -> None:
    admin.reset_prices()
    order = trader.market("buy", "0.01")
    response = admin.get("/admin/audit", params={"aggregate_id": trader.account_id})
    assert response.status_code == 200, response.text
    history = response.json()
    assert [e["type"] for e in history] == [
        "AccountOpened",
        "CollateralDeposited",
        "OrderAccepted",
        "OrderFilled",
    ]
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


def test_a_requests_id_is_answered_and_carried_by_every_event_it_causes(
    admin: Admin, trader: Trader
) -> None:
    """The order's events carry the caller's X-Request-ID; a request without one gets a
    new id, answered back; the close's XP (a handler's event, downstream) carries the
    close's id."""
    admin.reset_prices()
    body = {
        "account_id": trader.account_id,
        "market": "BTC-USD",
        "side": "buy",
        "type": "market",
        "size": "0.01",
    }
    placed = trader.post("/orders", json=body, headers={"X-Request-ID": "order-req-1"})
    assert placed.status_code == 201, placed.text
    assert placed.headers["x-request-id"] == "order-req-1"
    closed = trader.post("/positions/BTC-USD/close", json={"account_id": trader.account_id})
    close_id = closed.headers["x-request-id"]
    assert len(close_id) == 32  # a new one: the request sent none
    history = admin.get("/admin/audit", params={"aggregate_id": trader.account_id}).json()
    order_id = placed.json()["order_id"]
    of_order = {e["correlation_id"] for e in history if e["payload"].get("order_id") == order_id}
    assert of_order == {"order-req-1"}  # accepted and filled
    assert history[-1]["type"] == "PositionClosed"
    assert history[-1]["correlation_id"] == close_id

    def xp_ids() -> list[str]:  # XP follows the close through gamification's consumer
        progression = f"progression-{trader.user_id}"
        found = admin.get("/admin/audit", params={"aggregate_id": progression})
        events = found.json() if found.status_code == 200 else []  # 404 until the first
        return [e["correlation_id"] for e in events if e["type"] == "XpAwarded"]

    assert close_id in eventually(xp_ids, lambda ids: close_id in ids)
