"""Connecting a live account to its Extended sub-account over HTTP, against the local
Extended stand-in: the key pair and the sub-account are checked field by field, the
private key and the API key are never answered back or logged, disconnect forgets them."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starknet_py.net.signer.key_pair import KeyPair

from .conftest import (
    Admin,
    Server,
    Trader,
    _server_env,
    _start,
    _stop,
    _wait_ready,
    assert_error,
    eventually,
)
from .extended import extended_stand_in, extended_urls

PRIVATE = 0x2F1E3D4C5B6A79881726354453627180918273645546372819A0B1C2D3E4F5
PUBLIC = KeyPair.from_private_key(PRIVATE).public_key  # starknet-py's, not the platform's
API_KEY = "e2e-extended-api-key-42"
VAULT = 700_001
SECRETS_KEY = base64.urlsafe_b64encode(bytes(range(100, 132))).decode()


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with extended_stand_in(tmp_path_factory.mktemp("stand-in") / "stand-in.log") as base:
        response = httpx.post(
            f"{base}/_standin/accounts",
            json={
                "api_key": API_KEY,
                "account_id": 9001,
                "vault": VAULT,
                "public_key": hex(PUBLIC),
            },
        )
        assert response.status_code == 200, response.text
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, stand_in: str) -> Iterator[Server]:
    """This module's server: a secrets key, and the stand-in as Extended's REST API."""
    data_dir = tmp_path_factory.mktemp("astratrade-e2e")
    env = _server_env(data_dir)
    env.update(ASTRATRADE_SECRETS_KEY=SECRETS_KEY, **extended_urls(stand_in))
    srv = _start(env, data_dir, data_dir / "server.log")
    assert _wait_ready(srv), srv.log_tail()
    yield srv
    _stop(srv.process)


def credentials(**changes: Any) -> dict[str, Any]:
    return {
        "api_key": API_KEY,
        "vault_id": VAULT,
        "stark_private_key": hex(PRIVATE),
        "stark_public_key": hex(PUBLIC),
        **changes,
    }


def live_account(admin: Admin, trader: Trader) -> str:
    """Level 3 in practice (ten closes) and KYC: the trader's live account."""
    admin.reset_prices()
    for _ in range(10):
        trader.market("buy", "0.1", market="ETH-USD")
        trader.market("sell", "0.1", market="ETH-USD")
    assert admin.put(f"/admin/users/{trader.user_id}/kyc", json={"kyc": True}).status_code == 200
    opened = eventually(
        lambda: trader.post("/accounts", json={"kind": "live"}),
        lambda response: response.status_code == 201,
    )
    assert opened.status_code == 201, opened.text
    account_id: str = opened.json()["account_id"]
    return account_id


def test_a_live_account_connects_checked_with_the_venue_and_disconnects(
    server: Server, admin: Admin, trader: Trader
) -> None:
    practice = f"/accounts/{trader.account_id}/venue"
    assert assert_error(trader.put(practice, json=credentials()), 409)["code"] == "conflict"

    live = f"/accounts/{live_account(admin, trader)}/venue"
    assert_error(trader.get(live), 404)
    refusals = {
        "stark_private_key": credentials(stark_private_key="not hex"),
        "stark_public_key": credentials(stark_public_key=hex(PUBLIC + 1)),
        "api_key": credentials(api_key="a-key-extended-never-issued"),
        "vault_id": credentials(vault_id=VAULT + 1),
    }
    for field, body in refusals.items():
        assert_error(trader.put(live, json=body), 422, field)
    assert_error(trader.put(live, json={**credentials(), "vault_id": "many"}), 422, "vault_id")

    connected = trader.put(live, json=credentials())
    assert connected.status_code == 200, connected.text
    shown = connected.json()
    assert (shown["venue"], shown["vault_id"], shown["venue_account_id"]) == (
        "extended",
        VAULT,
        9001,
    )
    assert shown["stark_public_key"] == hex(PUBLIC)
    assert trader.get(live).json() == shown
    secret_private = hex(PRIVATE)[2:]
    for text in (connected.text, trader.get(live).text, server.log_path.read_text()):
        assert API_KEY not in text
        assert secret_private not in text.lower()

    assert trader.delete(live).status_code == 204
    assert_error(trader.get(live), 404)
    assert trader.delete(live).status_code == 204  # nothing left to forget
