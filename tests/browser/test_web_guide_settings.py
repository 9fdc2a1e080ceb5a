"""A newcomer's guide (once per user on the device, again from Help), the layout at 320, 390
and 1440 px, the settings screen (theme by the system or chosen, the practice faucet, the
daily loss limit with the API's rules and its refusal in plain words), and the portfolio's
history tabs listing what the API lists, funding included (the manual clock moves an hour:
this module's last test)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, eventually, unique_name

from .conftest import screenshot, sign_up
from .test_web_trading_journey import _account, signed_in_as

DARK_BG, LIGHT_BG = "rgb(13, 19, 33)", "rgb(244, 246, 250)"


def test_the_guide_shows_once_and_the_screens_fit(page: Page, server: Server) -> None:
    sign_up(page, server, unique_name("guide"))
    guide = page.get_by_test_id("guide")
    for step, title in enumerate(("Long or short", "Leverage", "Liquidation", "Stop-loss"), 1):
        expect(guide.get_by_role("heading")).to_have_text(
            f"Your first trade · step {step} of 4: {title}"
        )
        if step == 1:
            for width in (320, 390, 1440):  # the trade screen, guide and ticket fit
                page.set_viewport_size({"width": width, "height": 800})
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                screenshot(page, f"trade-guide-{width}")
            page.set_viewport_size({"width": 390, "height": 800})
        guide.get_by_role("button", name="Start trading" if step == 4 else "Next").click()
    expect(guide).to_have_count(0)
    page.reload()  # remembered on this device
    expect(page.get_by_test_id("header-equity")).to_have_text("$10,000.00")
    expect(page.get_by_test_id("market-BTC-USD")).to_be_visible()
    expect(guide).to_have_count(0)
    page.get_by_role("button", name="Help: the guided first trade").click()
    expect(guide).to_contain_text("step 1 of 4")
    guide.get_by_role("button", name="Skip guide").click()
    expect(guide).to_have_count(0)

    for width in (320, 390, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        for screen in ("Portfolio", "Settings"):
            page.get_by_role("link", name=screen).click()
            expect(page.locator("main section").first).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (screen, width)
        screenshot(page, f"settings-{width}")


def test_settings_theme_faucet_and_daily_loss_limit(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    sign_up(page, server, unique_name("limits"))
    page.get_by_role("link", name="Settings").click()
    body = page.locator("html")
    expect(body).to_have_css("background-color", DARK_BG)  # the system's (dark) theme
    page.emulate_media(color_scheme="light")
    expect(body).to_have_css("background-color", LIGHT_BG)
    page.get_by_label("Dark").check()  # chosen here: it wins over the system's
    expect(body).to_have_css("background-color", DARK_BG)
    page.reload()
    expect(page.get_by_label("Dark")).to_be_checked()
    expect(body).to_have_css("background-color", DARK_BG)
    page.get_by_label("System (follows your device)").check()
    expect(body).to_have_css("background-color", LIGHT_BG)
    page.emulate_media(color_scheme="dark")

    page.get_by_label("Amount (USD)").fill("5000")
    page.get_by_role("button", name="Top up").click()
    expect(page.get_by_test_id("faucet-result")).to_have_text(
        "Top-up of $5,000.00 requested: it reaches your account within moments."
    )
    expect(page.get_by_test_id("header-equity")).to_have_text("$15,000.00")
    page.get_by_role("button", name="Top up").click()
    expect(page.get_by_test_id("faucet-result")).to_have_text(
        "The faucet has topped this account up today already: it opens again at 00:00 UTC."
    )

    page.get_by_label("New limit (USD)").fill("50")
    page.get_by_role("button", name="Set limit").click()
    expect(page.get_by_test_id("loss-limit")).to_have_text(
        "Limit $50.00 a day; today's realized losses $0.00."
    )
    with signed_in_as(page) as api:  # a loss of about $100 through the API
        account = _account(api)
        order = {"account_id": account, "market": "BTC-USD", "type": "market", "size": "0.1"}
        assert api.post("/orders", json={**order, "side": "buy"}).status_code == 201
        admin.set_price("BTC-USD", "59000")
        assert api.post("/orders", json={**order, "side": "sell"}).status_code == 201
        loss = Decimal(api.get(f"/accounts/{account}").json()["loss_today"])
    expect(page.get_by_test_id("loss-limit-reached")).to_be_visible()
    page.get_by_role("button", name="Remove limit").click()  # refused the day it is reached
    expect(page.get_by_test_id("loss-limit-result")).to_have_text(
        "Today's losses reached the daily loss limit: it can be lowered, but not raised or "
        "removed before 00:00 UTC."
    )
    page.get_by_label("New limit (USD)").fill("40")  # lowering is allowed
    page.get_by_role("button", name="Set limit").click()
    expect(page.get_by_test_id("loss-limit")).to_have_text(
        f"Limit $40.00 a day; today's realized losses ${loss:,.2f}."
    )

    page.get_by_role("link", name="Trade").click()
    page.get_by_role("button", name="Skip guide").click()
    page.locator("#ticket-size").fill("0.01")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.01 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_have_text(
        "You reached your $40 daily loss limit for today: only orders that reduce a position "
        "are accepted until 00:00 UTC."
    )


def test_history_tabs_list_what_the_api_lists(page: Page, server: Server, admin: Admin) -> None:
    admin.reset_prices()
    admin.set_price("BTC-USD", "60060", "60000")  # a premium of 0.001: longs pay
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    admin.clock(now=(hour + timedelta(seconds=30)).isoformat())  # the hour's first sample
    admin.login()
    sign_up(page, server, unique_name("books"))
    with signed_in_as(page) as api:
        account = _account(api)
        order = {"account_id": account, "market": "BTC-USD", "type": "market"}
        assert api.post("/orders", json={**order, "side": "buy", "size": "0.2"}).status_code == 201
        assert api.post("/orders", json={**order, "side": "sell", "size": "0.1"}).status_code == 201
        resting = {**order, "type": "limit", "side": "buy", "size": "0.01", "price": "50000"}
        placed = api.post("/orders", json=resting).json()
        assert api.delete(f"/orders/{placed['order_id']}").status_code == 200
    stored = "JSON.parse(localStorage.getItem('astratrade.tokens')).refresh_token"
    signed_in_with = page.evaluate(stored)
    admin.clock(now=(hour + timedelta(hours=1, seconds=30)).isoformat())  # funding is paid
    admin.login()
    # An hour on, the access token has expired: the socket closes and the page refreshes its
    # tokens; reloaded once it has, the page asks the API with the new pair.
    page.wait_for_function(f"{stored} !== {signed_in_with!r}")
    page.reload()
    page.get_by_role("link", name="Portfolio").click()
    with signed_in_as(page) as api:
        orders = api.get("/orders", params={"account_id": account, "limit": 100}).json()
        funding = eventually(
            lambda: [
                p
                for p in api.get("/ledger", params={"account_id": account}).json()["postings"]
                if p["kind"] == "funding"
            ],
            bool,
        )
    assert {o["status"] for o in orders} == {"filled", "cancelled"}, orders
    assert len(funding) == 1, funding

    rows = page.get_by_test_id("history-order")
    expect(rows).to_have_count(len(orders))
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.orderId)") == [
        o["order_id"] for o in orders
    ]
    expect(rows.filter(has_text="cancelled")).to_have_count(1)

    page.get_by_role("tab", name="Fills").click()
    fills = sorted((f for o in orders for f in o["fills"]), key=lambda f: f["at"], reverse=True)
    expect(page.get_by_test_id("history-fill")).to_have_count(len(fills))
    assert page.get_by_test_id("history-fill").evaluate_all(
        "rs => rs.map(r => r.dataset.fillId)"
    ) == [f["fill_id"] for f in fills]

    page.get_by_role("tab", name="Funding").press("Enter")
    funding_rows = page.get_by_test_id("history-funding")
    expect(funding_rows).to_have_count(1)
    paid = Decimal(funding[0]["amount"])
    expect(funding_rows).to_contain_text(f"-${-paid:,.2f} paid")
    row = page.get_by_test_id("position-BTC-USD")
    with signed_in_as(page) as api:
        (held,) = api.get("/positions", params={"account_id": account}).json()
    expect(row.get_by_test_id("funding-paid")).to_have_text(
        f"${Decimal(held['funding_paid']):,.2f}"
    )
    screenshot(page, "portfolio-history-360")
