"""Live orders end to end: a server on SQLite with the `extended` price feed and the live
venue both pointed at the local Extended stand-in (a process of its own). A trader earns a
live account, connects it, and trades on the stand-in through the API: a market order fills
there and its fill and position show here; a partial close; a resting limit cancelled; a
forged signature refused by the venue and answered as refused (and rejected in the order
history); a fill whose stream updates are lost with the connection found by the re-sync,
once; deposits and funding on the venue mirrored once each, so that `astratrade
reconcile` finds no gap; then a position moved on the venue with no trade reported, said
in the log from the account stream and by `astratrade reconcile`. One server for every
step (the module's)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starknet_py.net.signer.key_pair import KeyPair

from .conftest import Admin, Server, Trader, _server_env, _start, _stop, _wait_ready, eventually
from .extended import extended_stand_in, extended_urls

PRIVATE = 0x41E3D4C5B6A79881726354453627180918273645546372819A0B1C2D3E4F506
PUBLIC = KeyPair.from_private_key(PRIVATE).public_key
API_KEY = "e2e-live-orders-key-07"
VAULT = 800_042
SECRETS_KEY = base64.urlsafe_b64encode(bytes(range(140, 172))).decode()


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with extended_stand_in(tmp_path_factory.mktemp("stand-in") / "stand-in.log") as base:
        account = {"api_key": API_KEY, "account_id": 5150, "vault": VAULT}
        response = httpx.post(
            f"{base}/_standin/accounts", json=account | {"public_key": hex(PUBLIC)}
        )
        assert response.status_code == 200, response.text
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, stand_in: str) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("astratrade-e2e")
    env = _server_env(data_dir)
    env.update(
        ASTRATRADE_SECRETS_KEY=SECRETS_KEY,
        ASTRATRADE_PRICE_FEED="extended",
        **extended_urls(stand_in),
    )
    srv = _start(env, data_dir, data_dir / "server.log")
    assert _wait_ready(srv), srv.log_tail()
    yield srv
    _stop(srv.process)


def live_account(admin: Admin, trader: Trader) -> str:
    """Level 3 in practice (ten closes, at the venue's prices) and KYC."""
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


def eth_size(trader: Trader, account_id: str) -> Decimal:
    positions = trader.get("/positions", params={"account_id": account_id}).json()
    return sum((Decimal(p["size"]) for p in positions if p["market"] == "ETH-USD"), Decimal(0))


def until_size(trader: Trader, account_id: str, wanted: str) -> None:
    size = eventually(lambda: eth_size(trader, account_id), lambda s: s == Decimal(wanted))
    assert size == Decimal(wanted)


def test_live_orders_fill_on_the_venue_and_show_here(
    server: Server, admin: Admin, trader: Trader, stand_in: str
) -> None:
    account_id = live_account(admin, trader)
    keys = {"api_key": API_KEY, "vault_id": VAULT, "stark_public_key": hex(PUBLIC)}
    connected = trader.put(
        f"/accounts/{account_id}/venue", json=keys | {"stark_private_key": hex(PRIVATE)}
    )
    assert connected.status_code == 200, connected.text

    def order(**fields: Any) -> httpx.Response:
        body = {"account_id": account_id, "market": "ETH-USD", **fields}
        return trader.post("/orders", json=body)

    bought = order(side="buy", type="market", size="0.5", client_order_id="e2e-buy-1")
    assert bought.status_code == 201, bought.text
    until_size(trader, account_id, "0.5")
    filled = trader.get(f"/orders/{bought.json()['order_id']}").json()
    assert filled["status"] == "filled"
    assert [Decimal(f["size"]) for f in filled["fills"]] == [Decimal("0.5")]
    again = order(side="buy", type="market", size="0.5", client_order_id="e2e-buy-1")
    assert again.json()["order_id"] == bought.json()["order_id"]  # a retry: one order

    closing = order(side="sell", type="market", size="0.2", reduce_only=True)
    assert closing.status_code == 201, closing.text
    until_size(trader, account_id, "0.3")

    resting = order(side="buy", type="limit", size="0.1", price="1000.0")
    assert resting.status_code == 201, resting.text
    cancelled = trader.delete(f"/orders/{resting.json()['order_id']}")
    assert cancelled.json()["status"] == "cancelled", cancelled.text

    httpx.post(f"{stand_in}/_standin/tamper_next_order")
    forged = order(side="buy", type="market", size="0.1")
    assert forged.status_code == 400, forged.text  # as every refused order is answered
    refusal = forged.json()["error"]
    assert refusal["code"] == "venue_refused"
    assert "(1142)" in refusal["message"]
    assert "Invalid StarkEx signature" in refusal["message"]
    history = trader.get("/orders", params={"account_id": account_id, "status": "rejected"})
    [rejected] = history.json()  # the trader reads the refusal in the order history too
    assert rejected["reason"] == refusal["message"]

    httpx.post(f"{stand_in}/_standin/drop_next_fill")
    lost = order(side="buy", type="market", size="0.4", client_order_id="e2e-lost")
    assert lost.status_code == 201, lost.text
    until_size(trader, account_id, "0.7")  # found by the re-sync after the reconnect
    fills = trader.get(f"/orders/{lost.json()['order_id']}").json()["fills"]
    assert [Decimal(f["size"]) for f in fills] == [Decimal("0.4")]
    assert eth_size(trader, account_id) == Decimal("0.7")

    # USDC deposited on Extended and a funding payment there come here too, once each: the
    # ledger shows them and `astratrade reconcile` finds no gap with Extended's balance.
    deposit = {"api_key": API_KEY, "amount": "500"}
    assert httpx.post(f"{stand_in}/_standin/deposit", json=deposit).status_code == 200
    funding = {"market": "ETH-USD", "rate": "0.0001"}
    assert httpx.post(f"{stand_in}/_standin/pay_funding", json=funding).status_code == 200

    def kinds() -> list[str]:
        ledger = trader.get("/ledger", params={"account_id": account_id}).json()
        return sorted(p["kind"] for p in ledger["postings"] if p["kind"] != "trade")

    booked = eventually(kinds, lambda k: k == ["funding", "venue_deposit", "venue_deposit"])
    assert booked == ["funding", "venue_deposit", "venue_deposit"]  # the opening one, then 500
    done = eventually(lambda: server.cli("reconcile"), lambda d: d.returncode == 0)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "LIVE GAP" not in done.stdout
    assert "live positions of 1 accounts against Extended: proven" in done.stdout
    assert "LIVE GAP" not in server.log_tail(2000)  # the stream's positions and balance agree

    # A position moved on Extended with no trade reported: the stream's position update is
    # reported in the log, and `astratrade reconcile` reports it too, and fails.
    shift = {"api_key": API_KEY, "market": "ETH-USD", "size": "-0.1"}
    assert httpx.post(f"{stand_in}/_standin/shift_position", json=shift).status_code == 200
    said = f"LIVE GAP {account_id} position ETH-USD: platform 0.7 extended 0.6 gap 0.1"
    assert eventually(lambda: said in server.log_tail(2000), bool), server.log_tail(50)
    found = server.cli("reconcile")
    assert found.returncode == 1, found.stdout + found.stderr
    assert said in found.stdout
    assert "live positions of 1 accounts against Extended: 1 gaps" in found.stdout
    assert eth_size(trader, account_id) == Decimal("0.7")  # reported, never copied in
