"""Sessions in the client: a session ended elsewhere (logout everywhere, a password change)
lands on the login form with a short message (never a dead screen); two tabs share one
refresh and stay signed in past the access token's lifetime, even when one tab's storage
lags behind the other's rotation; a returning user's form opens on "Log in"; the header and
tabs fit from 320 px up, and the chart's attribution link has a name."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import BrowserContext, Page, Request, expect

from e2e.conftest import PASSWORD, Admin, Server, make_client, unique_name

from .conftest import screenshot, sign_up

ENDED = "Your session has ended"
ACCESS_MINUTES = 15  # the access token's lifetime (docs/security-rules.md)


def log_out_everywhere(server: Server, username: str) -> None:
    """What another device does: log in, then end every session of the trader."""
    with make_client(server) as client:
        tokens = client.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert tokens.status_code == 200, tokens.text
        bearer = {"authorization": f"Bearer {tokens.json()['access_token']}"}
        ended = client.post("/auth/logout-all", headers=bearer)
        assert ended.status_code == 204, ended.text


def change_password_elsewhere(server: Server, username: str) -> None:
    with make_client(server) as client:
        tokens = client.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert tokens.status_code == 200, tokens.text
        changed = client.post(
            "/auth/password",
            headers={"authorization": f"Bearer {tokens.json()['access_token']}"},
            json={"current_password": PASSWORD, "new_password": PASSWORD + " and more"},
        )
        assert changed.status_code == 200, changed.text


def expect_login_form(page: Page, notice: bool) -> None:
    expect(page.get_by_role("tab", name="Log in")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Username or email")).to_be_visible()
    if notice:
        expect(page.get_by_test_id("session-notice")).to_contain_text(ENDED)
    else:
        expect(page.get_by_test_id("session-notice")).to_have_count(0)


def log_in(page: Page, username: str) -> None:
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("header-equity")).to_have_text("$10,000.00")


def test_an_ended_session_lands_on_the_login_form(page: Page, server: Server) -> None:
    username = unique_name("ended")
    sign_up(page, server, username)

    log_out_everywhere(server, username)  # while the page is open: its socket or next request
    # learns it, whichever comes first; a click could land on a link the form just replaced
    page.evaluate("location.hash = '#/boards'")
    expect_login_form(page, notice=True)
    log_in(page, username)

    log_out_everywhere(server, username)  # while the tab sleeps: reopened, it says so at once
    page.reload()
    expect_login_form(page, notice=True)
    expect(page.get_by_text("missing bearer token")).to_have_count(0)
    log_in(page, username)

    page.get_by_role("button", name="Log out").click()  # their own logout: no notice
    expect_login_form(page, notice=False)
    log_in(page, username)

    change_password_elsewhere(server, username)  # every other session ends with it
    page.evaluate("location.hash = '#/progress'")
    expect_login_form(page, notice=True)


def test_two_tabs_stay_signed_in_past_the_access_token_lifetime(
    context: BrowserContext, server: Server, admin: Admin
) -> None:
    refreshes: list[str] = []
    context.on("request", lambda r: _is_refresh(r) and refreshes.append(r.url))
    context.clock.install()  # both tabs' timers, fast-forwarded together
    first = context.new_page()
    sign_up(first, server, unique_name("tabs"))
    second = context.new_page()
    second.goto(server.base_url + "/")
    expect(second.get_by_test_id("header-equity")).to_have_text("$10,000.00")
    stored = "JSON.parse(localStorage.getItem('astratrade.tokens')).refresh_token"
    signed_in_with = first.evaluate(stored)

    admin.clock(advance_seconds=13 * 60)  # the server's time: 2 minutes of the pair left
    context.clock.fast_forward("13:00")  # each tab's refresh is due (at 80% of 15 minutes)
    first.wait_for_function(f"{stored} !== {signed_in_with!r}")
    admin.clock(advance_seconds=5 * 60)  # 18 minutes: the first access token has expired

    for page in (first, second):  # each tab reads with the pair the other rotated
        page.get_by_role("link", name="Leaderboards").click()
        expect(page.get_by_test_id("board-me")).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        assert page.evaluate(stored) == first.evaluate(stored)
    assert len(refreshes) == 1, refreshes  # one tab refreshed, the other adopted its pair


def test_a_tab_whose_storage_lags_adopts_the_pair_another_tab_rotated(
    context: BrowserContext, server: Server, admin: Admin
) -> None:
    """Both tabs' refreshes wait on the lock, so the second takes it the moment the first
    lets go. Each tab's localStorage is a cache of its own that catches up a moment later
    (here: held back in the second tab): the second must still find the pair just rotated
    and adopt it, not present the old refresh token, whose reuse would end the login."""
    refreshes: list[int] = []
    context.on("response", lambda r: _is_refresh(r.request) and refreshes.append(r.status))
    context.clock.install()
    first = context.new_page()
    sign_up(first, server, unique_name("lagging"))
    second = context.new_page()
    second.goto(server.base_url + "/")
    expect(second.get_by_test_id("header-equity")).to_have_text("$10,000.00")
    stored = "JSON.parse(localStorage.getItem('astratrade.tokens')).refresh_token"
    signed_in_with = first.evaluate(stored)

    second.evaluate(STORAGE_HELD_BACK)
    first.evaluate(REFRESH_LOCK_HELD)  # both tabs' due refreshes queue behind it
    admin.clock(advance_seconds=13 * 60)
    context.clock.fast_forward("13:00")
    first.wait_for_function("navigator.locks.query().then(q => q.pending.length === 2)")
    first.evaluate("window.releaseRefreshLock()")
    first.wait_for_function(f"{stored} !== {signed_in_with!r}")
    second.evaluate("window.storageCaughtUp()")
    admin.clock(advance_seconds=5 * 60)  # the first access token has expired
    admin.login()

    for page in (first, second):
        page.get_by_role("link", name="Leaderboards").click()
        expect(page.get_by_test_id("board-me")).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert refreshes == [200], refreshes  # one rotation, and no reuse of the old token


REFRESH_LOCK_HELD = """() => new Promise(held => navigator.locks.request(
    "astratrade.refresh", () => new Promise(release => {
        window.releaseRefreshLock = release;
        held();
    })))"""
# This tab's localStorage answers with the pair as it was until storageCaughtUp().
STORAGE_HELD_BACK = """() => {
    const getItem = Storage.prototype.getItem;
    const then = localStorage.getItem("astratrade.tokens");
    Storage.prototype.getItem = function (key) {
        return key === "astratrade.tokens" ? then : getItem.call(this, key);
    };
    window.storageCaughtUp = () => { Storage.prototype.getItem = getItem; };
}"""


def _is_refresh(request: Request) -> bool:
    return request.url.endswith("/auth/refresh")


def test_header_and_tabs_fit_at_320_390_and_1440(page: Page, server: Server) -> None:
    sign_up(page, server, unique_name("fit"))
    page.wait_for_selector(".chart canvas")
    attribution = page.get_by_role("link", name=re.compile("TradingView"))
    expect(attribution).to_have_count(1)
    for width in (320, 390, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        logout = page.get_by_role("button", name="Log out")
        box = logout.bounding_box()
        assert box is not None
        assert box["height"] <= 44, (width, box)  # one line
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        tabs = page.locator(".tab").evaluate_all("""tabs => tabs.map(t => {
            const r = t.getBoundingClientRect();
            const label = [...t.children].find(c => getComputedStyle(c).display !== 'none');
            return {left: r.left, right: r.right, fits: label.offsetWidth <= t.clientWidth};
        })""")
        assert all(t["fits"] for t in tabs), (width, tabs)
        assert all(a["right"] <= b["left"] + 0.5 for a, b in itertools.pairwise(tabs)), tabs
        expect(page.get_by_label("Account")).to_be_visible()
        screenshot(page, f"header-{width}")
    page.get_by_label("Account").focus()  # the keyboard reaches Log out next, visibly focused
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log out")).to_be_focused()
    outline = page.get_by_role("button", name="Log out").evaluate(
        "b => getComputedStyle(b).outlineStyle"
    )
    assert outline == "solid"
