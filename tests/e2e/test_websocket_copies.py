"""The `copy:<id>` channel with a real client against a real server: the copier on a Pro
plan copies a leader (twenty closes, level 3) and watches the copy: the subscription opens
with the copy and its decisions; the leader's trade arrives as the `copied` decision (the
one the history then lists) and the copy account's figures with the position; stopping
the copy pushes `stopping` and `closed_copy`, the account emptied and the money back in the
practice account. The leader and a stranger are refused the channel, as an unknown id."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from .conftest import Admin, Server, Trader, create_trader, eventually, new_admin
from .test_websocket import live, subscribe, until

ALLOCATION = "1000"


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, Trader]:
    """lea leads (twenty closes on the day: level 3); cid copies her on the Pro plan."""
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    lea, cid, sam = (create_trader(server, name) for name in ("lea", "cid", "sam"))
    for n in range(20):
        admin.set_price("ETH-USD", "3000")
        lea.market("buy", "0.1", market="ETH-USD")
        admin.set_price("ETH-USD", "3030" if n % 2 == 0 else "2970")
        lea.market("sell", "0.1", market="ETH-USD")
    led = eventually(lambda: lea.post("/leaders/me", json={}), lambda r: r.status_code == 200)
    assert led.status_code == 200, led.text
    assert cid.put("/subscription", json={"plan": "pro"}).status_code == 200
    return {"lea": lea, "cid": cid, "sam": sam}


def decision(ws: Any, channel: str, kind: str) -> dict[str, Any]:
    message = until(
        ws,
        lambda m: (
            m["type"] == "event"
            and m["channel"] == channel
            and m["data"]["type"] == "decision"
            and m["data"]["decision"]["kind"] == kind
        ),
    )
    found: dict[str, Any] = message["data"]["decision"]
    return found


def closed_and_emptied(ws: Any, channel: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `closed_copy` decision and the account's figures at 0, in either order."""
    closed: dict[str, Any] = {}
    emptied: dict[str, Any] = {}
    while not (closed and emptied):
        data = until(ws, lambda m: m.get("channel") == channel and m["type"] == "event")["data"]
        if data["type"] == "decision" and data["decision"]["kind"] == "closed_copy":
            closed = data["decision"]
        elif data["type"] == "equity" and data["collateral"] == "0":
            emptied = data
    return closed, emptied


def test_a_copier_watches_the_copy_follow_the_leader_and_stop(
    server: Server, people: dict[str, Trader]
) -> None:
    lea, cid = people["lea"], people["cid"]
    opened = eventually(
        lambda: cid.post("/copies", json={"leader": lea.username, "allocation": ALLOCATION}),
        lambda r: r.status_code == 201,  # once copy trading has seen the Pro plan
    )
    assert opened.status_code == 201, opened.text
    copy = opened.json()
    channel = f"copy:{copy['id']}"
    funded = eventually(lambda: cid.get(f"/copies/{copy['id']}").json(), lambda c: c["funded"])
    assert funded["account"]["equity"] == ALLOCATION
    before = cid.collateral()

    with live(server, cid.access_token) as ws:
        first = subscribe(ws, channel)
        assert first["type"] == "subscribed", first
        assert first["snapshot"]["copy"]["id"] == copy["id"]
        assert first["snapshot"]["copy"]["account"]["equity"] == ALLOCATION
        assert [d["kind"] for d in first["snapshot"]["decisions"]["items"]] == ["funded"]

        lea.market("buy", "0.5")
        copied = decision(ws, channel, "copied")
        assert (copied["market"], copied["side"], copied["action"]) == ("BTC-USD", "buy", "open")
        equity = until(
            ws,
            lambda m: (
                m.get("channel") == channel
                and m["type"] == "event"
                and m["data"]["type"] == "equity"
                and m["data"]["positions"] != []
            ),
        )["data"]
        (position,) = equity["positions"]
        assert (position["market"], position["side"], position["size"]) == (
            "BTC-USD",
            "long",
            copied["size"],
        )
        history = cid.get(f"/copies/{copy['id']}/decisions").json()["items"]
        assert history[0] == copied

        stopping = cid.delete(f"/copies/{copy['id']}")
        assert (stopping.status_code, stopping.json()["status"]) == (202, "stopping")
        assert decision(ws, channel, "stopping")["reason"] == "by_copier"
        # The copy closes and its account empties; the figures are read at the account's
        # first event after the stop, so "emptied" may come before or after "closed".
        closed, emptied = closed_and_emptied(ws, channel)
        assert closed["reason"] == "by_copier"
        assert emptied["positions"] == []

    done = cid.get(f"/copies/{copy['id']}").json()
    assert (done["status"], done["stop_reason"]) == ("closed", "by_copier")
    returned = Decimal(done["returned"])
    assert Decimal(800) < returned <= Decimal(ALLOCATION)
    back = eventually(cid.collateral, lambda c: c == before + returned)
    assert back == before + returned


def test_only_the_copier_watches_a_copy(server: Server, people: dict[str, Trader]) -> None:
    (mine,) = people["cid"].get("/copies").json()["items"][:1]
    for who in ("lea", "sam"):
        with live(server, people[who].access_token) as ws:
            refused = subscribe(ws, f"copy:{mine['id']}")
            assert (refused["type"], refused["code"]) == ("error", "not_found")
            unknown = subscribe(ws, "copy:no-such-copy")
            assert (unknown["type"], unknown["code"]) == ("error", "not_found")
            assert refused["message"] == unknown["message"].replace("no-such-copy", mine["id"])


def test_the_leader_watches_copiers_come_and_go(server: Server, people: dict[str, Trader]) -> None:
    lea, cid = people["lea"], people["cid"]

    def figures(ws: Any, copiers: int) -> dict[str, Any]:
        message = until(
            ws,
            lambda m: (
                m["type"] == "event"
                and m["channel"] == "leader"
                and m["data"]["copiers"] == copiers
            ),
        )
        found: dict[str, Any] = message["data"]
        return found

    with live(server, lea.access_token) as ws:
        first = subscribe(ws, "leader")
        assert first["type"] == "subscribed", first
        before = first["snapshot"]["copiers"]
        allocated = Decimal(first["snapshot"]["allocated"])
        opened = eventually(
            lambda: cid.post("/copies", json={"leader": lea.username, "allocation": ALLOCATION}),
            lambda r: r.status_code == 201,
        )
        assert opened.status_code == 201, opened.text
        grew = figures(ws, before + 1)
        assert Decimal(grew["allocated"]) == allocated + Decimal(ALLOCATION)
        assert cid.delete(f"/copies/{opened.json()['id']}").status_code == 202
        back = figures(ws, before)
        assert Decimal(back["allocated"]) == allocated
    with live(server, cid.access_token) as ws:  # anyone's own: not leading, no copiers
        assert subscribe(ws, "leader")["snapshot"] == {"copiers": 0, "allocated": "0"}
