"""Badges in real Chromium against the real server: a trader's first close on the manual
feed earns a badge; it shows in the progression page's gallery (off-chain) and on the
profile; its page shows the medal, criteria, when it was earned and the level then;
"Verify" checks the credential's Ed25519 signature in the browser (jose, lazy-loaded)
and says valid; a credential changed by one character in transit says invalid; a signed-out
visitor opens the share address and verifies it too; another trader sees it on the public
profile; an admin revokes it from its page, and the visitor and the owner see verification
say revoked (its bit in the signed status list); it leaves the profile others see."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, Route, expect

from e2e.conftest import PASSWORD, Admin, Server, eventually, unique_name

from .conftest import DESKTOP, screenshot, sign_up
from .test_web_social import close_a_trade
from .test_web_trading_journey import signed_in_as


def verify(page: Page, verdict: str) -> None:
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verdict-word")).to_have_text(verdict)


def test_earn_see_verify_share_revoke(
    page: Page, browser: Browser, server: Server, admin: Admin, admin_name: str
) -> None:
    admin.reset_prices()
    username = unique_name("medal")
    sign_up(page, server, username)
    api = signed_in_as(page)
    close_a_trade(api)
    badges = eventually(lambda: api.get("/badges/me").json()["items"], lambda items: items)
    token_id = badges[0]["token_id"]
    assert badges[0]["achievement"] == "FIRST_TRADE", badges

    page.get_by_role("link", name="Progress").click()
    tile = page.get_by_test_id("badge-FIRST_TRADE")
    expect(tile).to_contain_text("First Trade")
    expect(tile.get_by_test_id("mint-status")).to_have_text("Off-chain")
    expect(tile.locator("img")).to_have_js_property("complete", True)
    assert tile.locator("img").evaluate("img => img.naturalWidth") > 0  # the SVG loaded
    screenshot(page, "badges-gallery-360")

    tile.get_by_role("link").click()
    expect(page).to_have_url(f"{server.base_url}/#/badges/{token_id}")
    card = page.get_by_test_id("badge-page")
    expect(card.get_by_test_id("badge-name")).to_contain_text("First Trade")
    expect(card.get_by_test_id("badge-criteria")).not_to_be_empty()
    expect(card.get_by_test_id("badge-level")).to_have_text("1")
    expect(card.get_by_test_id("badge-status")).to_have_text("Active")
    expect(card.get_by_test_id("badge-mint")).to_contain_text("Off-chain")
    verify(page, "Valid")
    expect(page.get_by_test_id("verdict")).to_contain_text("EdDSA")
    screenshot(page, "badges-page-valid-360")

    # One character of the credential changed on its way to the browser: the signature fails.
    def tampered(route: Route) -> None:
        jwt = route.fetch().text()
        head, payload, signature = jwt.split(".")
        at = len(payload) // 2
        changed = payload[:at] + ("A" if payload[at] != "A" else "B") + payload[at + 1 :]
        route.fulfill(
            status=200, content_type="application/vc+jwt", body=f"{head}.{changed}.{signature}"
        )

    credential = f"**/api/v1/badges/{token_id}/credential"
    page.route(credential, tampered)
    verify(page, "Invalid")
    page.unroute(credential)

    share = page.get_by_test_id("share-url").input_value()
    assert share == f"{server.base_url}/#/badges/{token_id}", share

    # The trader's own profile shows the gallery too.
    page.goto(f"{server.base_url}/#/profile")
    expect(page.get_by_test_id("profile").get_by_test_id("badge-FIRST_TRADE")).to_be_visible()

    # A signed-out visitor, in a fresh profile, opens the share address: no login asked.
    contexts = [
        browser.new_context(viewport=DESKTOP, device_scale_factor=1, color_scheme="dark")
        for _ in range(3)
    ]
    for context in contexts:
        context.set_default_timeout(10_000)
    try:
        stranger, peer, moderator = (context.new_page() for context in contexts)
        stranger.goto(share)
        expect(stranger.get_by_test_id("badge-name")).to_contain_text("First Trade")
        expect(stranger.get_by_role("button", name="Create account")).to_have_count(0)
        verify(stranger, "Valid")
        screenshot(stranger, "badges-share-1280")

        # Another trader sees the badge on the public profile and opens it from there.
        sign_up(peer, server, unique_name("peer"))
        peer.goto(f"{server.base_url}/#/profile/{username}")
        shown = peer.get_by_test_id("profile").get_by_test_id("badge-FIRST_TRADE")
        expect(shown).to_be_visible()
        shown.get_by_role("link").click()
        expect(peer.get_by_test_id("badge-status")).to_have_text("Active")
        expect(peer.get_by_test_id("badge-mint")).to_have_count(0)  # the owner's only
        expect(peer.get_by_role("form", name="Revoke")).to_have_count(0)  # admins' only

        # An admin revokes it from the badge's page.
        moderator.goto(server.base_url + "/")
        moderator.get_by_role("tab", name="Log in").click()
        moderator.get_by_label("Username or email").fill(admin_name)
        moderator.get_by_label("Password").fill(PASSWORD)
        moderator.get_by_role("button", name="Log in").click()
        expect(moderator.get_by_test_id("header-equity")).to_be_visible()
        moderator.goto(share)
        revoke = moderator.get_by_role("form", name="Revoke")
        revoke.get_by_label("Reason").fill("granted in error")
        revoke.get_by_role("button", name="Revoke the badge").click()
        expect(moderator.get_by_test_id("badge-status")).to_have_text("Revoked")
        expect(revoke).to_have_count(0)
        # The public record follows the revocation's event; once it has, everyone sees it.
        eventually(lambda: api.get("/badges/me").json()["items"][0]["revoked"], bool)

        for viewer in (stranger, page):
            viewer.goto(share)
            viewer.reload()  # same address: the hash alone would not read it again
            expect(viewer.get_by_test_id("badge-status")).to_have_text("Revoked")
            verify(viewer, "Revoked")
        screenshot(stranger, "badges-share-revoked-1280")

        # A revoked badge leaves the profile others see.
        peer.goto(f"{server.base_url}/#/profile/{username}")
        expect(peer.get_by_test_id("profile")).to_contain_text(f"@{username}")
        assert signed_in_as(peer).get(f"/users/{username}/badges").json() == {"items": []}
        expect(peer.get_by_test_id("badge-gallery")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()
