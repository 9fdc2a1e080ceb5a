"""Live orders' states on the trade screen, in Chromium against a real server whose Extended
is the local stand-in: an order the stand-in refuses (its signature forged on the way in)
is labelled "Rejected" with Extended's reason in the open orders and in the history; an
order Extended is slow to answer is labelled "Pending" (sent, not yet confirmed) until the
account stream confirms it, and then shows as open, cancellable, with no label."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, Trader, _server_env, _start, _stop, _wait_ready, eventually
from e2e.extended import extended_stand_in, extended_urls
from e2e.test_live_orders import live_account

from .conftest import DESKTOP, PHONE, screenshot
from .test_web_admin_dashboard import log_in
from .test_web_venue_link import StandIn

PRIVATE = 0x52F4E5D6C7B8A9920837465564738291A2B3C4D5E6F708192A3B4C5D6E7F801
API_KEY = "browser-live-orders-key-11"
VAULT = 700_311
SECRETS_KEY = base64.urlsafe_b64encode(bytes(range(90, 122))).decode()
SLOW_SECONDS = 8.0  # longer than the 5 s a placement waits for Extended


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    from starknet_py.net.signer.key_pair import KeyPair

    with extended_stand_in(tmp_path_factory.mktemp("stand-in") / "stand-in.log") as base:
        public = KeyPair.from_private_key(PRIVATE).public_key
        account = {"api_key": API_KEY, "account_id": 9311, "vault": VAULT}
        response = httpx.post(
            f"{base}/_standin/accounts", json=account | {"public_key": hex(public)}
        )
        assert response.status_code == 200, response.text
        yield StandIn(base, lambda: None)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, stand_in: StandIn) -> Iterator[Server]:
    """Extended's prices and Extended as the live venue, both the stand-in."""
    data_dir = tmp_path_factory.mktemp("astratrade-browser")
    env = _server_env(data_dir)
    env.update(
        ASTRATRADE_SECRETS_KEY=SECRETS_KEY,
        ASTRATRADE_PRICE_FEED="extended",
        **extended_urls(stand_in.base),
    )
    srv = _start(env, data_dir, data_dir / "server.log")
    assert _wait_ready(srv), srv.log_tail()
    yield srv
    _stop(srv.process)


def connected_live_account(admin: Admin, trader: Trader) -> str:
    from starknet_py.net.signer.key_pair import KeyPair

    account_id = live_account(admin, trader)
    keys = {
        "api_key": API_KEY,
        "vault_id": VAULT,
        "stark_public_key": hex(KeyPair.from_private_key(PRIVATE).public_key),
        "stark_private_key": hex(PRIVATE),
    }
    connected = trader.put(f"/accounts/{account_id}/venue", json=keys)
    assert connected.status_code == 200, connected.text
    # The sub-account's USDC comes in with the account stream's first re-sync.
    funded = eventually(
        lambda: trader.get(f"/accounts/{account_id}").json(),
        lambda account: Decimal(account["collateral"]) > 0,
    )
    assert Decimal(funded["collateral"]) == Decimal(10_000), funded
    return account_id


def order_status(trader: Trader, account_id: str, status: str) -> list[dict[str, Any]]:
    answer = trader.get("/orders", params={"account_id": account_id, "status": status})
    orders: list[dict[str, Any]] = answer.json()
    return orders


def test_refused_and_pending_live_orders_are_labelled(
    page: Page, server: Server, stand_in: StandIn, admin: Admin, new_trader: Any
) -> None:
    trader: Trader = new_trader("liveord")
    account_id = connected_live_account(admin, trader)
    page.set_viewport_size(DESKTOP)
    log_in(page, server, trader.username)
    page.get_by_label("Account").select_option(label="Live")
    expect(page.get_by_test_id("header-equity")).to_have_text("$10,000.00")
    page.get_by_test_id("market-ETH-USD").click()
    ticket = page.get_by_role("form", name="Order ticket")
    orders = page.get_by_role("region", name="Open positions")

    # Refused by Extended: the stand-in alters the next order's signature on its way in.
    httpx.post(f"{stand_in.base}/_standin/tamper_next_order")
    page.locator("#ticket-size").fill("0.1")
    ticket.get_by_role("button", name=re.compile(r"^Buy 0\.1 ETH")).click()
    message = page.get_by_test_id("ticket-message")
    expect(message).to_contain_text("Extended refused the order (1142): Invalid StarkEx signature")
    expect(message).to_contain_text("Nothing was traded.")
    refused = orders.locator("[data-testid=open-order][data-status=rejected]")
    expect(refused.get_by_test_id("order-state")).to_have_text("Rejected")
    expect(refused.get_by_test_id("order-state-detail")).to_contain_text(
        "Extended refused the order (1142): Invalid StarkEx signature"
    )
    expect(refused.get_by_role("button", name=re.compile("^Cancel"))).to_have_count(0)
    [rejected] = order_status(trader, account_id, "rejected")
    screenshot(page, "live-order-rejected-1280")

    # Pending: Extended answers after the 5 s a placement waits, so the order stays sent
    # but unconfirmed until the account stream reports it.
    httpx.post(f"{stand_in.base}/_standin/answer_after", json={"seconds": SLOW_SECONDS})
    try:
        page.get_by_label("Type").select_option("limit")
        page.get_by_label("Limit price").fill("1000.0")  # far below the mark: it rests
        ticket.get_by_role("button", name=re.compile(r"^Buy 0\.1 ETH")).click()
        expect(message).to_contain_text(
            "Extended did not answer in time. The order is pending in your open orders",
            timeout=10_000,
        )
        pending = orders.locator("[data-testid=open-order][data-status=pending]")
        expect(pending.get_by_test_id("order-state")).to_have_text("Pending")
        expect(pending.get_by_test_id("order-state-detail")).to_have_text(
            "Sent to Extended, waiting for its answer."
        )
        expect(pending.get_by_role("button", name=re.compile("^Cancel"))).to_have_count(0)
        [sent] = order_status(trader, account_id, "pending")
        screenshot(page, "live-order-pending-1280")
        page.set_viewport_size(PHONE)  # a long reason wraps rather than widen the page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "live-order-pending-360")
        page.set_viewport_size(DESKTOP)

        # The order history (Portfolio) labels them too.
        page.get_by_role("link", name="Portfolio").click()
        history = page.get_by_test_id("orders-history")
        row = history.locator(f"[data-order-id='{sent['order_id']}']")
        expect(row.get_by_test_id("history-state")).to_have_text("Pending")
        expect(row.get_by_test_id("history-state-detail")).to_have_text(
            "Sent to Extended, waiting for its answer."
        )
    finally:
        httpx.post(f"{stand_in.base}/_standin/answer_after", json={"seconds": 0})

    refused_row = history.locator(f"[data-order-id='{rejected['order_id']}']")
    expect(refused_row.get_by_test_id("history-state")).to_have_text("Rejected")
    expect(refused_row.get_by_test_id("history-state-detail")).to_contain_text(
        "Invalid StarkEx signature"
    )

    # Extended takes it late; its account stream confirms it, and it shows as open.
    deadline = time.monotonic() + SLOW_SECONDS + 10
    while (opened := trader.get(f"/orders/{sent['order_id']}").json())["status"] != "open":
        assert time.monotonic() < deadline, opened
        time.sleep(0.2)
    page.get_by_role("link", name="Trade").click()
    page.reload()
    page.get_by_label("Account").select_option(label="Live")
    confirmed = orders.locator("[data-testid=open-order][data-status=open]")
    expect(confirmed.get_by_test_id("order-figures")).to_contain_text("@ 1,000.0")
    expect(confirmed.get_by_test_id("order-state")).to_have_count(0)
    expect(confirmed.get_by_role("button", name=re.compile("^Cancel"))).to_be_visible()
