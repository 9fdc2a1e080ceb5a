"""Walks of follows, unfollows, approvals, blocks, privacy changes and posts through the
commands, on SQLite and PostgreSQL: after every step, every feed of every viewer (home,
market, each profile, read by the views' SQL) shows exactly what an oracle kept from the
steps alone allows: nothing of a block either way, nothing private to a non-follower, and
nothing allowed missing from the home feed or a profile's. Two seeded random walks, and Hypothesis's
sequences (shrunk to the shortest that fails)."""

from __future__ import annotations

import random
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from social_platform import RULES, do, later, sign_up

from astratrade.platform import Platform
from astratrade.shared.errors import DomainError, NotFound
from astratrade.social import views
from astratrade.social.domain.commands import (
    AnswerFollowRequest,
    BlockUser,
    FollowUser,
    PublishPost,
    UnblockUser,
    UnfollowUser,
    UpdateProfile,
)
from astratrade.social.domain.rules import Visibility

USERS = ("ann", "bob", "cat", "dan")
STEPS = 30


class Oracle:
    def __init__(self) -> None:
        self.blocks: set[tuple[str, str]] = set()
        self.private: set[str] = set()
        self.approved: set[tuple[str, str]] = set()
        self.pending: set[tuple[str, str]] = set()
        self.posts: dict[str, str] = {}  # text -> author

    def blocked(self, x: str, y: str) -> bool:
        return (x, y) in self.blocks or (y, x) in self.blocks

    def may_see(self, viewer: str, author: str) -> bool:
        if viewer == author:
            return True
        if self.blocked(viewer, author):
            return False
        return author not in self.private or (viewer, author) in self.approved


async def step(
    platform: Platform, ids: dict[str, str], oracle: Oracle, kind: str, x: str, y: str
) -> None:
    me = ids[x]
    try:
        if kind == "follow":
            await do(platform, FollowUser(user_id=me, username=y))
            if (x, y) not in oracle.approved:
                (oracle.pending if y in oracle.private else oracle.approved).add((x, y))
        elif kind == "unfollow":
            await do(platform, UnfollowUser(user_id=me, username=y))
            oracle.approved.discard((x, y))
            oracle.pending.discard((x, y))
        elif kind == "approve":
            waiting = await views.follow_requests(platform.read_db, me, None, 50)
            for request in waiting.items:
                if request.username == y:
                    await do(
                        platform,
                        AnswerFollowRequest(user_id=me, follow_id=request.request_id, approve=True),
                    )
                    oracle.pending.discard((y, x))
                    oracle.approved.add((y, x))
        elif kind == "block":
            await do(platform, BlockUser(user_id=me, username=y))
            oracle.blocks.add((x, y))
            for pair in ((x, y), (y, x)):
                oracle.approved.discard(pair)
                oracle.pending.discard(pair)
        elif kind == "unblock":
            await do(platform, UnblockUser(user_id=me, username=y))
            oracle.blocks.discard((x, y))
        elif kind in ("private", "public"):
            visibility = Visibility.PRIVATE if kind == "private" else Visibility.PUBLIC
            await do(platform, UpdateProfile(user_id=me, visibility=visibility))
            if kind == "private":
                oracle.private.add(x)
            else:
                oracle.private.discard(x)
                for pair in [p for p in oracle.pending if p[1] == x]:
                    oracle.pending.discard(pair)
                    oracle.approved.add(pair)
        else:
            later(platform)
            tagged = y in tuple(ids)[:2]
            text = f"{x} #{len(oracle.posts)} {'$BTC' if tagged else ''}"
            await do(platform, PublishPost(user_id=me, text=text))
            oracle.posts[text] = x
    except DomainError:  # refused: the oracle must agree it was refusable
        refusable = {
            "follow": x == y or oracle.blocked(x, y),
            "block": x == y,
            "unblock": (x, y) not in oracle.blocks,
        }
        assert refusable.get(kind), (kind, x, y)


async def check(platform: Platform, ids: dict[str, str], oracle: Oracle) -> None:
    db = platform.read_db
    for viewer in ids:
        me = ids[viewer]
        feeds = {
            "home": await views.home_feed(db, me, None, 50, RULES),
            "market": await views.market_feed(db, me, "BTC-USD", None, 50, RULES),
        }
        for author in ids:
            try:
                feeds[author] = await views.profile_feed(db, me, author, None, 50, RULES)
            except NotFound:
                assert oracle.blocked(viewer, author)
                continue
            shown = {p.text for p in feeds[author].items}
            allowed = {
                t for t, a in oracle.posts.items() if a == author and oracle.may_see(viewer, author)
            }
            assert shown == allowed, (viewer, author)
        followed = {a for v, a in oracle.approved if v == viewer} | {viewer}
        assert {p.text for p in feeds["home"].items} == {
            t for t, a in oracle.posts.items() if a in followed and oracle.may_see(viewer, a)
        }, viewer
        for name, page in feeds.items():
            for item in page.items:
                assert oracle.may_see(viewer, item.author.username), (viewer, name, item.text)


@pytest.mark.parametrize("seed", [1, 2])
async def test_every_feed_follows_the_rules_after_every_step(platform: Platform, seed: int) -> None:
    ids = await sign_up(platform, *USERS)
    oracle = Oracle()
    chance = random.Random(seed)  # noqa: S311 - a reproducible walk, not a secret
    kinds = (
        "follow",
        "follow",
        "unfollow",
        "approve",
        "block",
        "unblock",
        "private",
        "public",
        "post",
        "post",
    )
    for _ in range(STEPS):
        kind, x, y = chance.choice(kinds), chance.choice(USERS), chance.choice(USERS)
        await step(platform, ids, oracle, kind, x, y)
        await check(platform, ids, oracle)


# Three traders and posts and follows weighted up: short histories meet every rule.
KINDS = ("follow", "follow", "unfollow", "approve", "block", "unblock", "private", "public")
KINDS += ("post", "post", "post")
NAMES = ("ann", "bob", "cat")
examples = count()


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(
        st.tuples(st.sampled_from(KINDS), st.sampled_from(NAMES), st.sampled_from(NAMES)),
        max_size=14,
    )
)
async def test_no_feed_ever_shows_what_the_steps_forbid(
    platform: Platform, history: list[tuple[str, str, str]]
) -> None:
    # Four traders of this example's own on the one database every example shares.
    n = next(examples)
    names = {short: f"h{n}{short}" for short in NAMES}
    ids = await sign_up(platform, *names.values())
    oracle = Oracle()
    for kind, x, y in history:
        await step(platform, ids, oracle, kind, names[x], names[y])
        await check(platform, ids, oracle)
