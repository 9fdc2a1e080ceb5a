"""The social screens in real Chromium against the real server: two traders, one on a
360 px phone and one on a 1280 px desktop, follow each other from their profiles; one
closes a trade and shares it, the other sees it arrive in the home feed without a reload,
reacts (and changes the reaction) and comments. A post of markup shows as its characters
and runs nothing; reported, it is hidden from the admin's moderation queue."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from json import loads
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from e2e.conftest import PASSWORD, Admin, Server, eventually, unique_name

from .conftest import DESKTOP, PHONE, screenshot, sign_up
from .test_web_live_boards import _until
from .test_web_trading_journey import _account, signed_in_as

LIVE_MS = 5_000  # a third of the fallback poll's 15 s: only the WebSocket is that quick
FEED_EVENT = ("event", "feed")
MARKUP = '<script>window.ran = 1; alert(1)</script><img src=x onerror="window.ran = 1">'


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """A phone's and a desktop's, each a fresh profile; and one more desktop's."""
    made = [
        browser.new_context(viewport=size, device_scale_factor=1, color_scheme="dark")
        for size in (PHONE, DESKTOP, DESKTOP)
    ]
    for context in made:
        context.set_default_timeout(10_000)
    yield made
    for context in made:
        context.close()


def test_follow_share_live_react_comment_and_markup_as_text(
    contexts: list[BrowserContext], server: Server, admin: Admin, admin_name: str
) -> None:
    admin.reset_prices()
    ann_page, bob_page = contexts[0].new_page(), contexts[1].new_page()
    dialogs: list[str] = []  # an alert() anywhere would land here
    frames: list[dict[str, Any]] = []  # what Bob's WebSocket received
    for page in (ann_page, bob_page):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    bob_page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(loads(f))))
    ann, bob = unique_name("ann"), unique_name("bob")
    sign_up(ann_page, server, ann)
    sign_up(bob_page, server, bob)
    ann_api, bob_api = signed_in_as(ann_page), signed_in_as(bob_page)
    for api in (ann_api, bob_api):  # the profile opens a moment after sign-up
        eventually(lambda api=api: api.get("/profiles/me").status_code, lambda s: s == 200)

    for page, other in ((ann_page, bob), (bob_page, ann)):
        page.goto(f"{server.base_url}/#/profile/{other}")
        expect(page.get_by_test_id("profile")).to_contain_text(f"@{other}")
        page.get_by_role("button", name="Follow", exact=True).click()
        expect(page.get_by_test_id("follow-state")).to_have_text("Following")
        expect(page.get_by_test_id("followers-count")).to_have_text("1 follower")
        fits(page, f"social-profile-{page.viewport_size['width']}")  # type: ignore[index]
    expect(bob_page.get_by_test_id("profile")).to_contain_text("follows you")  # Ann went first

    bob_page.get_by_role("link", name="Social").click()
    expect(bob_page.get_by_test_id("post-list")).to_be_visible()
    _until(bob_page, lambda: any(f.get("channel") == "feed" for f in frames))
    bob_page.evaluate("window.notReloaded = true")

    position = close_a_trade(ann_api)
    ann_page.get_by_role("link", name="Social").click()
    ann_page.get_by_label("Share an idea or a trade").fill("Closed my $BTC long at the level")
    ann_page.get_by_role("button", name="Attach a closed trade").click()
    ann_page.get_by_test_id("closed-trade").first.click()
    ann_page.get_by_role("button", name="Post", exact=True).click()
    expect(post_by(ann_page, "Closed my $BTC long")).to_be_visible()

    shared = post_by(bob_page, "Closed my $BTC long")
    expect(shared).to_be_visible(timeout=LIVE_MS)
    assert bob_page.evaluate("window.notReloaded") is True
    share = shared.get_by_test_id("trade-share")
    for shown in ("BTC-USD", "long", "Entry", "Exit", "ROI", "Held"):
        expect(share).to_contain_text(shown)
    roi = position["roi_pct"]  # two decimals, signed on screen unless negative or zero
    shown_roi = roi if roi.startswith("-") or Decimal(roi) == 0 else f"+{roi}"
    expect(share.get_by_test_id("share-roi")).to_have_text(f"{shown_roi}%")
    expect(shared).not_to_contain_text("$10,000")  # never a balance or a size

    shared.get_by_role("button", name="Fire").click()
    expect(shared.get_by_role("button", name="Fire")).to_have_attribute("aria-pressed", "true")
    shared.get_by_role("button", name="Like").click()  # one reaction per trader: it moves
    expect(shared.get_by_test_id("reaction-like")).to_have_text("Like 1")
    expect(shared.get_by_test_id("reaction-fire")).to_have_text("Fire 0")
    shared.get_by_test_id("comments-toggle").click()
    shared.get_by_label("Your comment").fill("Clean exit, well played")
    shared.get_by_role("button", name="Comment", exact=True).click()
    expect(shared.get_by_test_id("comment-text")).to_have_text("Clean exit, well played")
    expect(shared.get_by_test_id("comments-toggle")).to_have_text("Comments (1)")
    post_id = shared.get_attribute("data-post-id")
    pushed = [f["data"]["post_id"] for f in frames if (f["type"], f.get("channel")) == FEED_EVENT]
    assert post_id in pushed  # it came over the socket, not from a read
    seen = ann_api.get(f"/posts/{post_id}").json()
    assert (seen["reactions"], seen["comments"]) == ({"like": 1}, 1), seen
    fits(bob_page, "social-feed-1280")

    ann_page.evaluate("window.notReloaded = true")
    bob_page.get_by_label("Share an idea or a trade").fill(MARKUP)
    bob_page.get_by_role("button", name="Post", exact=True).click()
    markup = post_by(ann_page, "<script>")
    expect(markup).to_be_visible(timeout=LIVE_MS)
    expect(markup.get_by_test_id("post-text")).to_have_text(MARKUP)
    assert ann_page.evaluate("window.notReloaded") is True
    assert ann_page.locator("[data-testid=post-list] :is(script, img)").count() == 0
    for page in (ann_page, bob_page):
        assert page.evaluate("window.ran") is None
    assert dialogs == []
    fits(ann_page, "social-feed-360")

    markup.get_by_role("button", name="More actions").click()
    markup.get_by_role("button", name="Report").click()
    markup.get_by_label("Why are you reporting this post?").select_option("abuse")
    markup.get_by_role("button", name="Send report").click()
    expect(markup.get_by_test_id("report-result")).to_contain_text("Reported")
    hide_from_the_queue(contexts[2].new_page(), server, admin_name, MARKUP)
    markup_id = markup.get_attribute("data-post-id")
    assert ann_api.get(f"/posts/{markup_id}").status_code == 404
    assert bob_api.get(f"/posts/{markup_id}").json()["moderation"] == "hidden"
    for api in (ann_api, bob_api):
        api.close()


def close_a_trade(api: httpx.Client) -> dict[str, Any]:
    """Open and close a BTC long through the API; the share social then offers for it."""
    account = _account(api)
    order = {"account_id": account, "market": "BTC-USD", "side": "buy", "type": "market"}
    assert api.post("/orders", json={**order, "size": "0.01"}).status_code == 201
    closed = api.post("/positions/BTC-USD/close", json={"account_id": account})
    assert closed.status_code == 200, closed.text
    shares = eventually(
        lambda: api.get("/profiles/me/closed-positions").json()["items"], lambda items: items
    )
    assert len(shares) == 1, shares
    share: dict[str, Any] = shares[0]["trade_share"]
    return share


def hide_from_the_queue(page: Page, server: Server, admin_name: str, text: str) -> None:
    page.goto(server.base_url + "/")
    page.get_by_role("tab", name="Log in").click()
    page.get_by_label("Username or email").fill(admin_name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Social").click()
    page.get_by_role("link", name="Moderation").click()
    report = page.get_by_test_id("report").filter(has_text=text)
    expect(report.get_by_test_id("report-text")).to_have_text(text)
    fits(page, "social-moderation-1280")
    report.get_by_role("button", name="Hide").click()
    expect(report).to_have_count(0)
    page.get_by_role("button", name="Resolved").click()
    expect(page.get_by_test_id("report").filter(has_text=text)).to_contain_text("Resolved: hide")


def post_by(page: Page, text: str) -> Locator:
    return page.get_by_test_id("post").filter(has_text=text)


def fits(page: Page, name: str) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    screenshot(page, name)


def test_private_profile_requests_settings_edit_delete_remove_and_block(
    contexts: list[BrowserContext], server: Server
) -> None:
    cat_page, dan_page = contexts[0].new_page(), contexts[1].new_page()
    cat, dan = unique_name("cat"), unique_name("dan")
    sign_up(cat_page, server, cat)
    sign_up(dan_page, server, dan)
    cat_api = signed_in_as(cat_page)
    eventually(lambda: cat_api.get("/profiles/me").status_code, lambda s: s == 200)

    cat_page.goto(f"{server.base_url}/#/profile")
    cat_page.get_by_label("Display name").fill("Cat <b>bold</b>")
    cat_page.get_by_label("Bio").fill("Swing trader. <i>not</i> markup")
    cat_page.get_by_label("Followers I approve (private)").check()
    cat_page.get_by_label("Levels I reach").uncheck()
    cat_page.get_by_role("button", name="Save profile").click()
    expect(cat_page.get_by_test_id("profile-saved")).to_have_text("Profile saved.")
    expect(cat_page.get_by_test_id("profile-name")).to_have_text("Cat <b>bold</b>")
    expect(cat_page.get_by_test_id("profile-bio")).to_have_text("Swing trader. <i>not</i> markup")
    mine = cat_api.get("/profiles/me").json()
    assert (mine["visibility"], mine["automatic_items"]["level"]) == ("private", False), mine

    dan_page.goto(f"{server.base_url}/#/profile/{cat}")
    dan_page.get_by_role("button", name="Request to follow").click()
    expect(dan_page.get_by_test_id("follow-state")).to_have_text("Request sent")
    expect(dan_page.get_by_test_id("posts-private")).to_be_visible()
    cat_page.reload()
    request = cat_page.get_by_test_id("follow-request").filter(has_text=dan)
    request.get_by_role("button", name=f"Approve {dan}").click()
    expect(request).to_have_count(0)
    expect(cat_page.get_by_test_id("followers-count")).to_have_text("1 follower")
    dan_page.reload()
    expect(dan_page.get_by_test_id("follow-state")).to_have_text("Following")

    cat_page.get_by_role("link", name="Home feed").click()
    cat_page.get_by_label("Share an idea or a trade").fill("first draft $ETH")
    cat_page.get_by_role("button", name="Post", exact=True).click()
    draft_id = post_by(cat_page, "first draft").get_attribute("data-post-id")
    draft = cat_page.locator(f"[data-post-id='{draft_id}']")  # its text is in the editor
    draft.get_by_role("button", name="Edit").click()
    draft.get_by_label("Edit your post").fill("final words $ETH")
    draft.get_by_role("button", name="Save").click()
    edited = post_by(cat_page, "final words")
    expect(edited).to_contain_text("edited")
    expect(edited.get_by_role("link", name="ETH-USD feed")).to_be_visible()
    dan_page.reload()  # the approved follower sees the private profile's post
    expect(post_by(dan_page, "final words")).to_be_visible()
    edited.get_by_role("button", name="More actions").click()
    edited.get_by_role("button", name="Delete").click()
    edited.get_by_role("button", name="Delete").click()  # the confirmation's
    expect(post_by(cat_page, "final words")).to_have_count(0)

    cat_page.get_by_role("link", name="My profile").click()
    cat_page.get_by_test_id("followers-count").click()
    cat_page.get_by_role("button", name=f"Remove follower {dan}").click()
    expect(cat_page.get_by_test_id("followers-count")).to_have_text("0 followers")
    fits(cat_page, "social-own-profile-360")

    dan_page.reload()
    expect(dan_page.get_by_role("button", name="Request to follow")).to_be_visible()
    dan_page.get_by_role("button", name="Block").click()
    dan_page.get_by_test_id("profile").get_by_role("button", name="Block").last.click()
    expect(dan_page.get_by_test_id("blocked-notice")).to_contain_text(f"You blocked @{cat}")
    assert cat_api.get(f"/profiles/{dan}").status_code == 404  # hidden both ways
    # The blocker finds whom they blocked on their own profile (cat's answers 404 to them).
    dan_page.get_by_role("link", name="My profile").click()
    blocked = dan_page.get_by_test_id("blocked-person")
    expect(blocked).to_have_count(1)
    expect(blocked).to_contain_text(f"@{cat}")
    blocked.get_by_role("button", name=f"Unblock {cat}").click()
    expect(blocked).to_have_count(0)
    expect(dan_page.get_by_test_id("people-blocked")).to_contain_text("You have blocked no one.")
    assert cat_api.get(f"/profiles/{dan}").status_code == 200
    dan_page.goto(f"{server.base_url}/#/profile/{cat}")
    expect(dan_page.get_by_role("button", name="Request to follow")).to_be_visible()
    cat_api.close()
