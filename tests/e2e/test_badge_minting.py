"""Badges minted on Starknet by a real server: a trader earns two badges with no wallet
(they stay off-chain and nothing is queued), then links a Starknet wallet with a real Stark
signature; the server's own minting loop queues a mint for each earlier badge, submits it
as a signed v3 invoke and confirms it by reading `owner_of` back. The node is the stand-in
of tests/support/starknet_node.py, served from a thread on a loopback port; it checks every
invoke's hash and signature and holds `owner_of` reads so each state can be seen over HTTP.
One server on SQLite."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from support.starknet_node import Node, running_node, settings

from .conftest import Admin, Server, Trader, create_trader, eventually, new_admin, own_server
from .test_wallet_sign_in import Wallet, challenge

T = TypeVar("T")
ROUND_SECONDS = 0.2  # the server's wait between minting rounds
CHAIN_LAG = 20.0  # seconds: a mint is signed and sent, then waited for, on 2 busy cores
# Closes on three markets: FIRST_TRADE, then DIVERSIFIER (gamification's defaults).
ROUND_TRIPS = (("ETH-USD", "3000", "3030", "0.1"), ("BTC-USD", "60000", "60600", "0.01"),
               ("SOL-USD", "150", "151.5", "1"))  # fmt: skip


@pytest.fixture
def minting(tmp_path: Path) -> Iterator[tuple[Node, Server]]:
    node = Node()  # each transaction RECEIVED first, then ACCEPTED_ON_L2
    with running_node(node) as url, own_server(
        tmp_path, badge_starknet_rpc_url=url, badge_mint_every_seconds=str(ROUND_SECONDS),
        badge_starknet_check_seconds="0.05", **settings(),
    ) as server:  # fmt: skip
        yield node, server
    assert node.problems == []


def earn_two_badges(admin: Admin, trader: Trader) -> list[dict[str, Any]]:
    for market, price, higher, size in ROUND_TRIPS:
        admin.set_price(market, price)
        trader.market("buy", size, market=market)
        admin.set_price(market, higher)
        trader.market("sell", size, market=market)
    mine: list[dict[str, Any]] = eventually(
        lambda: trader.get("/badges/me").json()["items"], lambda items: len(items) == 2
    )
    assert {b["achievement"] for b in mine} == {"FIRST_TRADE", "DIVERSIFIER"}, mine
    return mine


def until(read: Callable[[], T], ok: Callable[[T], bool]) -> T:
    """Read until `ok` holds or CHAIN_LAG has passed; the last read either way."""
    deadline = time.monotonic() + CHAIN_LAG
    while True:
        value = read()
        if ok(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def link(trader: Trader, wallet: Wallet) -> None:
    issued = challenge(trader, wallet.address)
    body = wallet.body(issued, wallet.sign(issued["typed_data"]))
    linked = trader.post("/auth/wallet/verify", json=body)
    assert linked.status_code == 200, linked.text
    assert linked.json()["linked"] is True


def statuses(trader: Trader) -> dict[str, str]:
    return {b["token_id"]: b["mint_status"] for b in trader.get("/badges/me").json()["items"]}


def queue(admin: Admin, **params: str) -> list[dict[str, Any]]:
    answer = admin.get("/admin/badges/mints", params=params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_wallet_linked_later_gets_the_earlier_badges_minted_once(
    minting: tuple[Node, Server],
) -> None:
    node, server = minting
    admin = Admin(server, new_admin(server), "")
    trader = create_trader(server, "minter")
    node.unminted_reads.clear()  # a mint's first owner_of waits: the mint stays pending
    node.minted_reads.clear()  # a confirmation's owner_of waits: the mint stays submitted

    badges = earn_two_badges(admin, trader)
    tokens = {b["token_id"] for b in badges}
    for badge in badges:
        assert badge["mint_status"] == "off_chain", badge
        assert "until a Starknet wallet is linked" in badge["mint_note"], badge
    time.sleep(3 * ROUND_SECONDS)  # rounds run; with no wallet they queue nothing
    assert queue(admin) == []
    assert "starknet_call" not in node.calls

    wallet = Wallet()
    link(trader, wallet)
    address = f"0x{wallet.address:064x}"

    pending = until(lambda: queue(admin), lambda items: len(items) == 2)
    assert {m["token_id"] for m in pending} == tokens, pending
    assert {(m["status"], m["to"], m["username"]) for m in pending} == {
        ("pending", address, trader.username)
    }
    assert set(statuses(trader).values()) == {"pending"}
    assert [m["token_id"] for m in queue(admin, status="pending")] != []
    assert node.minted == []

    node.unminted_reads.set()  # both are sent; their confirmations are held
    submitted = until(lambda: queue(admin, status="submitted"), lambda items: len(items) == 2)
    assert {m["token_id"] for m in submitted} == tokens, queue(admin)
    for mint in submitted:
        assert mint["tx_hash"] is not None
        assert len(mint["tx_hash"]) == 66, mint
        assert mint["attempts"] == 1, mint
    assert len({m["tx_hash"] for m in submitted}) == 2
    assert set(statuses(trader).values()) == {"submitted"}
    assert sorted(node.minted) == sorted(int(t) for t in tokens)
    assert {node.owners[int(t)] for t in tokens} == {wallet.address}

    node.minted_reads.set()  # owner_of reads the wallet back: confirmed
    confirmed = until(lambda: queue(admin, status="confirmed"), lambda items: len(items) == 2)
    assert {m["token_id"] for m in confirmed} == tokens, queue(admin)
    assert {m["reason"] for m in confirmed} == {None}
    owner_sees = until(lambda: statuses(trader), lambda s: set(s.values()) == {"confirmed"})
    assert owner_sees == dict.fromkeys(tokens, "confirmed")
    assert queue(admin, status="pending") == []
    assert queue(admin, status="failed") == []

    time.sleep(5 * ROUND_SECONDS)  # later rounds leave confirmed mints alone
    assert sorted(node.minted) == sorted(int(t) for t in tokens)  # one mint per badge
    assert len(node.invokes) == 2
    trader.close()
    admin.close()
