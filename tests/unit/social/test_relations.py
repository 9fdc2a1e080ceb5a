"""Follows move none -> requested -> active (or straight to active), and back to none;
blocks are on or off."""

from __future__ import annotations

import pytest
from social_support import START, event_types

from astratrade.shared.errors import Conflict
from astratrade.social.domain.events import Unfollowed
from astratrade.social.domain.relations import Block, Follow, FollowStatus


def follow() -> Follow:
    return Follow("f1", follower_id="ben", followee_id="ada")


def test_following_a_public_profile_is_active_at_once() -> None:
    relation = follow()
    relation.ask(needs_approval=False, at=START)
    assert relation.status is FollowStatus.ACTIVE
    assert relation.since == START
    assert event_types(relation) == ["Followed"]


def test_following_a_private_profile_waits_for_approval() -> None:
    relation = follow()
    relation.ask(needs_approval=True, at=START)
    assert relation.status is FollowStatus.REQUESTED
    relation.approve(START)
    assert relation.active
    assert event_types(relation) == ["FollowRequested", "Followed"]
    assert relation.pending_events[1].approved  # type: ignore[attr-defined]


def test_asking_again_changes_nothing() -> None:
    relation = follow()
    relation.ask(needs_approval=True, at=START)
    relation.ask(needs_approval=True, at=START)
    assert event_types(relation) == ["FollowRequested"]


def test_declining_ends_the_request_and_only_a_request_can_be_answered() -> None:
    relation = follow()
    relation.ask(needs_approval=True, at=START)
    relation.decline()
    assert relation.status is FollowStatus.NONE
    with pytest.raises(Conflict):
        relation.approve(START)
    with pytest.raises(Conflict):
        relation.decline()


def test_ending_a_request_is_a_withdrawal_and_ending_nothing_records_nothing() -> None:
    relation = follow()
    assert not relation.end("unfollowed")
    relation.ask(needs_approval=True, at=START)
    assert relation.end("unfollowed")
    assert relation.pending_events[-1] == Unfollowed(
        follow_id="f1", follower_id="ben", followee_id="ada", reason="withdrawn"
    )


def test_a_follow_ended_can_start_again() -> None:
    relation = follow()
    relation.ask(needs_approval=False, at=START)
    relation.end("blocked")
    relation.ask(needs_approval=False, at=START)
    assert relation.active
    assert event_types(relation) == ["Followed", "Unfollowed", "Followed"]


def test_block_and_unblock_record_only_changes() -> None:
    block = Block("b1", blocker_id="ada", blocked_id="ben")
    assert block.block(START)
    assert not block.block(START)
    assert block.unblock()
    assert not block.unblock()
    assert event_types(block) == ["UserBlocked", "UserUnblocked"]
