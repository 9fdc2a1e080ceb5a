"""Feeds over SQLite and PostgreSQL: newest first with cursor pages, follows (instant and
approved), blocks both ways, private profiles, market tags, comments and reactions."""

from __future__ import annotations

import pytest
from social_platform import RULES, do, later, sign_up

from astratrade.platform import Platform
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.social import views
from astratrade.social.domain.commands import (
    AddComment,
    AnswerFollowRequest,
    BlockUser,
    FollowUser,
    PublishPost,
    React,
    UpdateProfile,
)
from astratrade.social.domain.rules import ReactionKind, Visibility


async def post(platform: Platform, user_id: str, text: str) -> str:
    later(platform)
    written = await do(platform, PublishPost(user_id=user_id, text=text))
    return str(written.id)


async def home(platform: Platform, user_id: str, limit: int = 50) -> list[str]:
    page = await views.home_feed(platform.read_db, user_id, None, limit, RULES)
    return [p.text for p in page.items]


async def test_home_feed_is_followed_and_own_posts_newest_first_in_cursor_pages(
    platform: Platform,
) -> None:
    ids = await sign_up(platform, "ann", "bob", "cat")
    await do(platform, FollowUser(user_id=ids["ann"], username="BOB"))
    for n in range(5):
        await post(platform, ids["bob"], f"bob {n}")
    await post(platform, ids["ann"], "ann 0")
    await post(platform, ids["cat"], "cat 0")  # not followed

    pages, cursor = [], None
    while True:
        page = await views.home_feed(platform.read_db, ids["ann"], cursor, 2, RULES)
        pages.append([p.text for p in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == [["ann 0", "bob 4"], ["bob 3", "bob 2"], ["bob 1", "bob 0"]]

    with pytest.raises(ValidationFailed) as refused:
        await views.home_feed(platform.read_db, ids["ann"], "not-a-cursor", 2, RULES)
    assert refused.value.field == "cursor"


async def test_a_post_in_the_same_instant_pages_by_id(platform: Platform) -> None:
    ids = await sign_up(platform, "ann")
    for n in range(4):  # the clock does not move: the id orders them
        await do(platform, PublishPost(user_id=ids["ann"], text=f"ann {n}"))
    first = await views.home_feed(platform.read_db, ids["ann"], None, 2, RULES)
    rest = await views.home_feed(platform.read_db, ids["ann"], first.next_cursor, 2, RULES)
    texts = [p.text for p in first.items + rest.items]
    assert sorted(texts) == ["ann 0", "ann 1", "ann 2", "ann 3"]
    assert rest.next_cursor is None


async def test_a_private_profile_s_posts_reach_approved_followers_only(
    platform: Platform,
) -> None:
    ids = await sign_up(platform, "ann", "cat")
    await do(platform, UpdateProfile(user_id=ids["cat"], visibility=Visibility.PRIVATE))
    await post(platform, ids["cat"], "cat's private thoughts on $ETH")
    request = await do(platform, FollowUser(user_id=ids["ann"], username="cat"))

    profile = await views.profile_of(platform.read_db, ids["ann"], username="cat")
    assert (profile.posts_visible, profile.relationship.following) == (False, "requested")  # type: ignore[union-attr]
    assert (
        await views.profile_feed(platform.read_db, ids["ann"], "cat", None, 20, RULES)
    ).items == []
    assert await home(platform, ids["ann"]) == []
    market = await views.market_feed(platform.read_db, ids["ann"], "ETH-USD", None, 20, RULES)
    assert market.items == []
    waiting = await views.follow_requests(platform.read_db, ids["cat"], None, 20)
    assert [r.username for r in waiting.items] == ["ann"]

    await do(platform, AnswerFollowRequest(user_id=ids["cat"], follow_id=request.id, approve=True))

    assert await home(platform, ids["ann"]) == ["cat's private thoughts on $ETH"]
    market = await views.market_feed(platform.read_db, ids["ann"], "ETH-USD", None, 20, RULES)
    assert [p.markets for p in market.items] == [["ETH-USD"]]


async def test_a_block_hides_everything_both_ways_and_ends_the_follows(
    platform: Platform,
) -> None:
    ids = await sign_up(platform, "ann", "bob")
    await do(platform, FollowUser(user_id=ids["ann"], username="bob"))
    await do(platform, FollowUser(user_id=ids["bob"], username="ann"))
    await post(platform, ids["bob"], "bob on $BTC")
    await post(platform, ids["ann"], "ann on $BTC")

    await do(platform, BlockUser(user_id=ids["bob"], username="ann"))

    for viewer, other in (("ann", "bob"), ("bob", "ann")):
        assert await home(platform, ids[viewer]) == [f"{viewer} on $BTC"]
        market = await views.market_feed(platform.read_db, ids[viewer], "BTC-USD", None, 20, RULES)
        assert [p.author.username for p in market.items] == [viewer]
        with pytest.raises(NotFound):
            await views.profile_of(platform.read_db, ids[viewer], username=other)
        with pytest.raises(NotFound):
            await views.profile_feed(platform.read_db, ids[viewer], other, None, 20, RULES)
        with pytest.raises(NotFound):
            await do(platform, FollowUser(user_id=ids[viewer], username=other))
    mine = await views.profile_of(platform.read_db, ids["ann"], username="ann")
    assert (mine.followers, mine.following) == (0, 0)


async def test_posts_carry_reaction_counts_the_viewer_s_own_and_comments(
    platform: Platform,
) -> None:
    ids = await sign_up(platform, "ann", "bob", "cat")
    post_id = await post(platform, ids["ann"], "ann's call")
    await do(platform, React(user_id=ids["bob"], post_id=post_id, kind=ReactionKind.FIRE))
    await do(platform, React(user_id=ids["cat"], post_id=post_id, kind=ReactionKind.LIKE))
    await do(platform, React(user_id=ids["cat"], post_id=post_id, kind=ReactionKind.FIRE))
    await do(platform, AddComment(user_id=ids["bob"], post_id=post_id, text="nice <b>stop</b>"))

    seen = await views.post(platform.read_db, ids["cat"], post_id, RULES)
    assert (seen.reactions, seen.my_reaction, seen.comments) == ({"fire": 2}, "fire", 1)
    thread = await views.comments_of(platform.read_db, ids["cat"], post_id, None, 20)
    assert [(c.author.username, c.text) for c in thread.items] == [("bob", "nice <b>stop</b>")]
