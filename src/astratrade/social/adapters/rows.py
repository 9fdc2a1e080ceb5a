"""Social's aggregates to table rows and back: each aggregate keeps one attribute a column,
under the column's name, so one declaration (`Columns`) says both ways."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from astratrade.shared.messages import to_json_value
from astratrade.social.domain.moderation import Report, ReportStatus
from astratrade.social.domain.posts import Comment, Post, PostKind, Reaction
from astratrade.social.domain.profiles import AutomaticItems, Profile
from astratrade.social.domain.relations import Block, Follow, FollowStatus
from astratrade.social.domain.rules import (
    Moderation,
    ReactionKind,
    ReportReason,
    ResolveAction,
    TargetType,
    Visibility,
)
from astratrade.social.domain.shares import TradeShare

Row = dict[str, Any]
A = TypeVar("A")
Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Columns(Generic[A]):
    """An aggregate's columns: the first is its id (passed to `make` first), the rest go
    by name. `enums` are stored by value (None stays None); `stored` and `loaded` convert
    the other columns that need it, on the way in and out."""

    make: Callable[..., A]
    names: tuple[str, ...]
    enums: Mapping[str, type[Enum]] = field(default_factory=dict)
    stored: Mapping[str, Convert] = field(default_factory=dict)
    loaded: Mapping[str, Convert] = field(default_factory=dict)

    def row(self, aggregate: A) -> Row:
        row = {}
        for name in self.names:
            value = getattr(aggregate, name)
            if name in self.enums:
                value = None if value is None else value.value
            elif name in self.stored:
                value = self.stored[name](value)
            row[name] = value
        return row

    def load(self, row: Any) -> A:
        values = {}
        for name in self.names:
            value = row[name]
            if name in self.enums:
                value = None if value is None else self.enums[name](value)
            elif name in self.loaded:
                value = self.loaded[name](value)
            values[name] = value
        return self.make(values.pop(self.names[0]), **values)


def username_key(username: str) -> str:
    """Usernames are unique case-insensitively (as users compares them)."""
    return username.strip().lower()


def share_from(data: dict[str, Any] | None) -> TradeShare | None:
    if data is None:
        return None
    return TradeShare(
        position_id=str(data["position_id"]),
        market=str(data["market"]),
        side=str(data["side"]),
        entry_price=Decimal(str(data["entry_price"])),
        exit_price=Decimal(str(data["exit_price"])),
        roi_pct=Decimal(str(data["roi_pct"])),
        hold_seconds=int(data["hold_seconds"]),
    )


PROFILES = Columns(
    Profile,
    (
        *("user_id", "username", "display_name", "bio", "visibility", "automatic"),
        *("moderation", "suspended", "created_at", "version"),
    ),
    enums={"visibility": Visibility, "moderation": Moderation},
    stored={"automatic": AutomaticItems.as_dict},
    loaded={"automatic": AutomaticItems.of},
)
FOLLOWS = Columns(
    Follow,
    ("id", "follower_id", "followee_id", "status", "requested_at", "since", "version"),
    enums={"status": FollowStatus},
)
BLOCKS = Columns(Block, ("id", "blocker_id", "blocked_id", "active", "since", "version"))
POSTS = Columns(
    Post,
    (
        *("id", "author_id", "kind", "text", "markets", "trade_share", "details"),
        *("created_at", "edited_at", "deleted_at", "moderation", "version"),
    ),
    enums={"kind": PostKind, "moderation": Moderation},
    stored={"markets": list, "trade_share": lambda s: None if s is None else to_json_value(s)},
    loaded={"markets": tuple, "trade_share": share_from},
)
COMMENTS = Columns(
    Comment,
    ("id", "post_id", "author_id", "text", "created_at", "deleted_at", "moderation", "version"),
    enums={"moderation": Moderation},
)
REACTIONS = Columns(
    Reaction,
    ("id", "post_id", "user_id", "kind", "updated_at", "version"),
    enums={"kind": ReactionKind},
)
REPORTS = Columns(
    Report,
    (
        *("id", "reporter_id", "target_type", "target_id", "owner_id", "reason", "created_at"),
        *("status", "resolution", "resolved_by", "resolved_at", "version"),
    ),
    enums={
        "target_type": TargetType,
        "reason": ReportReason,
        "status": ReportStatus,
        "resolution": ResolveAction,
    },
)


def profile_row(profile: Profile) -> Row:
    """A profile's row, with the key its username is unique by."""
    return {**PROFILES.row(profile), "username_key": username_key(profile.username)}
