"""A copy, live, in real Chromium against the real server: a copier on the Pro plan opens a
copy from the leader directory (the leader's page, its copy form); the copy page goes live
on `copy:<id>`; the leader trades and, without a reload (the page polls only while the
channel is not delivering), the `copied` decision and the copy's position appear; "Stop
copy" shows the status go stopping then closed, the money returned to the practice
account."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.conftest import Admin, Server, Trader, create_trader, eventually, new_admin

from .conftest import DESKTOP, screenshot, sign_up
from .test_web_copy_leaders import at_level_3, twenty_closes
from .test_web_trading_journey import signed_in_as

LIVE_MS = 5_000  # well inside the 10 s a page that polls would take

# Every text the copy's status shows, in order (the status changes faster than a check of
# the page could catch both).
WATCH_STATUS = """() => {
  window.__statuses = [];
  const note = () => {
    const found = document.querySelector('[data-testid="copy-status"]');
    const text = found ? found.textContent : null;
    const seen = window.__statuses;
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  };
  note();
  const all = { subtree: true, childList: true, characterData: true };
  new MutationObserver(note).observe(document.body, all);
}"""


@pytest.fixture(scope="module")
def admin(server: Server) -> Iterator[Admin]:
    user = Admin(server, new_admin(server), "")
    user.reset_prices()
    yield user
    user.close()


@pytest.fixture(scope="module")
def leader(server: Server, admin: Admin) -> Iterator[Trader]:
    made = create_trader(server, "lead")
    twenty_closes(admin, [made])
    at_level_3(made)
    led = eventually(lambda: made.post("/leaders/me", json={}), lambda r: r.status_code == 200)
    assert led.status_code == 200, led.text
    admin.set_price("BTC-USD", "60000")
    yield made
    made.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP, device_scale_factor=1, color_scheme="dark")
    made.set_default_timeout(10_000)
    yield made
    made.close()


def open_copy(page: Page, leader: Trader, allocation: str) -> None:
    """From the directory to the leader's page and its copy form; sent again while copy
    trading has not yet seen the Pro plan (its read model follows a moment later)."""
    page.get_by_role("link", name="Social").click()
    page.get_by_role("link", name="Leaders", exact=True).click()
    row = page.get_by_test_id("leader-row").filter(has_text=f"@{leader.username}")
    row.get_by_role("link", name=f"@{leader.username}").click()
    form = page.get_by_test_id("copy-form")
    form.get_by_label("Allocation (USD)").fill(allocation)
    for _attempt in range(20):
        form.get_by_role("button", name="Copy", exact=True).click()
        try:
            expect(page.get_by_test_id("copy-page")).to_be_visible(timeout=1_000)
            return
        except AssertionError:
            continue
    expect(page.get_by_test_id("copy-page")).to_be_visible()


def test_a_copy_follows_the_leader_live_and_stops(
    desktop: BrowserContext, server: Server, leader: Trader
) -> None:
    page = desktop.new_page()
    sign_up(page, server, f"cop{leader.username[-8:]}")
    api = signed_in_as(page)
    assert api.put("/subscription", json={"plan": "pro"}).status_code == 200

    open_copy(page, leader, "1000")
    copy_page = page.get_by_test_id("copy-page")
    expect(copy_page.get_by_test_id("copy-status")).to_have_text("active")
    expect(copy_page.get_by_test_id("copy-equity")).to_have_text("$1,000.00")
    expect(copy_page.get_by_test_id("copy-live")).to_be_visible()  # the channel answered
    decisions = page.get_by_test_id("decision")
    expect(decisions.and_(page.locator('[data-kind="funded"]'))).to_have_count(1)
    expect(page.get_by_test_id("copy-position")).to_have_count(0)
    copy_id = page.url.rsplit("/", 1)[-1]
    (practice,) = [a for a in api.get("/accounts").json() if a["kind"] == "practice"]
    before = Decimal(practice["collateral"])

    leader.market("buy", "0.5")
    copied = decisions.and_(page.locator('[data-kind="copied"]'))
    expect(copied).to_have_count(1, timeout=LIVE_MS)
    expect(copied).to_contain_text("open buy")
    expect(copied).to_contain_text("BTC-USD")
    position = page.get_by_test_id("copy-position")
    expect(position).to_have_count(1, timeout=LIVE_MS)
    expect(position).to_contain_text("BTC-USD")
    expect(position).to_contain_text("long")
    (held,) = api.get(f"/copies/{copy_id}").json()["account"]["positions"]
    assert held["market"] == "BTC-USD"
    screenshot(page, "copy-live-1280")

    page.evaluate(WATCH_STATUS)
    page.get_by_role("button", name="Stop copy", exact=True).click()
    page.get_by_role("button", name="Stop copy now").click()
    expect(copy_page.get_by_test_id("copy-status")).to_have_text("closed", timeout=LIVE_MS)
    assert page.evaluate("window.__statuses") == ["active", "stopping", "closed"]
    expect(decisions.and_(page.locator('[data-kind="stopping"]'))).to_have_count(1)
    expect(decisions.and_(page.locator('[data-kind="closed_copy"]'))).to_have_count(1)
    expect(page.get_by_test_id("copy-position")).to_have_count(0)
    closed = api.get(f"/copies/{copy_id}").json()
    returned = Decimal(closed["returned"])
    assert Decimal(900) < returned <= Decimal(1000)
    expect(copy_page.get_by_test_id("copy-returned")).to_have_text(f"${returned:,.2f}")
    back = eventually(
        lambda: Decimal(
            next(a for a in api.get("/accounts").json() if a["kind"] == "practice")["collateral"]
        ),
        lambda collateral: collateral == before + returned,
    )
    assert back == before + returned
    screenshot(page, "copy-stopped-1280")
    api.close()
