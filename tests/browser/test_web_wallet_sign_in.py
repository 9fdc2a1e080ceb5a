"""Starknet wallet sign-in in the client: the button shows only with an injected wallet, and
a wallet linked to a trader signs them in. The injected wallet is a real Stark key pair
signing the server's SNIP-12 challenge (as Argent X or Braavos would)."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Server
from e2e.test_wallet_sign_in import Wallet, challenge

WALLET_BUTTON = "Sign in with Starknet wallet"


def test_no_wallet_no_button(page: Page, server: Server) -> None:
    page.goto(server.base_url + "/")
    expect(page.get_by_role("button", name="Create account")).to_be_visible()
    expect(page.get_by_role("button", name=WALLET_BUTTON)).to_have_count(0)


def test_a_linked_wallet_signs_its_trader_in(page: Page, server: Server, new_trader: Any) -> None:
    trader = new_trader("wallet")
    wallet = Wallet()
    linking = challenge(trader, wallet.address)
    linked = trader.post(
        "/auth/wallet/verify", json=wallet.body(linking, wallet.sign(linking["typed_data"]))
    )
    assert linked.status_code == 200, linked.text

    page.expose_function("walletSign", lambda typed_data: wallet.sign(typed_data))
    page.add_init_script(f"""window.starknet = {{
      enable: async () => [{json.dumps(hex(wallet.address))}],
      account: {{
        address: {json.dumps(hex(wallet.address))},
        signMessage: (typedData) => window.walletSign(typedData),
        signer: {{ getPubKey: async () => {json.dumps(hex(wallet.public_key))} }},
      }},
    }};""")
    page.goto(server.base_url + "/")
    page.get_by_role("button", name=WALLET_BUTTON).click()
    expect(page.get_by_test_id("header-equity")).to_have_text("$10,000.00")
    expect(page.locator(".user")).to_have_text(trader.username)
