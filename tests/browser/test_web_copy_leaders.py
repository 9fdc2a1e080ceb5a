"""Copy trading's leader screens in real Chromium against the real server: eleven leaders
(twenty closes each, level 3 by their XP, as tests/e2e/test_copy_leaders.py reaches it) fill
the directory; every sort button shows the leaders in the API's order, "More leaders" pages
on with the cursor, each row has its statistics and a small growth chart of a point a close;
a leader's page shows their statistics, the larger chart (30 and 90 days) and the copy form.
A new trader's opt-in is refused with the API's message naming the conditions missed; once
they have twenty closes, they lead, change their share and stop leading from the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from e2e.conftest import Admin, Server, Trader, create_trader, eventually, new_admin

from .conftest import DESKTOP, PHONE, screenshot, sign_up
from .test_web_live_boards import _until
from .test_web_trading_journey import signed_in_as

LEADERS = 11  # one more than the directory's page of 10
CLOSES = 20
SORT_BUTTONS = {  # the default (ROI 30d) last: pressed first, it would change nothing
    "ROI 7d": "roi_7d",
    "ROI 90d": "roi_90d",
    "Lowest drawdown": "max_drawdown_30d",
    "Win rate": "win_rate",
    "Longest hold": "average_hold",
    "Copiers": "copiers",
    "Allocated": "allocated",
    "Share earned": "profit_share_earned",
    "ROI 30d": "roi_30d",
}


def twenty_closes(admin: Admin, traders: list[Any]) -> None:
    """Twenty ETH round trips each, the same marks for all; sides and sizes differ by trader
    so that their ROI, drawdown and win rate differ. `traders`: Trader or httpx.Client."""
    for n in range(CLOSES):
        admin.set_price("ETH-USD", "3000")
        sides = []
        for i, trader in enumerate(traders):
            side = "buy" if (n * (i + 1)) % 4 < 2 else "sell"
            sides.append(side)
            trade(trader, side, f"{0.1 + 0.05 * i:.2f}")
        admin.set_price("ETH-USD", "3030" if n % 2 == 0 else "2970")
        for i, trader in enumerate(traders):
            trade(trader, "sell" if sides[i] == "buy" else "buy", f"{0.1 + 0.05 * i:.2f}")


def trade(trader: Any, side: str, size: str) -> None:
    if isinstance(trader, Trader):
        trader.market(side, size, market="ETH-USD")
        return
    (practice,) = [a for a in trader.get("/accounts").json() if a["kind"] == "practice"]
    order = {"account_id": practice["account_id"], "market": "ETH-USD", "type": "market"}
    response = trader.post("/orders", json={**order, "side": side, "size": size})
    assert response.status_code == 201, response.text


def at_level_3(api: Any) -> None:
    progression = eventually(lambda: api.get("/progression/me").json(), lambda p: p["level"] >= 3)
    assert progression["level"] >= 3, progression


@pytest.fixture(scope="module")
def admin(server: Server) -> Iterator[Admin]:
    user = Admin(server, new_admin(server), "")
    user.reset_prices()
    yield user
    user.close()


@pytest.fixture(scope="module")
def leaders(server: Server, admin: Admin) -> Iterator[list[Trader]]:
    made = [create_trader(server, f"lead{n}") for n in range(LEADERS)]
    twenty_closes(admin, made)
    for leader in made:
        at_level_3(leader)
        led = eventually(
            lambda leader=leader: leader.post("/leaders/me", json={}),
            lambda r: r.status_code == 200,
        )
        assert led.status_code == 200, led.text
    yield made
    for leader in made:
        leader.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP, device_scale_factor=1, color_scheme="dark")
    made.set_default_timeout(10_000)
    yield made
    made.close()


def api_order(api: httpx.Client, sort: str, limit: int) -> list[str]:
    response = api.get("/leaders", params={"sort": sort, "limit": limit})
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["items"]]


def shown(page: Page) -> list[str]:
    return [row.get_attribute("data-username") or "" for row in rows(page).all()]


def rows(page: Page) -> Locator:
    return page.get_by_test_id("leader-row")


def test_directory_sorts_pages_and_opens_a_leaders_page(
    desktop: BrowserContext, server: Server, leaders: list[Trader]
) -> None:
    page = desktop.new_page()
    sign_up(page, server, f"viewer{leaders[0].username[-8:]}")
    api = signed_in_as(page)
    page.get_by_role("link", name="Social").click()
    page.get_by_role("link", name="Leaders", exact=True).click()
    expect(rows(page)).to_have_count(10)
    assert shown(page) == api_order(api, "roi_30d", 10)
    page.get_by_role("button", name="More leaders").click()
    expect(rows(page)).to_have_count(LEADERS)
    assert shown(page) == api_order(api, "roi_30d", 100)
    expect(page.get_by_role("button", name="More leaders")).to_have_count(0)

    for label, sort in SORT_BUTTONS.items():
        page.get_by_role("button", name=label, exact=True).click()
        expect(page.get_by_role("button", name=label, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        first = api_order(api, sort, 10)
        _until(page, lambda first=first: shown(page) == first)  # the page before goes

    top = rows(page).first
    expect(top.get_by_test_id("equity-chart")).to_have_attribute("data-points", str(CLOSES))
    expect(top.locator("canvas").first).to_be_visible()
    username = top.get_attribute("data-username") or ""
    leader = api.get(f"/leaders/{username}").json()
    expect(top.get_by_test_id("figure-win-rate")).to_have_text(
        percent(leader["statistics"]["win_rate"])
    )
    screenshot(page, "copy-leaders-1280")

    top.get_by_role("link", name=f"@{username}").click()
    leader_page = page.get_by_test_id("leader-page")
    expect(leader_page).to_contain_text(f"@{username}")
    expect(leader_page.get_by_test_id("figure-roi-30d")).to_have_text(
        percent(leader["statistics"]["roi_30d"])
    )
    expect(leader_page.get_by_test_id("figure-closed")).to_have_text(str(CLOSES))
    expect(leader_page.get_by_test_id("figure-profit-share")).to_have_text("10%")
    expect(leader_page.get_by_test_id("equity-chart")).to_have_attribute("data-points", str(CLOSES))
    leader_page.get_by_role("button", name="90 days").click()
    expect(leader_page.get_by_test_id("equity-chart")).to_have_attribute("data-points", str(CLOSES))
    expect(leader_page.get_by_test_id("figure-allocated")).to_have_text("$0.00")  # no copies yet
    for balance in ("$9,", "$10,"):  # the leader's own balance (about $10,000) never shows
        expect(leader_page).not_to_contain_text(balance)
    form = page.get_by_test_id("copy-form")
    expect(form.get_by_label("Maximum loss (% of the allocation)")).to_have_value("50")
    expect(form.get_by_label("Allocation (USD)")).to_be_visible()
    expect(form.get_by_test_id("copy-available")).to_contain_text("$10,000.00")
    form.get_by_label("Allocation (USD)").fill("50")
    form.get_by_role("button", name="Copy", exact=True).click()
    expect(form.get_by_test_id("copy-error")).to_have_text("The allocation is at least $100.")
    screenshot(page, "copy-leader-page-1280")
    api.close()


def test_opt_in_refused_then_lead_change_share_and_stop(
    browser: Browser, server: Server, admin: Admin, leaders: list[Trader]
) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, color_scheme="dark")
    context.set_default_timeout(10_000)
    page = context.new_page()
    username = f"lea{leaders[0].username[-8:]}"
    sign_up(page, server, username)
    api = signed_in_as(page)
    page.goto(f"{server.base_url}/#/leading")
    opt_in = page.get_by_test_id("lead-opt-in")
    expect(opt_in.get_by_label("Profit share (% of copiers' new profit)")).to_have_value("10")
    opt_in.get_by_role("button", name="Start leading").click()
    refusal = opt_in.get_by_test_id("lead-error")
    expect(refusal).to_contain_text("level is 1, at least 3 is needed")
    expect(refusal).to_contain_text("0 closed positions, at least 20 are needed")

    twenty_closes(admin, [api])
    at_level_3(api)
    opt_in.get_by_label("Profit share (% of copiers' new profit)").fill("15")
    dashboard = page.get_by_test_id("leading-dashboard")
    for _attempt in range(20):  # copy trading's read models follow the closes a moment later
        opt_in.get_by_role("button", name="Start leading").click()
        try:
            expect(dashboard).to_be_visible(timeout=1_000)
            break
        except AssertionError:
            continue
    expect(dashboard).to_contain_text(f"You lead as @{username}")
    expect(dashboard.get_by_test_id("figure-profit-share")).to_have_text("15%")
    expect(dashboard.get_by_test_id("figure-closed")).to_have_text(str(CLOSES))
    expect(dashboard.get_by_test_id("equity-chart")).to_have_attribute("data-points", str(CLOSES))

    # A copier arrives: the dashboard counts them live, from the `leader` channel.
    expect(dashboard.get_by_test_id("figure-copiers")).to_have_text("0")
    copier = leaders[1]
    assert copier.put("/subscription", json={"plan": "pro"}).status_code == 200
    opened = eventually(
        lambda: copier.post("/copies", json={"leader": username, "allocation": "500"}),
        lambda r: r.status_code == 201,  # once copy trading has seen the Pro plan
    )
    assert opened.status_code == 201, opened.text
    expect(dashboard.get_by_test_id("figure-copiers")).to_have_text("1")

    share = page.get_by_role("region", name="Profit share")
    share.get_by_label("Profit share (% of copiers' new profit)").fill("5")
    share.get_by_role("button", name="Change share").click()
    expect(share.get_by_role("status")).to_have_text("Profit share 5%.")
    expect(dashboard.get_by_test_id("figure-profit-share")).to_have_text("5%")
    assert api.get(f"/leaders/{username}").json()["profit_share"] == "0.05"
    share.get_by_label("Profit share (% of copiers' new profit)").fill("25")
    share.get_by_role("button", name="Change share").click()
    expect(share.get_by_test_id("lead-error")).to_have_text("The profit share is from 0 to 20 %.")
    screenshot(page, "copy-leading-360")

    page.goto(f"{server.base_url}/#/leaders/{username}")  # one's own page: no copy form
    expect(page.get_by_test_id("leader-own")).to_contain_text("This is you")
    expect(page.get_by_test_id("copy-form")).to_have_count(0)
    page.get_by_role("link", name="your leader dashboard").click()

    page.get_by_role("button", name="Stop leading").click()
    page.get_by_role("button", name="Stop leading now").click()
    expect(page.get_by_test_id("lead-opt-in")).to_be_visible()
    assert api.get(f"/leaders/{username}").status_code == 404
    api.close()
    context.close()


def percent(fraction: str) -> str:
    """As the client's `percent` shows a fraction: two decimals, grouped, with %."""
    shown = (Decimal(fraction) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{shown:,}%"
