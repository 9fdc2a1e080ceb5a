"""The admins' badge mint queue in Chromium against a real server minting on the stand-in
Starknet node (tests/support/starknet_node.py): one trader's badge is minted and confirmed,
another's mint is reverted by the node and fails with its reason. An admin opens the queue
from the platform dashboard and reads both rows as the API gives them (holder, wallet,
status in words, attempts, transaction hash, the failure's reason and its next try), filters
by state, and a trader opening its address gets a refusal without the API being asked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from e2e.conftest import Admin, Server, Trader, own_server
from e2e.test_wallet_sign_in import Wallet, challenge
from support.starknet_node import Node, running_node, settings

from .conftest import DESKTOP, screenshot
from .test_web_admin_dashboard import log_in

REVERTED = "ERC721: token already minted"
WAIT_MS = 20_000  # a mint is signed, sent and waited for on 2 busy cores


@pytest.fixture(scope="module")
def node() -> Node:
    return Node(steps=("ACCEPTED_ON_L2",))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, node: Node) -> Iterator[Server]:
    """A server minting on the stand-in node, a round every 0.2 s."""
    with running_node(node) as url, own_server(
        tmp_path_factory.mktemp("mint-queue"), badge_starknet_rpc_url=url,
        badge_mint_every_seconds="0.2", badge_starknet_check_seconds="0.05", **settings(),
    ) as made:  # fmt: skip
        yield made
    assert node.problems == []


def earn_and_link(admin: Admin, trader: Trader) -> None:
    """A first close on the manual feed (FIRST_TRADE), then a wallet linked."""
    admin.set_price("ETH-USD", "3000")
    trader.market("buy", "0.1", market="ETH-USD")
    admin.set_price("ETH-USD", "3030")
    trader.market("sell", "0.1", market="ETH-USD")
    expect_api(lambda: trader.get("/badges/me").json()["items"])
    wallet = Wallet()
    issued = challenge(trader, wallet.address)
    body = wallet.body(issued, wallet.sign(issued["typed_data"]))
    assert trader.post("/auth/wallet/verify", json=body).status_code == 200


def expect_api(read: Any) -> Any:
    """`read` until it gives something (a mint changes state within a few rounds)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not (value := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert value, "nothing came"
    return value


def one_mint(admin: Admin, username: str, status: str) -> dict[str, Any]:
    def found() -> list[dict[str, Any]]:
        items = admin.get("/admin/badges/mints", params={"status": status}).json()["items"]
        return [m for m in items if m["username"] == username]

    [mint] = expect_api(found)
    return dict(mint)


def test_the_admin_reads_and_filters_the_mint_queue(
    context: BrowserContext, server: Server, node: Node, admin: Admin, admin_name: str,
    new_trader: Any,
) -> None:  # fmt: skip
    admin.reset_prices()
    minted: Trader = new_trader("onchain")
    earn_and_link(admin, minted)
    confirmed = one_mint(admin, minted.username, "confirmed")
    node.revert_next = REVERTED  # every later mint's transaction reverts
    refused: Trader = new_trader("reverted")
    earn_and_link(admin, refused)
    failed = one_mint(admin, refused.username, "failed")
    assert REVERTED in failed["reason"], failed

    page = context.new_page()
    page.set_viewport_size(DESKTOP)
    log_in(page, server, admin_name)
    page.get_by_role("link", name="Platform dashboard (admins)").click()
    page.get_by_role("link", name="Badge mint queue").click()
    expect(page.get_by_role("heading", name="Badge mint queue")).to_be_visible()

    good = page.locator(f"[data-testid=mint-row][data-token='{confirmed['token_id']}']")
    expect(good.get_by_test_id("mint-status")).to_have_text("On-chain")
    expect(good).to_contain_text(f"@{minted.username}")
    expect(good).to_contain_text("FIRST_TRADE")
    expect(good.get_by_test_id("mint-tx")).to_have_attribute("data-full", confirmed["tx_hash"])
    expect(good.get_by_test_id("mint-wallet")).to_have_attribute("data-full", confirmed["to"])
    expect(good.get_by_test_id("mint-attempts")).to_have_text("1")
    bad = page.locator(f"[data-testid=mint-row][data-token='{failed['token_id']}']")
    expect(bad.get_by_test_id("mint-status")).to_have_text("Mint failed")
    expect(bad.get_by_test_id("mint-reason")).to_contain_text(REVERTED)
    expect(bad.get_by_test_id("mint-reason")).to_contain_text("tried again")
    expect(bad.get_by_test_id("mint-tx")).to_have_count(0)  # a reverted mint keeps no hash
    screenshot(page, "mint-queue-1280")

    filters = page.get_by_role("group", name="Which mints")
    filters.get_by_role("button", name="Mint failed").click()
    expect(page.get_by_test_id("mint-row")).to_have_count(1)
    expect(bad).to_be_visible()
    filters.get_by_role("button", name="On-chain").click()
    expect(page.get_by_test_id("mint-row")).to_have_count(1)
    expect(good).to_be_visible()
    filters.get_by_role("button", name="Mint queued").click()
    expect(page.get_by_test_id("mints-empty")).to_have_text("Nothing is queued.")
    filters.get_by_role("button", name="All").click()
    expect(page.get_by_test_id("mint-row")).to_have_count(2)

    asked: list[str] = []
    theirs = context.browser.new_context()  # type: ignore[union-attr]
    try:
        other = theirs.new_page()
        other.on("request", lambda r: asked.append(r.url))
        log_in(other, server, minted.username)
        other.goto(server.base_url + "/#/mints")
        expect(other.get_by_test_id("mints-refused")).to_be_visible()
        assert not [url for url in asked if "/admin/badges/mints" in url], asked
    finally:
        theirs.close()
