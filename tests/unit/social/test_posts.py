"""Posts, comments and reactions: limits, tags, the edit window, soft deletion."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from social_support import MARKETS, RULES, START, event_types

from astratrade.shared.errors import Conflict, NotFound, ValidationFailed
from astratrade.social.domain.events import PostPublished
from astratrade.social.domain.posts import Comment, Post, PostKind, Reaction
from astratrade.social.domain.rules import ReactionKind
from astratrade.social.domain.shares import TradeShare

SHARE = TradeShare(
    position_id="p1",
    market="BTC-USD",
    side="long",
    entry_price=Decimal(60000),
    exit_price=Decimal(61500),
    roi_pct=Decimal("2.50"),
    hold_seconds=3600,
)


def post(text: str = "Long $BTC, stop under 59k", share: TradeShare | None = None) -> Post:
    return Post.write("post-1", "ada", text, START, RULES, MARKETS, trade_share=share)


def test_a_post_publishes_its_text_as_given_with_its_market_tags() -> None:
    written = post("<i>$eth</i> & $BTC")
    assert written.pending_events == [
        PostPublished(
            post_id="post-1",
            author_id="ada",
            kind="post",
            text="<i>$eth</i> & $BTC",
            markets=["ETH-USD", "BTC-USD"],
            trade_share=None,
            details={},
            created_at=START,
        )
    ]


def test_a_post_of_501_characters_is_refused_naming_text() -> None:
    assert post("x" * 500).text == "x" * 500
    with pytest.raises(ValidationFailed) as refused:
        post("x" * 501)
    assert refused.value.field == "text"


def test_a_blank_post_needs_a_trade_share() -> None:
    with pytest.raises(ValidationFailed):
        post("  ")
    assert post("", share=SHARE).trade_share == SHARE


def test_edit_within_15_minutes_retags_and_records() -> None:
    written = post()
    at = START + timedelta(minutes=15)
    written.edit("Closed $SOL instead", at, RULES, MARKETS)
    assert (written.text, written.markets, written.edited_at) == (
        "Closed $SOL instead",
        ("SOL-USD",),
        at,
    )
    assert written.markets_changed
    assert event_types(written) == ["PostPublished", "PostEdited"]


def test_edit_after_the_window_is_refused_and_changes_nothing() -> None:
    written = post()
    late = START + timedelta(minutes=15, microseconds=1)
    with pytest.raises(Conflict, match="15-minute window"):
        written.edit("too late", late, RULES, MARKETS)
    assert written.text == "Long $BTC, stop under 59k"


def test_the_same_text_again_records_no_edit() -> None:
    written = post()
    written.edit(written.text, START, RULES, MARKETS)
    assert event_types(written) == ["PostPublished"]


def test_automatic_items_are_never_edited() -> None:
    item = Post.automatic("i1", "ada", PostKind.LEVEL, "Reached level 3", {"level": 3}, START)
    assert item.editable_until(RULES) is None
    with pytest.raises(Conflict):
        item.edit("Reached level 99", START, RULES, MARKETS)


def test_delete_is_soft_and_a_deleted_post_is_gone() -> None:
    written = post()
    written.delete(START + timedelta(days=30))
    assert written.deleted
    with pytest.raises(NotFound):
        written.delete(START + timedelta(days=31))
    with pytest.raises(NotFound):
        written.edit("again", START, RULES, MARKETS)


def test_a_comment_is_at_most_280_characters_and_not_blank() -> None:
    parent = post()
    assert Comment.write("c1", parent, "ben", "y" * 280, START, RULES).text == "y" * 280
    for text in ("y" * 281, " "):
        with pytest.raises(ValidationFailed) as refused:
            Comment.write("c2", parent, "ben", text, START, RULES)
        assert refused.value.field == "text"


def test_a_reaction_is_one_per_user_and_changeable() -> None:
    reaction = Reaction("r1", post_id="post-1", user_id="ben")
    reaction.set(ReactionKind.LIKE, START)
    reaction.set(ReactionKind.LIKE, START)
    reaction.set(ReactionKind.ROCKET, START)
    assert reaction.remove(START)
    assert not reaction.remove(START)
    assert event_types(reaction) == ["ReactionSet", "ReactionSet", "ReactionRemoved"]
    assert reaction.pending_events[1].previous == "like"  # type: ignore[attr-defined]
