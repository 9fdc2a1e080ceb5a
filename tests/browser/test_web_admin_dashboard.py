"""The admin dashboard in Chromium: an admin opens it from the header and reads the API's
numbers (tiles, each day's and each market's figures, retention by cohort) beside the
charts; a trader sees no link to it, and opening its address shows a refusal without asking
the API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from playwright.sync_api import BrowserContext, Page, Request, expect

from e2e.conftest import PASSWORD, Admin, Server, Trader, eventually

from .conftest import PHONE, screenshot

DASHBOARD = "Platform dashboard (admins)"


def usd(value: str) -> str:
    """The client's display of a dollar amount: grouped, 2 decimals, half away from 0."""
    return f"${Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def log_in(page: Page, server: Server, username: str) -> None:
    page.goto(server.base_url + "/")
    page.get_by_role("tab", name="Log in").click()
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("header-equity")).to_be_visible()


def test_the_admin_reads_the_apis_numbers_and_a_trader_does_not_see_it(
    context: BrowserContext, server: Server, admin: Admin, admin_name: str, new_trader: Any
) -> None:
    trader: Trader = new_trader("dash")
    admin.reset_prices()
    trader.market("buy", "0.01")

    def report() -> dict[str, Any]:
        body: dict[str, Any] = admin.get("/admin/analytics").json()
        return body

    found = eventually(report, lambda b: b["days"][-1]["active_traders"]["daily"] >= 1)
    today = found["days"][-1]
    assert today["markets"], today

    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, server, admin_name)
    page.get_by_role("link", name=DASHBOARD).click()
    expect(page.get_by_role("heading", name="Platform dashboard")).to_be_visible()

    expect(page.get_by_test_id("tile-dau")).to_have_text(str(today["active_traders"]["daily"]))
    expect(page.get_by_test_id("tile-wau")).to_have_text(str(today["active_traders"]["weekly"]))
    expect(page.get_by_test_id("tile-mau")).to_have_text(str(today["active_traders"]["monthly"]))
    expect(page.get_by_test_id("tile-mrr")).to_have_text(usd(today["mrr"]))
    row = page.locator(f"[data-testid=day-row][data-day='{today['day']}']")
    expect(row.get_by_test_id("sign-ups")).to_have_text(str(today["sign_ups"]))
    expect(row.get_by_test_id("dau")).to_have_text(str(today["active_traders"]["daily"]))
    expect(row.get_by_test_id("volume")).to_have_text(usd(today["volume"]))
    expect(row.get_by_test_id("fees")).to_have_text(usd(today["fees"]))
    expect(page.get_by_test_id("day-row")).to_have_count(len(found["days"]))
    for market in today["markets"]:
        cells = page.locator(
            f"[data-testid=market-row][data-day='{today['day']}'][data-market='{market['market']}']"
        )
        expect(cells.get_by_test_id("volume")).to_have_text(usd(market["volume"]))
        expect(cells.get_by_test_id("fees")).to_have_text(usd(market["fees"]))
    cohorts = page.get_by_test_id("cohort-row")
    expect(cohorts).to_have_count(len(found["retention"]))
    for cohort in found["retention"]:
        cells = page.locator(f"[data-testid=cohort-row][data-week='{cohort['week']}']")
        expect(cells.get_by_test_id("cohort-size")).to_have_text(str(cohort["sign_ups"]))
    # The four charts, drawn by the charting library (a canvas each).
    expect(page.locator(".daily-chart")).to_have_count(4)
    expect(page.locator(".daily-chart canvas").first).to_be_visible()
    expect(page.locator(".daily-chart figcaption").nth(1)).to_contain_text("DAU")
    screenshot(page, "admin-dashboard-1280")
    page.set_viewport_size(PHONE)  # on a phone the page does not scroll sideways
    expect(page.get_by_test_id("tile-dau")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "admin-dashboard-360")

    asked: list[str] = []
    theirs = context.browser.new_context()  # type: ignore[union-attr]
    try:
        other = theirs.new_page()
        other.on("request", lambda r: asked.append(_path(r)))
        log_in(other, server, trader.username)
        expect(other.get_by_role("link", name=DASHBOARD)).to_have_count(0)
        other.goto(server.base_url + "/#/admin")
        expect(other.get_by_test_id("dashboard-refused")).to_be_visible()
        assert not [path for path in asked if "/admin/analytics" in path], asked
    finally:
        theirs.close()


def _path(request: Request) -> str:
    return request.url
