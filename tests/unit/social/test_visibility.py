"""Who sees what: blocks both ways hide everything; private posts reach approved followers
and the author only; hidden, suspended and deleted content."""

from __future__ import annotations

import pytest

from astratrade.social.domain.rules import Moderation
from astratrade.social.domain.visibility import Standing


def standing(**facts: bool) -> Standing:
    defaults = {"blocked": False, "follows": False, "private": False, "suspended": False}
    return Standing(viewer_id="ben", author_id="ada", **{**defaults, **facts})


@pytest.mark.parametrize(
    ("facts", "profile", "posts"),
    [
        ({}, True, True),
        ({"private": True}, True, False),
        ({"private": True, "follows": True}, True, True),
        ({"blocked": True}, False, False),
        ({"blocked": True, "follows": True}, False, False),
        ({"suspended": True, "follows": True}, False, False),
    ],
)
def test_a_viewer_sees_a_profile_and_its_posts(facts: dict, profile: bool, posts: bool) -> None:
    assert standing(**facts).sees_profile() is profile
    assert standing(**facts).sees_posts() is posts
    assert standing(**facts).sees(Moderation.VISIBLE, deleted=False) is posts


def test_hidden_and_deleted_posts() -> None:
    viewer = standing(follows=True)
    assert not viewer.sees(Moderation.PENDING, deleted=False)
    assert not viewer.sees(Moderation.HIDDEN, deleted=False)
    assert not viewer.sees(Moderation.VISIBLE, deleted=True)


def test_the_author_sees_their_own_hidden_posts_but_not_deleted_ones() -> None:
    own = Standing("ada", "ada", blocked=False, follows=False, private=True, suspended=True)
    assert own.sees(Moderation.HIDDEN, deleted=False)
    assert not own.sees(Moderation.VISIBLE, deleted=True)


def test_a_comment_is_as_public_as_its_post_whatever_its_author_visibility() -> None:
    assert standing(private=True).sees_comment(Moderation.VISIBLE, deleted=False)
    assert not standing(blocked=True).sees_comment(Moderation.VISIBLE, deleted=False)
    assert not standing().sees_comment(Moderation.PENDING, deleted=False)
