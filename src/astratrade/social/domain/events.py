"""Social's events. Other contexts subscribe by type name and read the payload, so field
names are part of the public contract (copy trading will end copies on UserBlocked by
payload["blocker_id"] and payload["blocked_id"]; the live feed pushes PostPublished)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from astratrade.shared.messages import Event
from astratrade.social.domain.shares import TradeShare


@dataclass(frozen=True, kw_only=True)
class SocialEvent(Event):
    context = "social"


@dataclass(frozen=True, kw_only=True)
class ProfileUpdated(SocialEvent):
    """The owner changed their profile or settings; automatic_items: each kind of automatic
    item (achievement, level, podium, leading) on or off."""

    user_id: str
    display_name: str
    bio: str
    visibility: str
    automatic_items: dict[str, bool]


@dataclass(frozen=True, kw_only=True)
class ProfileSuspended(SocialEvent):
    """A moderator suspended (or reinstated) the user's social presence: their profile,
    posts, comments and reactions are hidden from everyone else, and they cannot post."""

    user_id: str
    suspended: bool


@dataclass(frozen=True, kw_only=True)
class FollowRequested(SocialEvent):
    """A request to follow a private profile, waiting for its owner's approval."""

    follow_id: str
    follower_id: str
    followee_id: str


@dataclass(frozen=True, kw_only=True)
class Followed(SocialEvent):
    """The follow is active: at once for a public profile, or on approval (approved)."""

    follow_id: str
    follower_id: str
    followee_id: str
    approved: bool


@dataclass(frozen=True, kw_only=True)
class FollowRequestDeclined(SocialEvent):
    follow_id: str
    follower_id: str
    followee_id: str


@dataclass(frozen=True, kw_only=True)
class Unfollowed(SocialEvent):
    """A follow or request ended; reason: unfollowed, withdrawn (a request), removed (by the
    followee) or blocked (either of them blocked the other)."""

    follow_id: str
    follower_id: str
    followee_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class UserBlocked(SocialEvent):
    """Neither sees the other's profile or content any more; any follow between them ended
    (and copying, for copy trading, ends too)."""

    blocker_id: str
    blocked_id: str


@dataclass(frozen=True, kw_only=True)
class UserUnblocked(SocialEvent):
    blocker_id: str
    blocked_id: str


@dataclass(frozen=True, kw_only=True)
class PostPublished(SocialEvent):
    """A post (kind "post") or an automatic item ("achievement", "level", "podium");
    markets: the listed markets its text tags; details: an automatic item's facts."""

    post_id: str
    author_id: str
    kind: str
    text: str
    markets: list[str]
    trade_share: TradeShare | None
    details: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class PostEdited(SocialEvent):
    post_id: str
    author_id: str
    text: str
    markets: list[str]


@dataclass(frozen=True, kw_only=True)
class PostDeleted(SocialEvent):
    post_id: str
    author_id: str


@dataclass(frozen=True, kw_only=True)
class CommentAdded(SocialEvent):
    comment_id: str
    post_id: str
    author_id: str
    post_author_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class CommentDeleted(SocialEvent):
    """deleted_by: the comment's author, or the post's author tidying their thread."""

    comment_id: str
    post_id: str
    author_id: str
    deleted_by: str


@dataclass(frozen=True, kw_only=True)
class ReactionSet(SocialEvent):
    """The user's one reaction to the post is now `kind` (previous: what it replaced)."""

    post_id: str
    user_id: str
    kind: str
    previous: str | None


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(SocialEvent):
    post_id: str
    user_id: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class ContentReported(SocialEvent):
    report_id: str
    reporter_id: str
    target_type: str
    target_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ContentModerated(SocialEvent):
    """A post, comment or profile changed moderation state (visible, pending: hidden
    pending review, hidden); by: "reports" (enough distinct reporters) or "moderator"."""

    target_type: str
    target_id: str
    owner_id: str
    state: str
    by: str


@dataclass(frozen=True, kw_only=True)
class ReportResolved(SocialEvent):
    """A moderator's decision (hide, restore, dismiss or suspend) on the report's target;
    every open report of that target is resolved with it."""

    report_id: str
    target_type: str
    target_id: str
    owner_id: str
    action: str
    resolved_by: str
