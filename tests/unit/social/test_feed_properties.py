"""For any sequence of follows, unfollows, approvals, blocks, privacy changes and posts, no
feed shows a blocked user's content (either way) or a private author's post to anyone but
their approved followers and themselves, and every feed shows whatever those rules allow.

The world below applies each step with the domain's aggregates as the handlers do; the
feeds filter with `Standing`. The oracle is kept apart, from the steps alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from social_support import MARKETS, RULES, START, profile

from astratrade.social.domain.posts import Post
from astratrade.social.domain.profiles import Profile
from astratrade.social.domain.relations import Block, Follow, FollowStatus
from astratrade.social.domain.rules import Visibility
from astratrade.social.domain.visibility import Standing

USERS = ("ann", "bob", "cat", "dan")
Pair = tuple[str, str]


@dataclass
class World:
    profiles: dict[str, Profile] = field(default_factory=lambda: {u: profile(u) for u in USERS})
    follows: dict[Pair, Follow] = field(default_factory=dict)
    blocks: dict[Pair, Block] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    ids: count[int] = field(default_factory=count)

    def blocked(self, one: str, other: str) -> bool:
        return any(
            (b := self.blocks.get(pair)) is not None and b.active
            for pair in ((one, other), (other, one))
        )

    def follow(self, x: str, y: str) -> None:
        if x == y or self.blocked(x, y):  # the handler answers 404: nothing changes
            return
        relation = self.follows.setdefault(
            (x, y), Follow(f"f{next(self.ids)}", follower_id=x, followee_id=y)
        )
        relation.ask(needs_approval=self.profiles[y].private, at=START)

    def unfollow(self, x: str, y: str) -> None:
        if (relation := self.follows.get((x, y))) is not None:
            relation.end("unfollowed")

    def approve(self, y: str, x: str) -> None:
        relation = self.follows.get((x, y))
        if relation is not None and relation.status is FollowStatus.REQUESTED:
            relation.approve(START)

    def block(self, x: str, y: str) -> None:
        if x == y:
            return
        found = self.blocks.setdefault(
            (x, y), Block(f"b{next(self.ids)}", blocker_id=x, blocked_id=y)
        )
        if found.block(START):
            for pair in ((x, y), (y, x)):
                if (relation := self.follows.get(pair)) is not None:
                    relation.end("blocked")

    def unblock(self, x: str, y: str) -> None:
        if (found := self.blocks.get((x, y))) is not None:
            found.unblock()

    def set_private(self, x: str, private: bool) -> None:
        owner = self.profiles[x]
        was_private = owner.private
        owner.update(RULES, visibility=Visibility.PRIVATE if private else Visibility.PUBLIC)
        if was_private and not private:
            for (_, followee), relation in self.follows.items():
                if followee == x and relation.status is FollowStatus.REQUESTED:
                    relation.approve(START)

    def post(self, x: str, text: str) -> None:
        self.posts.append(Post.write(f"p{next(self.ids)}", x, text, START, RULES, MARKETS))

    def standing(self, viewer: str, author: str) -> Standing:
        relation = self.follows.get((viewer, author))
        owner = self.profiles[author]
        return Standing(
            viewer_id=viewer,
            author_id=author,
            blocked=viewer != author and self.blocked(viewer, author),
            follows=relation is not None and relation.active,
            private=owner.private,
            suspended=owner.suspended,
        )

    def feeds(self, viewer: str) -> dict[str, list[Post]]:
        def seen(post: Post) -> bool:
            return self.standing(viewer, post.author_id).sees(post.moderation, post.deleted)

        followed = {y for (x, y), f in self.follows.items() if x == viewer and f.active}
        return {
            "home": [p for p in self.posts if p.author_id in followed | {viewer} and seen(p)],
            "market": [p for p in self.posts if "BTC-USD" in p.markets and seen(p)],
            **{
                f"profile:{a}": [p for p in self.posts if p.author_id == a and seen(p)]
                for a in USERS
            },
        }


@dataclass
class Oracle:
    """What the steps alone say: blocks in force, private profiles, approved followers."""

    blocks: set[Pair] = field(default_factory=set)
    private: set[str] = field(default_factory=set)
    approved: set[Pair] = field(default_factory=set)
    pending: set[Pair] = field(default_factory=set)

    def blocked(self, x: str, y: str) -> bool:
        return (x, y) in self.blocks or (y, x) in self.blocks

    def apply(self, step: tuple[str, str, str]) -> None:
        kind, x, y = step
        if kind == "follow" and x != y and not self.blocked(x, y) and (x, y) not in self.approved:
            (self.pending if y in self.private else self.approved).add((x, y))
        elif kind == "unfollow":
            self.approved.discard((x, y))
            self.pending.discard((x, y))
        elif kind == "approve" and (y, x) in self.pending:
            self.pending.discard((y, x))
            self.approved.add((y, x))
        elif kind == "block" and x != y:
            self.blocks.add((x, y))
            for pair in ((x, y), (y, x)):
                self.approved.discard(pair)
                self.pending.discard(pair)
        elif kind == "unblock":
            self.blocks.discard((x, y))
        elif kind == "private":
            self.private.add(x)
        elif kind == "public":
            self.private.discard(x)
            for pair in [p for p in self.pending if p[1] == x]:
                self.pending.discard(pair)
                self.approved.add(pair)

    def may_see(self, viewer: str, author: str) -> bool:
        if viewer == author:
            return True
        if self.blocked(viewer, author):
            return False
        return author not in self.private or (viewer, author) in self.approved


KINDS = ("follow", "unfollow", "approve", "block", "unblock", "private", "public", "post")
steps = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(USERS), st.sampled_from(USERS)),
    max_size=40,
)


def apply(world: World, step: tuple[str, str, str]) -> None:
    kind, x, y = step
    if kind == "post":
        world.post(x, f"$BTC from {x}" if y in ("ann", "bob") else f"no tag from {x}")
    elif kind in ("private", "public"):
        world.set_private(x, kind == "private")
    else:
        getattr(world, kind)(x, y)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps)
def test_no_feed_shows_blocked_or_private_content_to_those_who_may_not_see_it(
    history: list[tuple[str, str, str]],
) -> None:
    world, oracle = World(), Oracle()
    for step in history:
        apply(world, step)
        oracle.apply(step)
        for viewer in USERS:
            for name, posts in world.feeds(viewer).items():
                for post in posts:
                    assert oracle.may_see(viewer, post.author_id), (viewer, name, post.author_id)
            for author in USERS:  # and nothing allowed is missing from a profile's feed
                shown = {p.id for p in world.feeds(viewer)[f"profile:{author}"]}
                allowed = {p.id for p in world.posts if p.author_id == author}
                assert shown == (allowed if oracle.may_see(viewer, author) else set())
