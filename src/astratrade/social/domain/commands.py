"""Instructions to the social context (from its API). `user_id` is always the caller;
another user is named by username, as the routes name them."""

from __future__ import annotations

from dataclasses import dataclass, field

from astratrade.shared.messages import Command
from astratrade.social.domain.rules import (
    ReactionKind,
    ReportReason,
    ResolveAction,
    TargetType,
    Visibility,
)


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command):
    user_id: str
    display_name: str | None = None
    bio: str | None = None
    visibility: Visibility | None = None
    automatic_items: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class FollowUser(Command):
    user_id: str
    username: str


@dataclass(frozen=True, kw_only=True)
class UnfollowUser(Command):
    user_id: str
    username: str


@dataclass(frozen=True, kw_only=True)
class AnswerFollowRequest(Command):
    user_id: str
    follow_id: str
    approve: bool


@dataclass(frozen=True, kw_only=True)
class RemoveFollower(Command):
    user_id: str
    username: str


@dataclass(frozen=True, kw_only=True)
class BlockUser(Command):
    user_id: str
    username: str


@dataclass(frozen=True, kw_only=True)
class UnblockUser(Command):
    user_id: str
    username: str


@dataclass(frozen=True, kw_only=True)
class PublishPost(Command):
    user_id: str
    text: str
    position_id: str | None = None  # one of the caller's closed positions, shared


@dataclass(frozen=True, kw_only=True)
class EditPost(Command):
    user_id: str
    post_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class DeletePost(Command):
    user_id: str
    post_id: str


@dataclass(frozen=True, kw_only=True)
class AddComment(Command):
    user_id: str
    post_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class DeleteComment(Command):
    user_id: str
    comment_id: str


@dataclass(frozen=True, kw_only=True)
class React(Command):
    user_id: str
    post_id: str
    kind: ReactionKind | None  # None: take the reaction back


@dataclass(frozen=True, kw_only=True)
class ReportContent(Command):
    user_id: str
    target_type: TargetType
    target_id: str
    reason: ReportReason


@dataclass(frozen=True, kw_only=True)
class ResolveReport(Command):
    admin_id: str
    report_id: str
    action: ResolveAction
