"""Social's aggregates to table rows and back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


def username_key(username: str) -> str:
    """Usernames are unique case-insensitively (as users compares them)."""
    return username.strip().lower()


def profile_row(p: Profile) -> Row:
    return {
        "user_id": p.user_id,
        "username": p.username,
        "username_key": username_key(p.username),
        "display_name": p.display_name,
        "bio": p.bio,
        "visibility": p.visibility.value,
        "automatic": p.automatic.as_dict(),
        "moderation": p.moderation.value,
        "suspended": p.suspended,
        "created_at": p.created_at,
        "version": p.version,
    }


def profile_from(row: Any) -> Profile:
    return Profile(
        row["user_id"],
        username=row["username"],
        created_at=row["created_at"],
        display_name=row["display_name"],
        bio=row["bio"],
        visibility=Visibility(row["visibility"]),
        automatic=AutomaticItems.of(row["automatic"]),
        moderation=Moderation(row["moderation"]),
        suspended=row["suspended"],
        version=row["version"],
    )


def follow_row(f: Follow) -> Row:
    return {
        "id": f.id,
        "follower_id": f.follower_id,
        "followee_id": f.followee_id,
        "status": f.status.value,
        "requested_at": f.requested_at,
        "since": f.since,
        "version": f.version,
    }


def follow_from(row: Any) -> Follow:
    return Follow(
        row["id"],
        follower_id=row["follower_id"],
        followee_id=row["followee_id"],
        status=FollowStatus(row["status"]),
        requested_at=row["requested_at"],
        since=row["since"],
        version=row["version"],
    )


def block_row(b: Block) -> Row:
    return {
        "id": b.id,
        "blocker_id": b.blocker_id,
        "blocked_id": b.blocked_id,
        "active": b.active,
        "since": b.since,
        "version": b.version,
    }


def block_from(row: Any) -> Block:
    return Block(
        row["id"],
        blocker_id=row["blocker_id"],
        blocked_id=row["blocked_id"],
        active=row["active"],
        since=row["since"],
        version=row["version"],
    )


def post_row(p: Post) -> Row:
    return {
        "id": p.id,
        "author_id": p.author_id,
        "kind": p.kind.value,
        "text": p.text,
        "markets": list(p.markets),
        "trade_share": None if p.trade_share is None else to_json_value(p.trade_share),
        "details": p.details,
        "created_at": p.created_at,
        "edited_at": p.edited_at,
        "deleted_at": p.deleted_at,
        "moderation": p.moderation.value,
        "version": p.version,
    }


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


def post_from(row: Any) -> Post:
    return Post(
        row["id"],
        author_id=row["author_id"],
        kind=PostKind(row["kind"]),
        text=row["text"],
        markets=tuple(row["markets"]),
        created_at=row["created_at"],
        trade_share=share_from(row["trade_share"]),
        details=row["details"],
        edited_at=row["edited_at"],
        deleted_at=row["deleted_at"],
        moderation=Moderation(row["moderation"]),
        version=row["version"],
    )


def comment_row(c: Comment) -> Row:
    return {
        "id": c.id,
        "post_id": c.post_id,
        "author_id": c.author_id,
        "text": c.text,
        "created_at": c.created_at,
        "deleted_at": c.deleted_at,
        "moderation": c.moderation.value,
        "version": c.version,
    }


def comment_from(row: Any) -> Comment:
    return Comment(
        row["id"],
        post_id=row["post_id"],
        author_id=row["author_id"],
        text=row["text"],
        created_at=row["created_at"],
        deleted_at=row["deleted_at"],
        moderation=Moderation(row["moderation"]),
        version=row["version"],
    )


def reaction_row(r: Reaction) -> Row:
    return {
        "id": r.id,
        "post_id": r.post_id,
        "user_id": r.user_id,
        "kind": None if r.kind is None else r.kind.value,
        "updated_at": r.updated_at,
        "version": r.version,
    }


def reaction_from(row: Any) -> Reaction:
    return Reaction(
        row["id"],
        post_id=row["post_id"],
        user_id=row["user_id"],
        kind=None if row["kind"] is None else ReactionKind(row["kind"]),
        updated_at=row["updated_at"],
        version=row["version"],
    )


def report_row(r: Report) -> Row:
    return {
        "id": r.id,
        "reporter_id": r.reporter_id,
        "target_type": r.target_type.value,
        "target_id": r.target_id,
        "owner_id": r.owner_id,
        "reason": r.reason.value,
        "created_at": r.created_at,
        "status": r.status.value,
        "resolution": None if r.resolution is None else r.resolution.value,
        "resolved_by": r.resolved_by,
        "resolved_at": r.resolved_at,
        "version": r.version,
    }


def report_from(row: Any) -> Report:
    return Report(
        row["id"],
        reporter_id=row["reporter_id"],
        target_type=TargetType(row["target_type"]),
        target_id=row["target_id"],
        owner_id=row["owner_id"],
        reason=ReportReason(row["reason"]),
        created_at=row["created_at"],
        status=ReportStatus(row["status"]),
        resolution=None if row["resolution"] is None else ResolveAction(row["resolution"]),
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
        version=row["version"],
    )
