"""Connecting a live account to Extended from the web client, in Chromium against a real
server whose Extended is the local stand-in: a key pair that does not match is refused on
the public key's field (the private key's field emptied), the right keys connect and the
settings show the vault, the public key and when (never the private key), "Disconnect"
asks first and then deletes the keys, and an Extended that does not answer is said in
words."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, Trader, _server_env, _start, _stop, _wait_ready
from e2e.extended import extended_stand_in, extended_urls
from e2e.test_live_venue_link import API_KEY, PRIVATE, PUBLIC, VAULT, live_account

from .conftest import DESKTOP, PHONE, screenshot
from .test_web_admin_dashboard import log_in

SECRETS_KEY = base64.urlsafe_b64encode(bytes(range(40, 72))).decode()


@dataclass(frozen=True)
class StandIn:
    base: str
    stop: Callable[[], None]  # Extended going away, for the test's last step


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    with ExitStack() as running:
        log = tmp_path_factory.mktemp("stand-in") / "stand-in.log"
        base = running.enter_context(extended_stand_in(log))
        account = {"api_key": API_KEY, "account_id": 9001, "vault": VAULT}
        response = httpx.post(
            f"{base}/_standin/accounts", json={**account, "public_key": hex(PUBLIC)}
        )
        assert response.status_code == 200, response.text
        yield StandIn(base, running.close)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, stand_in: StandIn) -> Iterator[Server]:
    """This module's server: a secrets key, and the stand-in as Extended's REST API."""
    data_dir = tmp_path_factory.mktemp("astratrade-browser")
    env = _server_env(data_dir)
    env.update(ASTRATRADE_SECRETS_KEY=SECRETS_KEY, **extended_urls(stand_in.base))
    srv = _start(env, data_dir, data_dir / "server.log")
    assert _wait_ready(srv), srv.log_tail()
    yield srv
    _stop(srv.process)


def fill(page: Page, private_key: int) -> None:
    form = page.get_by_role("form", name="Connect to Extended")
    form.get_by_label("API key").fill(API_KEY)
    form.get_by_label("Vault id").fill(str(VAULT))
    form.get_by_label("Stark public key").fill(hex(PUBLIC))
    form.get_by_label("Stark private key").fill(hex(private_key))
    form.get_by_role("button", name="Connect to Extended").click()


def test_a_live_account_connects_to_extended_and_disconnects(
    page: Page, server: Server, stand_in: StandIn, admin: Admin, new_trader: Any
) -> None:
    trader: Trader = new_trader("venue")
    live = f"/accounts/{live_account(admin, trader)}/venue"
    page.set_viewport_size(DESKTOP)
    log_in(page, server, trader.username)
    page.get_by_label("Account").select_option(label="Live")
    page.get_by_role("link", name="Settings").click()
    card = page.get_by_test_id("venue-link")
    private_field = card.get_by_label("Stark private key")
    expect(private_field).to_have_attribute("type", "password")

    fill(page, PRIVATE + 1)  # a private key the public key was not derived from
    expect(card.get_by_test_id("venue-error-stark_public_key")).to_have_text(
        "Stark public key is not the public key of the submitted Stark private key."
    )
    expect(card.get_by_label("Stark public key")).to_have_attribute("aria-invalid", "true")
    expect(private_field).to_have_value("")  # emptied whatever the answer
    expect(card.get_by_label("API key")).to_have_value(API_KEY)  # the rest kept to correct
    screenshot(page, "venue-link-refused-1280")

    private_field.fill(hex(PRIVATE))
    card.get_by_role("button", name="Connect to Extended").click()
    expect(card.get_by_test_id("venue-vault")).to_have_text(str(VAULT))
    expect(card.get_by_test_id("venue-public-key")).to_have_text(hex(PUBLIC))
    expect(card.get_by_test_id("venue-account")).to_have_text("9001")
    expect(card.get_by_test_id("venue-connected-at")).not_to_be_empty()
    shown = trader.get(live).json()
    assert shown["stark_public_key"] == hex(PUBLIC), shown
    html = page.content().lower()
    assert hex(PRIVATE)[2:] not in html
    assert API_KEY.lower() not in html
    screenshot(page, "venue-link-1280")
    page.set_viewport_size(PHONE)  # the long public key wraps rather than widen the page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "venue-link-360")
    page.set_viewport_size(DESKTOP)

    page.reload()  # what GET answers, on a fresh page
    page.get_by_label("Account").select_option(label="Live")
    expect(card.get_by_test_id("venue-vault")).to_have_text(str(VAULT))
    card.get_by_role("button", name="Disconnect").click()
    expect(card.get_by_text("Disconnect from Extended?")).to_be_visible()
    card.get_by_role("button", name="Disconnect now").click()
    expect(card.get_by_test_id("venue-result")).to_have_text(
        "Disconnected: your API key and Stark private key are deleted."
    )
    expect(card.get_by_role("form", name="Connect to Extended")).to_be_visible()
    assert trader.get(live).status_code == 404

    stand_in.stop()  # Extended no longer answers: said in words, nothing kept
    fill(page, PRIVATE)
    expect(card.get_by_test_id("venue-refusal")).to_have_text(
        "Extended could not be reached, so nothing was checked or saved. Try again in a moment."
    )
    expect(private_field).to_have_value("")
    assert trader.get(live).status_code == 404
