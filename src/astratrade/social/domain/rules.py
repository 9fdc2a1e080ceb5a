"""Social's figures (docs/social.md), kept together so they are configuration, and the
closed vocabularies its requests use (reaction kinds, report reasons, moderation actions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone signed in sees the posts; following is instant
    PRIVATE = "private"  # posts reach approved followers only; follows are requests


class ReactionKind(StrEnum):
    LIKE = "like"
    FIRE = "fire"
    ROCKET = "rocket"
    INSIGHT = "insight"


class ReportReason(StrEnum):
    SPAM = "spam"
    SCAM = "scam"
    ABUSE = "abuse"
    MANIPULATION = "manipulation"
    OTHER = "other"


class TargetType(StrEnum):
    POST = "post"
    COMMENT = "comment"
    PROFILE = "profile"


class Moderation(StrEnum):
    """Where a post, comment or profile stands with the moderators."""

    VISIBLE = "visible"
    PENDING = "pending"  # reported by enough distinct users: hidden until reviewed
    HIDDEN = "hidden"  # hidden by a moderator


class ResolveAction(StrEnum):
    HIDE = "hide"  # the content stays hidden
    RESTORE = "restore"  # shown again (a profile: its owner's suspension lifted too)
    DISMISS = "dismiss"  # the reports were unfounded: shown again unless a moderator hid it
    SUSPEND = "suspend"  # hidden, and its owner's social presence suspended


@dataclass(frozen=True, slots=True)
class SocialRules:
    display_name_max: int = 40
    bio_max: int = 280
    post_max: int = 500
    comment_max: int = 280
    edit_window: timedelta = timedelta(minutes=15)
    # Distinct users whose open reports hide a post, comment or profile pending review.
    hide_after_reporters: int = 3
    page_size: int = 20  # a feed page when the caller names no limit
    max_page_size: int = 50


DEFAULT_RULES = SocialRules()
