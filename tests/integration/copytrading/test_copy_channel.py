"""The `copy:<id>` channel on a whole embedded platform (SQLite and PostgreSQL), trading
real: the owner's subscription opens with the copy and its decisions page, anyone else's
(or an unknown id) is refused; each decision is pushed as the history then shows it (same
id and fields), the copy account's figures after trading's fill and as prices move (at
most once a second), and the stop's decisions down to the copy closed. Nothing is pushed
to a copy nobody watches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from copying_support import Api, events_of
from fastapi import FastAPI

from astratrade.entrypoints.app import create_app
from astratrade.entrypoints.realtime import copy_feed
from astratrade.entrypoints.realtime.feeds import Feeds
from astratrade.entrypoints.realtime.hub import Connection, Hub
from astratrade.entrypoints.realtime.ws_api import _channel
from astratrade.platform import Platform
from astratrade.shared.errors import NotFound
from astratrade.shared.ids import new_id
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.prices import Quote


class Client:
    def __init__(self, hub: Hub, user_id: str) -> None:
        self.received: list[dict[str, Any]] = []
        self.connection = Connection(self._send, user_id)
        hub.join(self.connection)
        self.task = asyncio.create_task(self.connection.pump())

    async def _send(self, text: str) -> None:
        self.received.append(json.loads(text))

    def data(self, kind: str) -> list[dict[str, Any]]:
        return [
            m["data"] for m in self.received if m["type"] == "event" and m["data"]["type"] == kind
        ]


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


@pytest.fixture
async def live(platform: Platform) -> AsyncIterator[tuple[Api, FastAPI]]:
    app = create_app(platform, metrics=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(http, platform), app


async def subscribe(app: FastAPI, client: Client, channel: str) -> dict[str, Any]:
    feeds: Feeds = app.state.feeds
    name, snapshot = await _channel(channel, client.connection.user_id, feeds)
    await app.state.hub.subscribe(client.connection, name, None, snapshot, alias=channel)
    await settle()
    opened: dict[str, Any] = client.received[-1]
    return opened


async def from_trading(platform: Platform, kind: str, payload: dict[str, Any]) -> None:
    """An event of trading's, handed to the bus as trading's commit would hand it."""
    envelope = Envelope(
        event_id=new_id(),
        type=kind,
        version=1,
        context="trading",
        aggregate_id=str(payload["copy_account_id"]),
        aggregate_version=1,
        occurred_at=platform.clock.now(),
        payload=payload,
        correlation_id=None,
    )
    platform.backbone.committed([envelope])  # type: ignore[attr-defined]
    await platform.backbone.drain()


async def test_the_owner_watches_decisions_and_equity_live_to_the_copy_closed(
    live: tuple[Api, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, app = live
    platform = api.platform
    monkeypatch.setattr(copy_feed, "JOINED_SECONDS", 0.0)  # the test's reads are instant
    await api.sign_up("ada", "ben", "cat")
    await api.lead("ada")
    await api.subscribe("ben")
    await api.mark("BTC-USD", "60000")
    opened = await api.call("ben", "POST", "/copies", json={"leader": "ada", "allocation": "1000"})
    assert opened.status_code == 201, opened.text
    copy_id, account = opened.json()["id"], opened.json()["copy_account_id"]

    ben = Client(app.state.hub, api.ids["ben"])
    first = await subscribe(app, ben, f"copy:{copy_id}")
    assert (first["type"], first["channel"], first["resumed"]) == (
        "subscribed",
        f"copy:{copy_id}",
        False,
    )
    snapshot = first["snapshot"]
    shown = (await api.call("ben", "GET", f"/copies/{copy_id}")).json()
    assert snapshot["copy"] == shown  # funded by trading already: its account too
    assert snapshot["copy"]["account"]["equity"] == "1000"
    history = (await api.call("ben", "GET", f"/copies/{copy_id}/decisions")).json()
    assert snapshot["decisions"] == history
    assert [d["kind"] for d in history["items"]] == ["funded"]

    # Anyone else's copy, and one there is none of, are refused as another's account is.
    for who, channel in (
        ("ada", f"copy:{copy_id}"),
        ("cat", f"copy:{copy_id}"),
        ("ben", "copy:nope"),
    ):
        with pytest.raises(NotFound):
            await _channel(channel, api.ids[who], app.state.feeds)

    # The leader's fill: the decision, then trading's fill of the copy's order, live.
    await api.trade("ada", "0.5", "buy")  # 0.5 x 1,000 / 9,988.599025: 0.05005
    await settle()
    (filled,) = await events_of(platform, api.accounts["ada"], "LeaderFilled")
    fill_id = filled.payload["fill_id"]
    (copied,) = [d["decision"] for d in ben.data("decision")]
    history = (await api.call("ben", "GET", f"/copies/{copy_id}/decisions")).json()["items"]
    assert copied == history[0]
    assert (copied["kind"], copied["size"], copied["leader_fill"]["id"]) == (
        "copied",
        "0.05005",
        fill_id,
    )
    equity = ben.data("equity")[-1]
    assert equity["positions"] == [
        {"market": "BTC-USD", "side": "long", "size": "0.05005", "mark_price": "60000"}
    ]
    now = (await api.call("ben", "GET", f"/copies/{copy_id}")).json()["account"]
    assert {k: equity[k] for k in now} == now

    # Prices move: the figures once a second at most, in one read for every watched copy.
    feeds: Feeds = app.state.feeds
    reads: list[list[str]] = []
    assert feeds.copies is not None
    read = feeds.copies._accounts

    async def counted(ids: list[str]) -> dict[str, dict[str, Any]]:
        reads.append(ids)
        return await read(ids)

    monkeypatch.setattr(feeds.copies, "_accounts", counted)
    monkeypatch.setattr(feeds.copies, "_refreshed", 0.0)  # the fill's own batch was just read
    moved = Quote("BTC-USD", Decimal(61000), Decimal(61000), platform.clock.now())
    await app.state.prices.apply([moved])  # the engine's marks, then the hub's
    await settle()
    await app.state.prices.apply([moved])  # within the second: nothing read
    await settle()
    assert reads == [[account]]
    raised = ben.data("equity")[-1]
    assert raised["positions"][0]["mark_price"] == "61000"
    assert Decimal(raised["equity"]) > Decimal(equity["equity"])
    monkeypatch.setattr(copy_feed, "EQUITY_SECONDS", 0.0)
    feeds.quotes([moved])  # read again, nothing moved: nothing pushed
    await settle()
    assert len(reads) == 2
    assert ben.data("equity")[-1] == raised
    assert len(ben.data("equity")) == 2

    # Stopped: stopping, the position closed, and the copy closed, each as the history has it.
    stopping = await api.call("ben", "DELETE", f"/copies/{copy_id}")
    assert stopping.status_code == 202
    await settle()
    closed = (await api.call("ben", "GET", f"/copies/{copy_id}")).json()
    assert closed["status"] == "closed", closed
    history = (await api.call("ben", "GET", f"/copies/{copy_id}/decisions")).json()["items"]
    pushed = [d["decision"] for d in ben.data("decision")]
    assert pushed == list(reversed(history[: len(pushed)]))
    kinds = [d["kind"] for d in pushed]
    assert kinds == ["copied", "stopping", "profit_share", "closed_copy"], kinds
    assert ben.data("equity")[-1]["collateral"] == "0"

    # Nobody watching: nothing pushed, nothing kept.
    app.state.hub.leave(ben.connection)
    seq = app.state.hub.channel(f"copy:{copy_id}").seq
    await from_trading(
        platform,
        "CopyOrderRefused",
        {
            "copy_id": copy_id,
            "copy_account_id": account,
            "decision_id": "d-1",
            "market": "BTC-USD",
            "code": "account_closed",
            "message": "the copy account is closed",
        },
    )
    assert app.state.hub.channel(f"copy:{copy_id}").seq == seq
    ben.task.cancel()
