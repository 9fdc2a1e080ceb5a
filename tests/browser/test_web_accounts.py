"""The account switcher: joining a tournament leads to trading it (its markets only, the
countdown to its start or end, the trader's rank on its board), and back to practice; the
tournament chosen again in the switcher takes the ticket's orders; a tournament's board is
named and says whether it has started."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, unique_name

from .conftest import screenshot, sign_up
from .test_web_trading_journey import _account, signed_in_as

MIN_CLOSES = 3  # to rank on a tournament board (docs/progression-rules.md)


def create(admin: Admin, name: str, starts_in: timedelta) -> dict[str, Any]:
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    body = {
        "name": name,
        "markets": ["BTC-USD", "ETH-USD"],
        "starts_at": (now + starts_in).isoformat(),
        "ends_at": (now + starts_in + timedelta(hours=2)).isoformat(),
    }
    response = admin.post("/tournaments", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_joining_a_tournament_leads_to_trading_it(page: Page, server: Server, admin: Admin) -> None:
    admin.reset_prices()
    upcoming = create(admin, unique_name("Later "), timedelta(hours=1))
    running = create(admin, unique_name("Now "), timedelta(0))
    sign_up(page, server, unique_name("entrant"))
    switcher = page.get_by_label("Account")
    panel = page.get_by_test_id("tournament-panel")

    page.get_by_role("link", name="Tournaments").click()
    page.get_by_role("button", name=f"Board of {upcoming['name']}").click()
    expect(page.get_by_test_id("tournament-board-title")).to_have_text(
        f"{upcoming['name']}: board (not started)"
    )
    page.get_by_role("button", name=f"Join {upcoming['name']}").click()
    expect(page.get_by_test_id("header-equity")).to_have_text("$10,000.00")
    expect(page).to_have_url(f"{server.base_url}/#/trade")
    expect(switcher.locator("option:checked")).to_have_text(f"Tournament: {upcoming['name']}")
    expect(panel.get_by_test_id("tournament-countdown")).to_contain_text("Starts in 59m")
    expect(panel.get_by_test_id("tournament-rank")).to_have_text(
        f"Not ranked yet: {MIN_CLOSES} closes in this tournament to rank."
    )
    expect(page.get_by_test_id("market-SOL-USD")).to_have_count(0)  # its markets only

    page.get_by_role("link", name="Tournaments").click()
    page.get_by_role("button", name=f"Join {running['name']}").click()
    expect(panel.get_by_test_id("tournament-countdown")).to_contain_text("Ends in 1h 59m")
    with signed_in_as(page) as api:  # the trader's closes, through the API
        order = {"account_id": switcher.input_value(), "market": "ETH-USD", "type": "market"}
        for _ in range(MIN_CLOSES):
            assert (
                api.post("/orders", json={**order, "side": "buy", "size": "0.1"}).status_code == 201
            )
            assert (
                api.post("/orders", json={**order, "side": "sell", "size": "0.1"}).status_code
                == 201
            )
    expect(panel.get_by_test_id("tournament-rank")).to_contain_text("Your rank: #1 of 1")
    screenshot(page, "trade-tournament-360")

    switcher.select_option(label="Practice")
    expect(panel).to_have_count(0)
    expect(page.get_by_test_id("market-SOL-USD")).to_be_visible()

    switcher.select_option(label=f"Tournament: {running['name']}")  # traded from the switcher
    expect(panel.get_by_test_id("tournament-countdown")).to_contain_text("Ends in")
    page.get_by_test_id("market-BTC-USD").click()
    page.locator("#ticket-size").fill("0.01")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.01 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")
    expect(page.get_by_test_id("position-BTC-USD")).to_contain_text("long")
    with signed_in_as(page) as api:  # the order went to the tournament's account, not practice
        (held,) = api.get("/positions", params={"account_id": switcher.input_value()}).json()
        assert (held["market"], held["size"]) == ("BTC-USD", "0.01"), held
        assert api.get("/positions", params={"account_id": _account(api)}).json() == []
    switcher.select_option(label="Practice")
    expect(page.get_by_test_id("position-BTC-USD")).to_have_count(0)
    page.get_by_role("link", name="Tournaments").click()
    page.get_by_role("button", name=f"Board of {running['name']}").click()
    expect(page.get_by_test_id("tournament-board-title")).to_have_text(
        f"{running['name']}: board (live)"
    )
