"""The `feed` WebSocket channel: a new post reaches the author and their approved
followers watching, as the home feed shows it; nobody else (a non-follower, a blocked
user, a follower still waiting for approval) gets it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from .conftest import DATABASES, Trader, module_server
from .test_websocket import WAIT, event_on, live, subscribe


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    """This module's server on SQLite, then on PostgreSQL."""
    yield from module_server(tmp_path_factory, request, request.param)


def nothing_on_feed(ws: ClientConnection) -> None:
    """The client's messages up to a pong hold no feed event: the hub publishes an item to
    everyone it is for at once, so a feed event would have been queued before the pong."""
    ws.send(json.dumps({"type": "ping"}))
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
        if message["type"] == "pong":
            return
        assert message.get("channel") != "feed", message


def test_a_new_post_reaches_approved_followers_only(new_trader: Any) -> None:
    ann, bob, cat, dan, eve = (new_trader(n) for n in ("ann", "bob", "cat", "dan", "eve"))
    assert bob.post(f"/profiles/{ann.username}/follow").json()["status"] == "active"
    assert dan.post(f"/profiles/{ann.username}/follow").status_code == 200
    assert ann.post(f"/profiles/{dan.username}/block").status_code == 204
    first = ann.post("/posts", json={"text": "before anyone watched $BTC"}).json()

    with (
        live(ann.server, ann.access_token) as mine,
        live(bob.server, bob.access_token) as follower,
        live(cat.server, cat.access_token) as stranger,
        live(dan.server, dan.access_token) as blocked,
        live(eve.server, eve.access_token) as waiting,
    ):
        opened = subscribe(follower, "feed")
        assert [p["post_id"] for p in opened["snapshot"]["items"]] == [first["post_id"]]
        for ws in (mine, stranger, blocked, waiting):
            assert subscribe(ws, "feed")["type"] == "subscribed"
        assert ann.put("/profiles/me", json={"visibility": "private"}).status_code == 200
        assert eve.post(f"/profiles/{ann.username}/follow").json()["status"] == "requested"

        posted = ann.post("/posts", json={"text": "new idea on $ETH"}).json()

        for ws in (follower, mine):
            item = event_on(ws, "feed")["data"]
            assert (item["type"], item["post_id"], item["text"]) == (
                "FeedItem",
                posted["post_id"],
                "new idea on $ETH",
            )
            assert (item["author"]["username"], item["markets"]) == (ann.username, ["ETH-USD"])
        for ws in (stranger, blocked, waiting):
            nothing_on_feed(ws)


def test_feed_is_the_caller_s_own_channel(trader: Trader) -> None:
    with live(trader.server, trader.access_token) as ws:
        refused = subscribe(ws, f"feed:{trader.user_id}")
        assert (refused["type"], refused["code"]) == ("error", "not_found")
