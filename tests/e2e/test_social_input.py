"""Social over HTTP and WebSocket against a real server, on SQLite and on PostgreSQL: a
shared closed trade reaches a follower live with its markup as text; bad input (over-long
text, unknown reasons and kinds, another trader's position as a trade share, share
figures sent by the client, bad cursors, huge page sizes) answers 4xx naming the field
and leaves every profile, feed, thread and report queue as it was."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import (
    DATABASES,
    Admin,
    Server,
    Trader,
    assert_error,
    create_trader,
    eventually,
    module_server,
    new_admin,
)
from .test_websocket import live, subscribe, until

MARKUP = '<script>alert("x")</script><b>bold</b> <a href="javascript:steal()">$BTC</a>'


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    yield from module_server(tmp_path_factory, request, request.param)


def closed_trade(trader: Trader) -> str:
    """A BTC position opened and closed: its id as the trader's shares list it."""
    trader.market("buy", "0.01")
    closing = trader.post("/positions/BTC-USD/close", json={"account_id": trader.account_id})
    assert closing.status_code < 300, closing.text
    shares = eventually(
        lambda: trader.get("/profiles/me/closed-positions").json()["items"],
        lambda items: len(items) > 0,
    )
    return str(shares[0]["trade_share"]["position_id"])


@pytest.fixture(scope="module")
def people(server: Server) -> Iterator[dict[str, Any]]:
    """ann (a closed trade, a post with bob's comment) followed by bob (a closed trade of
    his own), and an admin."""
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    ann, bob = create_trader(server, "ann"), create_trader(server, "bob")
    assert bob.post(f"/profiles/{ann.username}/follow").json()["status"] == "active"
    mine, his = closed_trade(ann), closed_trade(bob)
    post = ann.post("/posts", json={"text": "first idea $BTC"}).json()
    bob.post(f"/posts/{post['post_id']}/comments", json={"text": "agreed"})
    yield {"admin": admin, "ann": ann, "bob": bob, "post": post, "mine": mine, "his": his}
    for user in (admin, ann, bob):
        user.close()


def test_a_shared_trade_reaches_a_follower_live_with_markup_as_text(
    people: dict[str, Any],
) -> None:
    ann, bob = people["ann"], people["bob"]
    with live(bob.server, bob.access_token) as ws:
        assert subscribe(ws, "feed")["type"] == "subscribed"
        answer = ann.post(
            "/posts", json={"text": MARKUP, "trade_share": {"position_id": people["mine"]}}
        )
        assert answer.status_code == 201, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        posted = answer.json()["post_id"]
        # Earlier posts may still be on their way (the push follows the events).
        item = until(ws, lambda m: m.get("channel") == "feed" and m["data"]["post_id"] == posted)
        item = item["data"]
    assert (item["type"], item["text"]) == ("FeedItem", MARKUP)
    share = item["trade_share"]
    assert (share["position_id"], share["market"], share["side"]) == (
        people["mine"],
        "BTC-USD",
        "long",
    )
    assert {"entry_price", "exit_price", "roi_pct", "hold_seconds"} <= set(share), share
    assert not {"size", "pnl", "balance"} & set(share), share
    read = bob.get(f"/posts/{item['post_id']}").json()
    assert (read["text"], read["markets"]) == (MARKUP, ["BTC-USD"])
    assert bob.put(f"/posts/{item['post_id']}/reaction", json={"kind": "fire"}).status_code == 200
    assert bob.post(f"/posts/{item['post_id']}/comments", json={"text": MARKUP}).status_code == 201
    read = ann.get(f"/posts/{item['post_id']}").json()
    assert (read["reactions"], read["comments"]) == ({"fire": 1}, 1)
    (comment,) = ann.get(f"/posts/{item['post_id']}/comments").json()["items"]
    assert comment["text"] == MARKUP


def cursor_of(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def shared(position_id: str) -> dict[str, Any]:
    return {"trade_share": {"position_id": position_id}}


def report(target_type: str, reason: str) -> dict[str, str]:
    return {"target_type": target_type, "target_id": "{post}", "reason": reason}


SHARE = "trade_share.position_id"
NAIVE_CURSOR = cursor_of(["2026-01-01T00:00:00", "some-id"])
HUGE = str(10**30)
# (who, method, path, body, query, status, field); {post}, {ann}, {mine}, {his} filled in.
BAD: list[tuple[str, str, str, Any, dict[str, Any] | None, int, str]] = [
    ("ann", "POST", "/posts", {"text": "x" * 501}, None, 422, "text"),
    ("ann", "POST", "/posts", {"text": "a\x07b"}, None, 422, "text"),
    (
        "ann",
        "POST",
        "/posts",
        {"text": "mine", "trade_share": {"position_id": "{his}"}},
        None,
        404,
        "trade_share.position_id",
    ),
    (
        "ann",
        "POST",
        "/posts",
        {"text": "none", "trade_share": {"position_id": "no-such"}},
        None,
        404,
        "trade_share.position_id",
    ),
    (
        "ann",
        "POST",
        "/posts",
        {"text": "long", "trade_share": {"position_id": "p" * 65}},
        None,
        422,
        "trade_share.position_id",
    ),
    (
        "ann",
        "POST",
        "/posts",
        {"text": "sent", "trade_share": {"position_id": "{mine}", "roi_pct": "900"}},
        None,
        422,
        "trade_share.roi_pct",
    ),
    ("ann", "POST", "/posts", {"text": "<b>x</b>", "html": True}, None, 422, "html"),
    ("ann", "PATCH", "/posts/{post}", {"text": "y" * 501}, None, 422, "text"),
    ("bob", "PATCH", "/posts/{post}", {"text": "not his"}, None, 404, ""),
    ("bob", "POST", "/posts/{post}/comments", {"text": "z" * 281}, None, 422, "text"),
    ("bob", "PUT", "/posts/{post}/reaction", {"kind": "love"}, None, 422, "kind"),
    ("ann", "PUT", "/profiles/me", {"display_name": "n" * 41}, None, 422, "display_name"),
    ("ann", "PUT", "/profiles/me", {"display_name": "two\nlines"}, None, 422, "display_name"),
    ("ann", "PUT", "/profiles/me", {"bio": "b" * 281}, None, 422, "bio"),
    ("ann", "PUT", "/profiles/me", {"visibility": "friends"}, None, 422, "visibility"),
    (
        "bob",
        "POST",
        "/reports",
        {"target_type": "post", "target_id": "{post}", "reason": "boring"},
        None,
        422,
        "reason",
    ),
    (
        "bob",
        "POST",
        "/reports",
        {"target_type": "market", "target_id": "{post}", "reason": "spam"},
        None,
        422,
        "target_type",
    ),
    ("ann", "POST", "/profiles/{ann}/follow", None, None, 422, "username"),
    ("ann", "GET", "/feed", None, {"cursor": "bogus"}, 422, "cursor"),
    ("ann", "GET", "/feed", None, {"cursor": NAIVE_CURSOR}, 422, "cursor"),
    ("ann", "GET", "/feed", None, {"cursor": "A" * 300}, 422, "cursor"),
    ("ann", "GET", "/feed", None, {"limit": 0}, 422, "limit"),
    ("ann", "GET", "/feed", None, {"limit": 51}, 422, "limit"),
    ("ann", "GET", "/feed", None, {"limit": HUGE}, 422, "limit"),
    ("ann", "GET", "/feed", None, {"limit": "all"}, 422, "limit"),
    ("bob", "GET", "/profiles/{ann}/posts", None, {"limit": 10**6}, 422, "limit"),
    ("bob", "GET", "/profiles/{ann}/posts", None, {"cursor": cursor_of([1, 2])}, 422, "cursor"),
    ("bob", "GET", "/markets/BTC-USD/posts", None, {"cursor": cursor_of("x")}, 422, "cursor"),
    ("bob", "GET", "/profiles/{ann}/followers", None, {"limit": HUGE}, 422, "limit"),
    ("bob", "GET", "/posts/{post}/comments", None, {"cursor": "%%%"}, 422, "cursor"),
    ("ann", "GET", "/profiles/me/closed-positions", None, {"limit": 5000}, 422, "limit"),
    ("ann", "GET", "/follow-requests", None, {"limit": -1}, 422, "limit"),
    ("ann", "GET", "/profiles/me/blocks", None, {"cursor": "bogus"}, 422, "cursor"),
    ("ann", "GET", "/profiles/me/blocks", None, {"cursor": NAIVE_CURSOR}, 422, "cursor"),
    ("ann", "GET", "/profiles/me/blocks", None, {"limit": 51}, 422, "limit"),
]


def fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names) if "{" in value else value
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


def world(people: dict[str, Any]) -> list[Any]:
    """Everything the bad requests could have touched, as each person reads it."""
    ann, bob, admin, post = people["ann"], people["bob"], people["admin"], people["post"]
    reads = [
        (ann, "/profiles/me"),
        (bob, "/profiles/me"),
        (ann, "/feed?limit=50"),
        (bob, "/feed?limit=50"),
        (bob, f"/profiles/{ann.username}/posts?limit=50"),
        (bob, "/markets/BTC-USD/posts?limit=50"),
        (ann, f"/posts/{post['post_id']}/comments?limit=50"),
        (ann, f"/profiles/{ann.username}/followers"),
        (ann, "/follow-requests"),
        (ann, "/profiles/me/blocks"),
        (admin, "/admin/reports?status=open"),
    ]
    return [user.get(path).json() for user, path in reads]


@pytest.mark.parametrize(("who", "method", "path", "body", "query", "status", "field"), BAD)
def test_bad_input_answers_4xx_naming_the_field_and_changes_nothing(
    people: dict[str, Any],
    who: str,
    method: str,
    path: str,
    body: Any,
    query: dict[str, Any] | None,
    status: int,
    field: str,
) -> None:
    names = {
        "post": people["post"]["post_id"],
        "ann": people["ann"].username,
        "mine": people["mine"],
        "his": people["his"],
    }
    before = world(people)
    answer = people[who].client.request(
        method, fill(path, names), json=fill(body, names), params=query
    )
    assert_error(answer, status, field or None)
    assert world(people) == before


def blocked_names(trader: Trader) -> list[str]:
    answer = trader.get("/profiles/me/blocks")
    assert answer.status_code == 200, answer.text
    return [b["username"] for b in answer.json()["items"]]


def test_one_s_blocks_are_listed_to_oneself_only_and_unblocked_from_there(
    server: Server, people: dict[str, Any]
) -> None:
    eve, cat, dan = (create_trader(server, name) for name in ("eve", "cat", "dan"))
    try:
        for target in (cat, dan):
            people["admin"].clock(advance_seconds=1)  # the server's clock is manual
            assert eve.post(f"/profiles/{target.username}/block").status_code == 204
        assert blocked_names(eve) == [dan.username, cat.username]
        page = eve.get("/profiles/me/blocks", params={"limit": 1}).json()
        (newest,) = page["items"]
        assert (newest["user_id"], newest["username"]) == (dan.user_id, dan.username)
        assert {"display_name", "blocked_at"} <= set(newest)
        rest = eve.get("/profiles/me/blocks", params={"cursor": page["next_cursor"]}).json()
        assert ([b["username"] for b in rest["items"]], rest["next_cursor"]) == (
            [cat.username],
            None,
        )

        assert eve.delete(f"/profiles/{dan.username}/block").status_code == 204
        assert blocked_names(eve) == [cat.username]
        # The blocked see nobody in their own lists; the others never see eve's.
        for other in (cat, dan, people["ann"], people["bob"]):
            assert blocked_names(other) == [], other.username
    finally:
        for user in (eve, cat, dan):
            user.close()
