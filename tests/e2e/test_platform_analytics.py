"""Platform analytics over HTTP against a real server on the manual feed and clock: sign-ups
over three days, orders, a liquidation and a subscription give the figures worked out by
hand here (and the gauges on /metrics); a trader is refused as on every admin route; bad
dates answer 422 naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from .conftest import (
    LIQUIDATION_FEE,
    STARTING_BALANCE,
    Admin,
    D,
    Server,
    User,
    assert_error,
    create_trader,
    eventually,
    money,
    new_admin,
    own_server,
    taker_fee,
    taker_price,
)

BTC = "BTC-USD"
N = Decimal  # a figure of the test (D: one of the API, a string)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # The gauges are read again every 0.2 s here rather than every 15 s.
    with own_server(tmp_path_factory.mktemp("platform"), analytics_gauges_seconds="0.2") as srv:
        yield srv


@pytest.fixture(scope="module")
def admin(server: Server) -> Admin:
    return Admin(server, new_admin(server), "")


def report(admin: Admin, start: date, end: date) -> dict[str, Any]:
    response = admin.get(
        "/admin/analytics", params={"from": start.isoformat(), "to": end.isoformat()}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def jump(admin: Admin, day: date, *users: User) -> None:
    """Move the clock to 09:00 UTC of `day`; log in again (the tokens expired meanwhile)."""
    admin.clock(now=f"{day.isoformat()}T09:00:00+00:00")
    for user in (admin, *users):
        user.login()


def test_three_days_of_sign_ups_orders_and_a_liquidation(server: Server, admin: Admin) -> None:
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    first = (now + timedelta(days=7 - now.weekday() + 7)).date()  # a Monday to come
    jump(admin, first)
    admin.set_price(BTC, "60000")
    ana, bob = create_trader(server, "ana"), create_trader(server, "bob")
    ana.market("buy", "0.1")
    bob.market("buy", "0.5")
    assert ana.put("/subscription", json={"plan": "pro"}).status_code == 200

    jump(admin, first + timedelta(days=1), ana, bob)
    create_trader(server, "cyd")
    ana.market("sell", "0.04")
    admin.set_price(BTC, "40100")  # below bob's liquidation price, with equity left
    assert bob.positions() == []

    jump(admin, first + timedelta(days=8), ana)  # week 1 after the cohort's
    admin.set_price(BTC, "60000")
    ana.market("buy", "0.01")
    jump(admin, first + timedelta(days=14))  # week 1 is over

    # By hand: each taker fill at the mark with its slippage, fee 2.5 bp of the notional.
    ana_buy, bob_buy = (
        taker_price("buy", N("0.1"), N(60000)),
        taker_price("buy", N("0.5"), N(60000)),
    )
    ana_sell = taker_price("sell", N("0.04"), N(60000))
    day_1_volume = N("0.1") * ana_buy + N("0.5") * bob_buy
    day_1_fees = taker_fee(N("0.1"), ana_buy) + taker_fee(N("0.5"), bob_buy)
    # Liquidated at the mark without a fee on the fill; the 1% fee is capped at bob's
    # equity left.
    day_2_volume = N("0.04") * ana_sell + N("0.5") * N(40100)
    bob_equity_left = (
        STARTING_BALANCE - taker_fee(N("0.5"), bob_buy) + N("0.5") * (N(40100) - bob_buy)
    )
    liquidation_fee = min(money(N("0.5") * N(40100) * LIQUIDATION_FEE), money(bob_equity_left))

    three = [first, first + timedelta(days=1), first + timedelta(days=2)]
    body = eventually(
        lambda: report(admin, three[0], three[-1]),
        lambda b: b["retention"] and b["retention"][0]["week_1"] is not None,
    )
    assert (body["start"], body["end"]) == (three[0].isoformat(), three[-1].isoformat())
    days = body["days"]
    assert [d["day"] for d in days] == [d.isoformat() for d in three]
    assert [d["sign_ups"] for d in days] == [2, 1, 0]
    assert [d["active_traders"] for d in days] == [
        {"daily": 2, "weekly": 2, "monthly": 2},
        {"daily": 1, "weekly": 2, "monthly": 2},  # bob's liquidation is no order of his
        {"daily": 0, "weekly": 2, "monthly": 2},
    ]
    assert [D(d["volume"]) for d in days] == [day_1_volume, day_2_volume, 0]
    assert [D(d["fees"]) for d in days] == [day_1_fees, taker_fee(N("0.04"), ana_sell), 0]
    assert [(d["liquidations"], D(d["liquidation_fees"])) for d in days] == [
        (0, 0),
        (1, liquidation_fee),
        (0, 0),
    ]
    assert liquidation_fee > 0
    assert [[(m["market"], D(m["open_interest"])) for m in d["markets"]] for d in days] == [
        [(BTC, N("0.6"))],
        [(BTC, N("0.06"))],  # ana's 0.1 - 0.04; bob's closed by the liquidation
        [(BTC, N("0.06"))],
    ]
    assert days[1]["markets"][0]["liquidation_fills"] == 1
    assert [d["mrr"] for d in days] == ["14.99", "14.99", "14.99"]
    assert [(d["active_copies"], d["tournament_entrants"]) for d in days] == [(0, 0)] * 3
    # The cohort of the week: ana, bob and cyd; ana alone traded in the week after.
    assert body["retention"] == [
        {
            "week": first.isoformat(),
            "sign_ups": 3,
            "week_1_retained": 1,
            "week_1": "0.333333",
            "week_4_retained": None,
            "week_4": None,
        }
    ]
    # MRR is financial's figure.
    revenue = admin.get("/admin/revenue").json()
    assert D(revenue["mrr"]) == N("14.99")

    def gauges() -> str:
        return httpx.get(f"{server.base_url}/metrics/", timeout=5).text

    expected = (
        'astratrade_open_interest{market="BTC-USD"} 0.07',
        'astratrade_active_traders{window="day"} 0.0',
        'astratrade_active_traders{window="week"} 1.0',
    )
    # The gauges follow a refresh loop: one from before the clock's last move may still show.
    metrics = eventually(gauges, lambda text: all(line in text for line in expected))
    assert 'astratrade_open_interest{market="BTC-USD"} 0.07' in metrics  # ana's 0.06 + 0.01
    assert 'astratrade_active_traders{window="day"} 0.0' in metrics  # nobody today
    assert 'astratrade_active_traders{window="week"} 1.0' in metrics  # ana, 6 days ago
    assert "astratrade_mrr_usd 14.99" in metrics
    assert "astratrade_active_copies 0.0" in metrics


def test_a_trader_is_refused_as_on_every_admin_route(server: Server) -> None:
    trader = create_trader(server, "nosy")
    assert_error(trader.get("/admin/analytics"), 403)
    assert_error(trader.get("/admin/revenue"), 403)  # the same answer as another admin route
    with httpx.Client(base_url=server.base_url) as anonymous:
        assert_error(anonymous.get("/api/v1/admin/analytics"), 401)


def test_bad_dates_name_the_field(admin: Admin) -> None:
    for params, field in [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "2025-03-01", "to": "2026-03-02"}, "from"),  # 367 days
        ({"from": "0001-01-01"}, "from"),  # its month before would leave the calendar
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01T00:00:00+01:00"}, "from"),
    ]:
        assert_error(admin.get("/admin/analytics", params=params), 422, field)
    year = admin.get("/admin/analytics", params={"from": "2025-03-02", "to": "2026-03-02"})
    assert year.status_code == 200, year.text
    assert len(year.json()["days"]) == 366
