"""Social's routes over HTTP on SQLite and PostgreSQL: profiles, follows, feeds with
cursor pages, posts, comments, reactions, reports; every input validated (422 naming the
field), another user's things 404, the edit window 409, rate limits 429."""

from __future__ import annotations

import pytest
from http_support import Api, error_of

HTML = '<img src=x onerror="alert(1)"> & <b>bold</b> https://example.com $BTC'


async def test_a_follower_sees_the_post_in_the_feed_paged_by_cursor(api: Api) -> None:
    await api.sign_up("ann", "bob")
    updated = await api.call(
        "bob", "PUT", "/profiles/me", json={"display_name": "Bob B.", "bio": "Swing trader"}
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["display_name"], updated.json()["automatic_items"]["level"]) == (
        "Bob B.",
        True,
    )

    follow = await api.call("ann", "POST", "/profiles/bob/follow")
    assert follow.json()["status"] == "active"
    for n in range(3):
        api.platform.clock.advance(1)  # type: ignore[attr-defined]
        created = await api.call("bob", "POST", "/posts", json={"text": f"idea {n} on $ETH"})
        assert created.status_code == 201, created.text
        assert created.json()["markets"] == ["ETH-USD"]

    first = await api.call("ann", "GET", "/feed", params={"limit": 2})
    assert [p["text"] for p in first.json()["items"]] == ["idea 2 on $ETH", "idea 1 on $ETH"]
    assert first.json()["items"][0]["author"] == {
        "user_id": api.ids["bob"],
        "username": "bob",
        "display_name": "Bob B.",
    }
    rest = await api.call(
        "ann", "GET", "/feed", params={"limit": 2, "cursor": first.json()["next_cursor"]}
    )
    assert ([p["text"] for p in rest.json()["items"]], rest.json()["next_cursor"]) == (
        ["idea 0 on $ETH"],
        None,
    )

    profile = (await api.call("ann", "GET", "/profiles/BOB")).json()
    assert (profile["followers"], profile["relationship"]["following"], profile["bio"]) == (
        1,
        "active",
        "Swing trader",
    )
    assert profile["automatic_items"] is None  # settings are the owner's
    market = await api.call("ann", "GET", "/markets/ETH-USD/posts")
    assert len(market.json()["items"]) == 3
    followers = await api.call("ann", "GET", "/profiles/bob/followers")
    assert [p["username"] for p in followers.json()["items"]] == ["ann"]


async def test_text_is_stored_and_answered_exactly_as_given(api: Api) -> None:
    await api.sign_up("ann")
    created = await api.call("ann", "POST", "/posts", json={"text": HTML})
    assert created.json()["text"] == HTML
    assert created.headers["content-type"].startswith("application/json")
    again = await api.call("ann", "GET", f"/posts/{created.json()['post_id']}")
    assert again.json()["text"] == HTML


@pytest.mark.parametrize(
    ("method", "path", "body", "params", "field"),
    [
        ("POST", "/posts", {"text": "x" * 501}, None, "text"),
        ("POST", "/posts", {"text": "  "}, None, "text"),
        ("POST", "/posts", {}, None, "text"),
        ("POST", "/posts", {"text": "hi", "html": True}, None, "html"),
        ("POST", "/posts", {"text": 5}, None, "text"),
        ("POST", "/posts", {"text": "hi", "trade_share": {}}, None, "trade_share.position_id"),
        ("PUT", "/profiles/me", {"display_name": "x" * 41}, None, "display_name"),
        ("PUT", "/profiles/me", {"bio": "y" * 281}, None, "bio"),
        ("PUT", "/profiles/me", {"visibility": "friends"}, None, "visibility"),
        (
            "PUT",
            "/profiles/me",
            {"automatic_items": {"trades": False}},
            None,
            "automatic_items.trades",
        ),
        ("GET", "/feed", None, {"cursor": "bogus"}, "cursor"),
        ("GET", "/feed", None, {"limit": 0}, "limit"),
        ("GET", "/feed", None, {"limit": 51}, "limit"),
        ("GET", "/profiles/me/blocks", None, {"cursor": "bogus"}, "cursor"),
        ("GET", "/profiles/me/blocks", None, {"limit": 0}, "limit"),
        (
            "POST",
            "/reports",
            {"target_type": "post", "target_id": "p", "reason": "boring"},
            None,
            "reason",
        ),
        (
            "POST",
            "/reports",
            {"target_type": "market", "target_id": "p", "reason": "spam"},
            None,
            "target_type",
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    api: Api, method: str, path: str, body: dict | None, params: dict | None, field: str
) -> None:
    await api.sign_up("ann")
    answer = await api.call("ann", method, path, json=body, params=params)
    assert error_of(answer, 422)["field"] == field


async def test_comments_reactions_and_their_validation(api: Api) -> None:
    await api.sign_up("ann", "bob")
    post = (await api.call("ann", "POST", "/posts", json={"text": "long $SOL"})).json()
    path = f"/posts/{post['post_id']}"

    assert (
        error_of(await api.call("bob", "POST", f"{path}/comments", json={"text": "z" * 281}), 422)[
            "field"
        ]
        == "text"
    )
    assert (
        error_of(await api.call("bob", "PUT", f"{path}/reaction", json={"kind": "love"}), 422)[
            "field"
        ]
        == "kind"
    )
    comment = await api.call("bob", "POST", f"{path}/comments", json={"text": "why?"})
    assert comment.status_code == 201
    assert (await api.call("bob", "PUT", f"{path}/reaction", json={"kind": "insight"})).json()[
        "kind"
    ] == "insight"
    assert (
        await api.call("bob", "PUT", f"{path}/reaction", json={"kind": "rocket"})
    ).status_code == 200

    seen = (await api.call("ann", "GET", path)).json()
    assert (seen["reactions"], seen["comments"]) == ({"rocket": 1}, 1)
    thread = (await api.call("ann", "GET", f"{path}/comments")).json()
    assert [c["text"] for c in thread["items"]] == ["why?"]

    assert (await api.call("bob", "DELETE", f"{path}/reaction")).status_code == 204
    assert (await api.call("ann", "GET", path)).json()["reactions"] == {}
    # The post's author may tidy their thread.
    assert (
        await api.call("ann", "DELETE", f"/comments/{comment.json()['comment_id']}")
    ).status_code == 204
    assert (await api.call("ann", "GET", path)).json()["comments"] == 0


async def test_another_user_s_things_are_not_found(api: Api) -> None:
    await api.sign_up("ann", "bob", "cat")
    post = (await api.call("ann", "POST", "/posts", json={"text": "mine"})).json()
    comment = (
        await api.call("bob", "POST", f"/posts/{post['post_id']}/comments", json={"text": "bob's"})
    ).json()
    await api.call("cat", "PUT", "/profiles/me", json={"visibility": "private"})
    request = (await api.call("bob", "POST", "/profiles/cat/follow")).json()
    assert request["status"] == "requested"

    for name, method, path, body in [
        ("bob", "PATCH", f"/posts/{post['post_id']}", {"text": "edited by bob"}),
        ("bob", "DELETE", f"/posts/{post['post_id']}", None),
        ("cat", "DELETE", f"/comments/{comment['comment_id']}", None),
        ("ann", "POST", f"/follow-requests/{request['follow_id']}/approve", None),
        ("ann", "DELETE", "/followers/bob", None),
        ("ann", "GET", "/profiles/nobody", None),
        ("ann", "GET", "/markets/DOGE-USD/posts", None),
        ("ann", "POST", "/posts", {"text": "share", "trade_share": {"position_id": "not-mine"}}),
    ]:
        answer = await api.call(name, method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await api.call("ann", "GET", f"/posts/{post['post_id']}")).json()["text"] == "mine"


async def test_a_private_profile_approves_and_a_block_hides(api: Api) -> None:
    await api.sign_up("ann", "bob")
    await api.call("ann", "PUT", "/profiles/me", json={"visibility": "private"})
    post = (await api.call("ann", "POST", "/posts", json={"text": "for friends"})).json()
    assert (await api.call("bob", "GET", f"/posts/{post['post_id']}")).status_code == 404
    request = (await api.call("bob", "POST", "/profiles/ann/follow")).json()
    waiting = (await api.call("ann", "GET", "/follow-requests")).json()["items"]
    assert [(r["request_id"], r["username"]) for r in waiting] == [(request["follow_id"], "bob")]

    approved = await api.call("ann", "POST", f"/follow-requests/{request['follow_id']}/approve")
    assert approved.json()["status"] == "active"
    assert [p["text"] for p in (await api.call("bob", "GET", "/feed")).json()["items"]] == [
        "for friends"
    ]

    assert (await api.call("ann", "POST", "/profiles/bob/block")).status_code == 204
    assert (await api.call("bob", "GET", "/feed")).json()["items"] == []
    for method, path, body in [
        ("GET", "/profiles/ann", None),
        ("GET", "/profiles/ann/posts", None),
        ("POST", "/profiles/ann/follow", None),
        ("GET", f"/posts/{post['post_id']}", None),
        ("PUT", f"/posts/{post['post_id']}/reaction", {"kind": "like"}),
        ("POST", f"/posts/{post['post_id']}/comments", {"text": "hey"}),
    ]:
        assert (await api.call("bob", method, path, json=body)).status_code == 404, path
    assert (await api.call("ann", "DELETE", "/profiles/bob/block")).status_code == 204
    assert (await api.call("ann", "DELETE", "/profiles/bob/block")).status_code == 404


async def test_one_s_blocks_are_listed_newest_first_and_paged(api: Api) -> None:
    await api.sign_up("ann", "bob", "cat", "dan")
    await api.call("bob", "PUT", "/profiles/me", json={"display_name": "Bob B."})
    for name in ("bob", "cat", "dan"):
        api.platform.clock.advance(1)  # type: ignore[attr-defined]
        assert (await api.call("ann", "POST", f"/profiles/{name}/block")).status_code == 204
    api.platform.clock.advance(1)  # type: ignore[attr-defined]
    await api.call("dan", "POST", "/profiles/ann/block")  # blocking ann back: not ann's list

    first = (await api.call("ann", "GET", "/profiles/me/blocks", params={"limit": 2})).json()
    assert [b["username"] for b in first["items"]] == ["dan", "cat"]
    rest = await api.call(
        "ann", "GET", "/profiles/me/blocks", params={"limit": 2, "cursor": first["next_cursor"]}
    )
    (bob,) = rest.json()["items"]
    assert rest.json()["next_cursor"] is None
    assert (bob["user_id"], bob["username"], bob["display_name"]) == (
        api.ids["bob"],
        "bob",
        "Bob B.",
    )
    assert bob["blocked_at"].startswith("2026-03-02T09:00:31")

    assert (await api.call("ann", "DELETE", "/profiles/cat/block")).status_code == 204
    listed = (await api.call("ann", "GET", "/profiles/me/blocks")).json()["items"]
    assert [b["username"] for b in listed] == ["dan", "bob"]
    # Blocked, not blocking: nobody in their lists but the one they blocked themselves.
    assert (await api.call("bob", "GET", "/profiles/me/blocks")).json()["items"] == []
    dan = (await api.call("dan", "GET", "/profiles/me/blocks")).json()["items"]
    assert [b["username"] for b in dan] == ["ann"]


async def test_editing_closes_after_15_minutes(api: Api) -> None:
    await api.sign_up("ann")
    post = (await api.call("ann", "POST", "/posts", json={"text": "first take"})).json()
    api.platform.clock.advance(14 * 60)  # type: ignore[attr-defined]
    edited = await api.call(
        "ann", "PATCH", f"/posts/{post['post_id']}", json={"text": "second take $BTC"}
    )
    assert (edited.json()["text"], edited.json()["markets"]) == ("second take $BTC", ["BTC-USD"])

    api.platform.clock.advance(2 * 60)  # type: ignore[attr-defined]
    await api.log_in("ann")  # the access token lasted 15 minutes
    late = await api.call("ann", "PATCH", f"/posts/{post['post_id']}", json={"text": "third"})
    assert error_of(late, 409)["code"] == "conflict"
    assert (await api.call("ann", "DELETE", f"/posts/{post['post_id']}")).status_code == 204
    assert (await api.call("ann", "GET", f"/posts/{post['post_id']}")).status_code == 404


async def test_posts_and_interactions_are_rate_limited_per_user(api: Api) -> None:
    await api.sign_up("ann", "bob")
    answers = [
        await api.call("ann", "POST", "/posts", json={"text": f"post {n}"}) for n in range(11)
    ]
    assert [a.status_code for a in answers] == [201] * 10 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert (
        await api.call("bob", "POST", "/posts", json={"text": "bob's own ten"})
    ).status_code == 201

    post_id = answers[0].json()["post_id"]
    kinds = ["like", "fire", "rocket", "insight"]
    for n in range(60):
        if n % 2:
            answer = await api.call(
                "bob", "PUT", f"/posts/{post_id}/reaction", json={"kind": kinds[n % 4]}
            )
        else:
            answer = await api.call(
                "bob", "POST", f"/posts/{post_id}/comments", json={"text": f"c{n}"}
            )
        assert answer.status_code in (200, 201), answer.text
    over = await api.call("bob", "POST", f"/posts/{post_id}/comments", json={"text": "one more"})
    assert error_of(over, 429)["code"] == "rate_limited"


async def test_reports_reach_the_moderators_who_decide(api: Api) -> None:
    await api.sign_up("ann", "bob", "cat", "dan")
    await api.sign_up("mod", admin=True)
    post = (await api.call("ann", "POST", "/posts", json={"text": "send me your keys"})).json()
    report = {"target_type": "post", "target_id": post["post_id"], "reason": "scam"}
    filed = [
        await api.call(name, "POST", "/reports", json=report) for name in ("bob", "cat", "dan")
    ]
    assert {f.status_code for f in filed} == {201}
    assert (await api.call("bob", "GET", f"/posts/{post['post_id']}")).status_code == 404  # pending

    assert (await api.call("bob", "GET", "/admin/reports")).status_code == 403
    queue = (await api.call("mod", "GET", "/admin/reports")).json()["items"]
    assert {(r["target_text"], r["open_reports"], r["target_state"]) for r in queue} == {
        ("send me your keys", 3, "pending")
    }
    bad = await api.call(
        "mod", "POST", f"/admin/reports/{queue[0]['report_id']}/resolve", json={"action": "ban"}
    )
    assert error_of(bad, 422)["field"] == "action"
    hidden = await api.call(
        "mod", "POST", f"/admin/reports/{queue[0]['report_id']}/resolve", json={"action": "hide"}
    )
    assert (hidden.json()["status"], hidden.json()["resolution"]) == ("resolved", "hide")
    assert (await api.call("mod", "GET", "/admin/reports")).json()["items"] == []
    resolved = (
        await api.call("mod", "GET", "/admin/reports", params={"status": "resolved"})
    ).json()
    assert len(resolved["items"]) == 3
    assert (await api.call("ann", "GET", f"/posts/{post['post_id']}")).json()[
        "moderation"
    ] == "hidden"
