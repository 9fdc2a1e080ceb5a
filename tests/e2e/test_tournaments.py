"""A tournament over HTTP, from creation to frozen standings: the admin creates it, a trader
joins and trades the tournament account, the manual clock ends it, the prizes land once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .conftest import Admin, Trader, assert_error, eventually
from .test_progression import progression_after

ETH = "ETH-USD"


def standings_after(trader: Trader, url: str, closes: int) -> dict[str, Any]:
    """The board once it shows `closes` closes."""

    def read() -> dict[str, Any]:
        board: dict[str, Any] = trader.get(f"{url}/leaderboard").json()
        return board

    return eventually(read, lambda board: closes in [s["closes"] for s in board["standings"]])


def create(admin: Admin, **changes: Any) -> dict[str, Any]:
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    body = {
        "name": "Sprint",
        "markets": [ETH],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        **changes,
    }
    response = admin.post("/tournaments", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_tournament_from_join_to_frozen_standings(
    admin: Admin, trader: Trader, new_trader: Any
) -> None:
    admin.reset_prices()
    tournament = create(admin)
    assert (tournament["starting_capital"], tournament["status"]) == ("10000", "running")
    url = f"/tournaments/{tournament['tournament_id']}"

    joined = trader.post(f"{url}/join")
    assert joined.status_code == 201, joined.text
    account_id = joined.json()["account_id"]
    again = trader.post(f"{url}/join")
    assert (again.status_code, again.json()["account_id"]) == (200, account_id)
    (listed,) = [
        t
        for t in trader.get("/tournaments").json()
        if t["tournament_id"] == tournament["tournament_id"]
    ]
    assert (listed["entrants"], listed["account_id"]) == (1, account_id)

    # Trading opens the account on the join's event: a moment after the answer.
    account = eventually(
        lambda: trader.get(f"/accounts/{account_id}"), lambda r: r.status_code == 200
    )
    assert account.status_code == 200, account.text
    assert (account.json()["kind"], account.json()["collateral"]) == ("tournament", "10000")
    off_market = trader.place(
        account_id=account_id, market="BTC-USD", side="buy", type="market", size="0.01"
    )
    assert_error(off_market, 422, "market")

    for _ in range(3):
        trader.market("buy", "1", market=ETH, account_id=account_id)
        admin.set_price(ETH, "3030")
        trader.market("sell", "1", market=ETH, account_id=account_id)
        admin.set_price(ETH, "3000")
    board = standings_after(trader, url, 3)
    assert board["frozen"] is False
    (me,) = board["standings"]
    assert (me["username"], me["closes"]) == (trader.username, 3)
    assert Decimal(me["score"]) > 0

    admin.clock(advance_seconds=3 * 3600)  # past the end and the settling moments
    admin.login()  # tokens expire on the moved clock
    trader.login()
    final = trader.get(f"{url}/leaderboard").json()
    assert final["frozen"] is True
    assert [(s["rank"], s["user_id"]) for s in final["standings"]] == [(1, trader.user_id)]
    assert trader.get(url).json()["status"] == "finished"
    # First place: 1,000 XP and TOURNAMENT_PODIUM (1,000 more), once.
    progression = progression_after(trader, 2000)
    assert (progression["xp"], progression["achievements"]) == (2000, ["TOURNAMENT_PODIUM"])
    admin.clock(advance_seconds=60)
    assert trader.get("/progression/me").json()["xp"] == 2000
    assert_error(new_trader().post(f"{url}/join"), 409)  # over


def test_only_admins_create_and_bad_tournaments_name_the_field(
    admin: Admin, trader: Trader
) -> None:
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    body = {
        "name": "X",
        "markets": [ETH],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    assert_error(trader.post("/tournaments", json=body), 403)
    assert_error(admin.post("/tournaments", json={**body, "markets": ["DOGE-USD"]}), 422, "markets")
    assert_error(
        admin.post("/tournaments", json={**body, "ends_at": body["starts_at"]}), 422, "ends_at"
    )
    assert_error(
        admin.post("/tournaments", json={**body, "starting_capital": "-1"}), 422, "starting_capital"
    )
    assert_error(trader.get("/tournaments/nope/leaderboard"), 404)
    assert_error(trader.post("/tournaments/nope/join"), 404)
