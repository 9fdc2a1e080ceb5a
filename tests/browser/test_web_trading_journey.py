"""A newcomer's first trade in the web client, in real Chromium against the real server:
sign up, place a 5x long, watch the P&L move with the price, close, and see the XP and the
leaderboard update; screenshots at 360 px and 1280 px go to test-artifacts/."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import API, Admin, Server, eventually, taker_price, unique_name

from .conftest import DESKTOP, screenshot, sign_up

SIZE = Decimal("0.1")


def usd(amount: Decimal) -> str:
    """The client's money format: sign, $, grouped, 2 decimals."""
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}${abs(amount).quantize(Decimal('0.01')):,}"


def signed_in_as(page: Page) -> httpx.Client:
    """An HTTP client with the browser's own token: the screen is checked against the API."""
    tokens = json.loads(page.evaluate("localStorage.getItem('astratrade.tokens')"))
    base = page.url.split("/#")[0].rstrip("/")
    return httpx.Client(
        base_url=base + API,
        timeout=10,
        headers={"authorization": f"Bearer {tokens['access_token']}"},
    )


def test_sign_up_trade_5x_watch_pnl_close_and_climb(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    username = unique_name("web")
    sign_up(page, server, username)
    expect(page.get_by_test_id("mark-BTC-USD")).to_have_text("60,000.0")

    page.locator("#ticket-size").fill(str(SIZE))
    slider = page.locator("#ticket-leverage")
    slider.focus()  # the keyboard sets the leverage: Home is 1x, each arrow one step
    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("leverage-value")).to_have_text("5x")
    expect(page.get_by_test_id("leverage-cap")).to_contain_text("Capped at 10x")
    expect(page.get_by_test_id("estimate-margin")).to_have_text("$1,200.00")  # 6000 / 5
    expect(page.get_by_test_id("estimate-fee")).to_have_text("$1.50")  # 0.025% of 6000
    page.get_by_role("button", name=re.compile(r"^Buy 0\.1 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")

    entry = taker_price("buy", SIZE, Decimal(60000))
    position = page.get_by_test_id("position-BTC-USD")
    expect(position).to_contain_text("5x")
    pnl = page.get_by_test_id("pnl-BTC-USD")
    expect(pnl).to_have_text(usd(SIZE * (Decimal(60000) - entry)))
    screenshot(page, "trade-360-open-position")

    admin.set_price("BTC-USD", "61000")  # over the WebSocket to the screen
    expect(page.get_by_test_id("mark-BTC-USD")).to_have_text("61,000.0")
    expect(pnl).to_have_text(usd(SIZE * (Decimal(61000) - entry)))

    page.get_by_role("button", name="Close BTC-USD position").click()
    expect(position).to_have_count(0)
    with signed_in_as(page) as api:
        assert api.get("/positions", params={"account_id": _account(api)}).json() == []
        progression = _wait_for_xp(api)

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_test_id("xp")).to_have_text(f"{progression['xp']} XP")
    expect(page.get_by_test_id("level")).to_have_text(str(progression["level"]))
    expect(page.get_by_test_id("earned-FIRST_TRADE")).to_be_visible()
    expect(page.get_by_text("Trade count, size and leverage earn nothing")).to_be_visible()
    screenshot(page, "progress-360")

    page.get_by_role("link", name="Leaderboards").click()
    me = page.get_by_test_id("board-top").locator("tr.me")
    expect(me).to_contain_text(f"{username} (you)")
    expect(me).to_contain_text(str(progression["xp"]))
    screenshot(page, "leaderboards-360")

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Portfolio").click()
    expect(page.get_by_test_id("margin-gauge")).to_be_visible()
    screenshot(page, "portfolio-1280")
    page.get_by_role("link", name="Trade").click()
    expect(page.get_by_test_id("mark-BTC-USD")).to_have_text("61,000.0")
    page.wait_for_selector(".chart canvas")
    screenshot(page, "trade-1280")

    page.get_by_role("button", name="Log out").click()  # a returning user: "Log in" first
    expect(page.get_by_role("tab", name="Log in")).to_have_attribute("aria-selected", "true")


def _account(api: httpx.Client) -> str:
    (practice,) = [a for a in api.get("/accounts").json() if a["kind"] == "practice"]
    account_id: str = practice["account_id"]
    return account_id


def _wait_for_xp(api: httpx.Client) -> dict[str, Any]:
    progression: dict[str, Any] = eventually(
        lambda: api.get("/progression/me").json(), lambda p: p["xp"] > 0
    )
    assert progression["xp"] > 0, progression
    return progression
