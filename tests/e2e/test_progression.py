"""Progression over HTTP: protected closes over several manual-clock days earn XP, a level
and more leverage; a 15x position refused before is accepted after; the boards show it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .conftest import Admin, Trader, assert_error, eventually

ETH = "ETH-USD"


def progression_after(trader: Trader, xp: int) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        response = trader.get("/progression/me")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return eventually(read, lambda body: body["xp"] >= xp)


def protected_close(admin: Admin, trader: Trader) -> None:
    """Buy 1 ETH at about 3000 with a stop at 2950 set right away; the stop closes it."""
    admin.set_price(ETH, "3000")
    trader.market("buy", "1", market=ETH)
    trader.order_ok(market=ETH, side="sell", type="stop_loss", size="1", trigger_price="2950")
    admin.clock(advance_seconds=600)
    admin.set_price(ETH, "2950")
    admin.set_price(ETH, "3000")


def test_protected_closes_over_days_level_up_and_unlock_15x(admin: Admin, trader: Trader) -> None:
    admin.reset_prices()
    leverage_url = f"/accounts/{trader.account_id}/leverage"
    assert_error(trader.put(leverage_url, json={"market": ETH, "leverage": 15}), 422, "leverage")
    assert trader.get("/progression/me").json() == {
        "xp": 0,
        "level": 1,
        "max_leverage": 10,
        "streak": 0,
        "closes": 0,
        "achievements": [],
    }

    # Day 1: 10 + 10 (stop) + 5 (risked 50.3 <= 2 % of 10,000) + 50 (day 1 of a streak)
    # + 100 (FIRST_TRADE) = 175 XP: level 2, 15x.
    protected_close(admin, trader)
    day1 = progression_after(trader, 175)
    assert (day1["xp"], day1["level"], day1["max_leverage"], day1["streak"]) == (175, 2, 15, 1)
    assert day1["achievements"] == ["FIRST_TRADE"]

    # Day 2: 25 + 60 for a two-day streak = 260.
    admin.clock(advance_seconds=86400)
    admin.login()  # tokens expire on the moved clock
    trader.login()
    protected_close(admin, trader)
    day2 = progression_after(trader, 260)
    assert (day2["xp"], day2["streak"], day2["closes"]) == (260, 2, 2)

    me = trader.get("/me").json()
    assert (me["level"], me["max_leverage"]) == (2, "15")
    response = trader.put(leverage_url, json={"market": ETH, "leverage": 15})
    assert response.status_code == 200, response.text
    position = trader.market("buy", "3", market=ETH)  # about 9,000 on 600 of margin
    assert position["status"] == "filled"
    assert Decimal(trader.position(ETH)["leverage"]) == 15  # type: ignore[index]

    board = trader.get("/leaderboards/xp", params={"period": "week"}).json()
    assert trader.username in [s["username"] for s in board["standings"]]
    mine = trader.get("/leaderboards/xp/me", params={"around": 1}).json()
    (me_on_board,) = [s for s in mine["standings"] if s["user_id"] == trader.user_id]
    assert me_on_board["score"] == "260"
    trader.market("sell", "3", market=ETH)


def test_an_unknown_board_or_a_bad_limit_is_refused(trader: Trader) -> None:
    assert_error(trader.get("/leaderboards/volume"), 422, "board")
    assert_error(trader.get("/leaderboards/xp", params={"limit": 501}), 422, "limit")
    assert_error(trader.get("/leaderboards/xp", params={"period": "year"}), 422, "period")
    assert_error(trader.get("/leaderboards/xp", params={"mode": "live"}), 422, "mode")
    assert_error(trader.get("/leaderboards/roi", params={"period": "all"}), 422, "period")
    assert_error(trader.get("/leaderboards/roi", params={"mode": "all"}), 422, "mode")
    assert_error(trader.get("/leaderboards/roi", params={"mode": "demo"}), 422, "mode")


def test_the_roi_board_is_weekly_and_per_mode(trader: Trader) -> None:
    body = trader.get("/leaderboards/roi").json()
    assert (body["board"], body["mode"]) == ("roi", "practice")
    assert body["period"].count("-W") == 1
    live = trader.get("/leaderboards/roi/me", params={"mode": "live", "around": 2}).json()
    assert (live["mode"], live["standings"]) == ("live", [])
