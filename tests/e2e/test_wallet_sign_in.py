"""Starknet wallet sign-in over HTTP with real key pairs: the wallet signs the server's
SNIP-12 typed data (fast-stark-crypto signs, starknet-py hashes, as a wallet would), links
to a signed-in trader, then signs in alone; replayed, expired, foreign-domain, wrong-chain,
forged and non-standard-account signatures are all refused."""

from __future__ import annotations

import copy
import secrets
from typing import Any

import fast_stark_crypto
import pytest
from starknet_py.hash.address import compute_address
from starknet_py.utils.typed_data import TypedData

from .conftest import Admin, Trader, assert_error, make_client

OZ_CLASS = 0x061DAC032F228ABEF9C6626F995015233097AE253A7F72D68552DB02F2971B8F  # a default


class Wallet:
    """A Stark key pair and the OpenZeppelin-style account address it deploys to."""

    def __init__(self) -> None:
        self.private_key = secrets.randbelow(2**250) + 1
        self.public_key = fast_stark_crypto.get_public_key(self.private_key)
        self.address = compute_address(
            class_hash=OZ_CLASS, constructor_calldata=[self.public_key], salt=self.public_key
        )

    def sign(self, typed_data: dict[str, Any], address: int | None = None) -> list[str]:
        msg_hash = TypedData.from_dict(typed_data).message_hash(address or self.address)
        r, s = fast_stark_crypto.sign(self.private_key, msg_hash)
        return [hex(r), hex(s)]

    def body(self, challenge: dict[str, Any], signature: list[str]) -> dict[str, Any]:
        return {
            "address": hex(self.address),
            "nonce": challenge["nonce"],
            "signature": signature,
            "public_key": hex(self.public_key),
        }


def challenge(client: Any, address: int) -> dict[str, Any]:
    answer = client.post("/auth/wallet/challenge", json={"address": hex(address)})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_link_then_sign_in_with_the_wallet(trader: Trader) -> None:
    wallet = Wallet()
    linking = challenge(trader, wallet.address)
    assert linking["typed_data"]["domain"]["name"] == "AstraTrade"
    linked = trader.post(
        "/auth/wallet/verify", json=wallet.body(linking, wallet.sign(linking["typed_data"]))
    )
    assert linked.status_code == 200, linked.text
    assert (linked.json()["linked"], linked.json()["user_id"]) == (True, trader.user_id)

    with make_client(trader.server) as anonymous:
        fresh = challenge(anonymous, wallet.address)
        body = wallet.body(fresh, wallet.sign(fresh["typed_data"]))
        signed_in = anonymous.post("/auth/wallet/verify", json=body)
        assert signed_in.status_code == 200, signed_in.text
        tokens = signed_in.json()
        assert (tokens["linked"], tokens["user_id"]) == (False, trader.user_id)
        me = anonymous.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.json()["user_id"] == trader.user_id
        replayed = assert_error(anonymous.post("/auth/wallet/verify", json=body), 401)
        assert "already used" in replayed["message"]


def tampered(typed_data: dict[str, Any], **domain: str) -> dict[str, Any]:
    other = copy.deepcopy(typed_data)
    other["domain"].update(domain)
    return other


@pytest.mark.parametrize(
    "forge",
    ["foreign domain", "wrong chain", "another key", "another address"],
)
def test_forged_signatures_are_refused(trader: Trader, forge: str) -> None:
    wallet = Wallet()
    with make_client(trader.server) as anonymous:
        issued = challenge(trader, wallet.address)
        typed = issued["typed_data"]
        signature = {
            "foreign domain": lambda: wallet.sign(tampered(typed, name="EvilExchange")),
            "wrong chain": lambda: wallet.sign(tampered(typed, chainId="SN_SEPOLIA")),
            "another key": lambda: Wallet().sign(typed, wallet.address),
            "another address": lambda: wallet.sign(typed, Wallet().address),
        }[forge]()
        refused = anonymous.post("/auth/wallet/verify", json=wallet.body(issued, signature))
        assert_error(refused, 401)
        assert "does not verify" in refused.json()["error"]["message"]


def test_expired_unknown_and_non_standard_accounts(admin: Admin, trader: Trader) -> None:
    wallet = Wallet()
    with make_client(trader.server) as anonymous:
        stale = challenge(anonymous, wallet.address)
        admin.clock(advance_seconds=6 * 60)
        admin.login()
        body = wallet.body(stale, wallet.sign(stale["typed_data"]))
        assert (
            "expired"
            in assert_error(anonymous.post("/auth/wallet/verify", json=body), 401)["message"]
        )

        nobody = challenge(anonymous, wallet.address)  # a valid signature, no linked user
        body = wallet.body(nobody, wallet.sign(nobody["typed_data"]))
        assert (
            "no account is linked"
            in assert_error(anonymous.post("/auth/wallet/verify", json=body), 401)["message"]
        )

        custom = Wallet()
        custom.address = secrets.randbelow(2**250) + 1  # an account of another kind
        issued = challenge(anonymous, custom.address)
        body = custom.body(issued, custom.sign(issued["typed_data"]))
        assert (
            "no Starknet node is configured"
            in assert_error(anonymous.post("/auth/wallet/verify", json=body), 401)["message"]
        )


@pytest.mark.parametrize("address", ["zz", "0x", "-1", "0x" + "f" * 64, ""])
def test_bad_addresses_name_the_field(trader: Trader, address: str) -> None:
    assert_error(trader.post("/auth/wallet/challenge", json={"address": address}), 422, "address")
