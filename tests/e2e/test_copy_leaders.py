"""Leading over HTTP against a real server, on SQLite and on PostgreSQL: a new trader's
opt-in is refused naming every condition missed; twenty closes in a day (level 3 by their
XP) let a trader lead, and they appear in the directory under every sort with their
statistics; bad input answers 422 naming the field and changes nothing; a trader not
leading answers 404; stopping takes them out of the directory."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import (
    DATABASES,
    Admin,
    Server,
    Trader,
    assert_error,
    create_trader,
    eventually,
    module_server,
    new_admin,
)

SORTS = [
    "roi_7d",
    "roi_30d",
    "roi_90d",
    "max_drawdown_30d",
    "win_rate",
    "average_hold",
    "copiers",
    "allocated",
    "profit_share_earned",
]
STATISTICS = {
    "roi_7d",
    "roi_30d",
    "roi_90d",
    "max_drawdown_30d",
    "win_rate",
    "average_hold_seconds",
    "closed_positions_90d",
}


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    yield from module_server(tmp_path_factory, request, request.param)


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, Trader]:
    """lea (twenty closes on the day: level 3) and nick (a new trader)."""
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    lea, nick = create_trader(server, "lea"), create_trader(server, "nick")
    for n in range(20):
        admin.set_price("ETH-USD", "3000")
        lea.market("buy", "0.1", market="ETH-USD")
        admin.set_price("ETH-USD", "3030" if n % 2 == 0 else "2970")
        lea.market("sell", "0.1", market="ETH-USD")
    progression = eventually(
        lambda: lea.get("/progression/me").json(), lambda body: body["level"] >= 3
    )
    assert progression["level"] == 3, progression
    return {"lea": lea, "nick": nick}


def directory(trader: Trader, **params: Any) -> list[str]:
    response = trader.get("/leaders", params=params)
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["items"]]


def lead(trader: Trader, **body: Any) -> httpx.Response:
    """Opt in once the read models have seen the twenty closes."""
    return eventually(lambda: trader.post("/leaders/me", json=body), lambda r: r.status_code == 200)


def test_a_new_trader_is_refused_naming_each_condition(people: dict[str, Trader]) -> None:
    error = assert_error(people["nick"].post("/leaders/me", json={}), 400)
    assert error["code"] == "not_eligible_to_lead"
    assert "level is 1, at least 3 is needed" in error["message"]
    assert "0 closed positions, at least 20 are needed" in error["message"]
    assert_error(people["lea"].get(f"/leaders/{people['nick'].username}"), 404)
    assert_error(people["nick"].delete("/leaders/me"), 404)


def test_bad_input_names_the_field_and_changes_nothing(people: dict[str, Trader]) -> None:
    lea = people["lea"]
    for body, field in [
        ({"profit_share": "0.21"}, "profit_share"),
        ({"profit_share": "-0.01"}, "profit_share"),
        ({"profit_share": "ten"}, "profit_share"),
        ({"profit_share": "NaN"}, "profit_share"),
        ({"profit_share": "0.1", "leverage": 5}, "leverage"),
    ]:
        assert_error(lea.post("/leaders/me", json=body), 422, field)
    for params, field in [
        ({"sort": "pnl"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        assert_error(lea.get("/leaders", params=params), 422, field)
    for days in ("7", "365", "thirty"):
        assert_error(lea.get(f"/leaders/{lea.username}/equity", params={"days": days}), 422, "days")
    assert lea.username not in directory(lea)
    assert_error(lea.get(f"/leaders/{lea.username}"), 404)


def test_a_trader_who_meets_the_conditions_leads_then_stops(people: dict[str, Trader]) -> None:
    lea, nick = people["lea"], people["nick"]
    led = lead(lea, profit_share="0.15")
    assert led.status_code == 200, led.text
    mine = led.json()
    assert (mine["username"], mine["profit_share"], mine["copiers"]) == (lea.username, "0.15", 0)
    assert (mine["allocated"], mine["profit_share_earned"]) == ("0", "0")
    assert set(mine["statistics"]) == STATISTICS
    assert mine["statistics"]["closed_positions_90d"] == 20
    assert mine["statistics"]["win_rate"] == "0.5"

    seen = nick.get(f"/leaders/{lea.username.upper()}")
    assert seen.status_code == 200, seen.text
    assert seen.json() == mine
    for sort in SORTS:
        assert lea.username in directory(nick, sort=sort, limit=100), sort
    for days in (30, 90):  # a point a close, normalized: no balance shows
        curve = nick.get(f"/leaders/{lea.username}/equity", params={"days": days}).json()
        assert (curve["username"], curve["days"], len(curve["points"])) == (lea.username, days, 20)
        assert set(curve["points"][0]) == {"at", "value"}
    first = nick.get("/leaders", params={"limit": 1}).json()
    assert len(first["items"]) == 1

    # A block, either way, hides each from the other here too.
    assert nick.post(f"/profiles/{lea.username}/block").status_code == 204
    eventually(lambda: nick.get(f"/leaders/{lea.username}"), lambda r: r.status_code == 404)
    assert_error(nick.get(f"/leaders/{lea.username}"), 404)
    assert_error(nick.get(f"/leaders/{lea.username}/equity"), 404)
    assert lea.username not in directory(nick, limit=100)
    assert nick.delete(f"/profiles/{lea.username}/block").status_code == 204
    shown = eventually(lambda: nick.get(f"/leaders/{lea.username}"), lambda r: r.status_code == 200)
    assert shown.json() == mine

    again = lea.post("/leaders/me", json={"profit_share": "0.05"})  # while leading: the share
    assert again.status_code == 200, again.text
    assert again.json()["profit_share"] == "0.05"

    assert lea.delete("/leaders/me").status_code == 204
    assert_error(nick.get(f"/leaders/{lea.username}"), 404)
    assert lea.username not in directory(nick, limit=100)
    assert_error(lea.delete("/leaders/me"), 404)
