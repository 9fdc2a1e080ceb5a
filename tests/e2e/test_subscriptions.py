"""Subscriptions over HTTP: plans and their limits, an upgrade that lifts trading's
open-order limit, cancellation that ends at the period's end by the clock, the revenue
report, and bad input that changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .conftest import Admin, D, Trader, assert_error, eventually

DAY = 86_400


def rest_limit_order(trader: Trader) -> Any:
    return trader.place(market="BTC-USD", side="buy", type="limit", size="0.001", price="30000")


def test_free_plan_limits_open_orders_and_pro_lifts_the_limit(admin: Admin, trader: Trader) -> None:
    admin.reset_prices()
    mine = trader.get("/subscription").json()
    assert (mine["plan"], mine["limits"]["open_orders"]) == ("free", 10)
    assert [p["plan"] for p in mine["plans"]] == ["free", "pro", "elite"]

    # Trading learns the free plan's limit from the sign-up's SubscriptionChanged.
    first = eventually(lambda: rest_limit_order(trader), lambda r: r.status_code == 201)
    assert first.status_code == 201, first.text
    for _ in range(9):
        assert rest_limit_order(trader).status_code == 201
    refused = assert_error(rest_limit_order(trader), 400)
    assert "free plan allows 10 open orders" in refused["message"]

    upgraded = trader.put("/subscription", json={"plan": "pro"})
    assert upgraded.status_code == 200, upgraded.text
    assert (upgraded.json()["plan"], upgraded.json()["limits"]["open_orders"]) == ("pro", 50)
    accepted = eventually(lambda: rest_limit_order(trader), lambda r: r.status_code == 201)
    assert accepted.status_code == 201, accepted.text

    report = admin.get("/admin/revenue").json()
    assert D(report["mrr"]) >= Decimal("14.99")
    assert_error(trader.get("/admin/revenue"), 403)
    proof = admin.get("/admin/reconciliation").json()
    assert (proof["proven"], proof["discrepancies"]) == (True, [])


def test_a_cancelled_plan_lasts_until_the_period_ends(admin: Admin, trader: Trader) -> None:
    assert trader.put("/subscription", json={"plan": "elite"}).status_code == 200
    before = admin.get("/admin/revenue").json()
    cancelled = trader.delete("/subscription").json()
    assert (cancelled["plan"], cancelled["cancel_at_period_end"]) == ("elite", True)
    assert_error(trader.delete("/subscription"), 409)

    admin.clock(advance_seconds=32 * DAY)  # past the period's end
    admin.login()
    trader.login()
    now = trader.get("/subscription").json()
    assert (now["plan"], now["period_end"]) == ("free", None)
    after = admin.get("/admin/revenue").json()
    assert after["churned"] == before["churned"] + 1
    assert D(after["mrr"]) == D(before["mrr"]) - Decimal("49.99")


def test_nobody_changes_another_traders_subscription(trader: Trader, new_trader: Any) -> None:
    other = new_trader()
    aimed = other.put("/subscription", json={"plan": "pro", "user_id": trader.user_id})
    assert_error(aimed, 422)  # the user comes from the token; no field may name another
    assert trader.get("/subscription").json()["plan"] == "free"
    assert other.get("/subscription").json()["plan"] == "free"


def test_bad_plans_answer_422_and_change_nothing(trader: Trader) -> None:
    for body in ({"plan": "gold"}, {}, {"plan": "pro", "extra": 1}, {"plan": None}):
        assert_error(
            trader.put("/subscription", json=body),
            422,
            field="plan" if "extra" not in body else None,
        )
    assert trader.get("/subscription").json()["plan"] == "free"
    assert_error(trader.delete("/subscription"), 409)  # nothing to cancel


def test_the_free_plan_joins_two_tournaments_a_month(admin: Admin, trader: Trader) -> None:
    from .test_tournaments import create

    urls = [f"/tournaments/{create(admin)['tournament_id']}" for _ in range(3)]
    first = eventually(lambda: trader.post(f"{urls[0]}/join"), lambda r: r.status_code == 201)
    assert first.status_code == 201, first.text
    assert trader.post(f"{urls[1]}/join").status_code == 201
    refused = assert_error(trader.post(f"{urls[2]}/join"), 409)
    assert (refused["code"], "free plan allows 2 tournaments a month" in refused["message"]) == (
        "tournament_limit_reached",
        True,
    )
    assert trader.put("/subscription", json={"plan": "pro"}).status_code == 200
    joined = eventually(lambda: trader.post(f"{urls[2]}/join"), lambda r: r.status_code == 201)
    assert joined.status_code == 201, joined.text
