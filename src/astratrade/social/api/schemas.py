"""Social's request and response bodies, and what its routes share: the caller's
social settings (rules, listed markets) and cursor paging."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from astratrade.infrastructure.web.schemas import DecimalOut
from astratrade.social import views
from astratrade.social.domain.relations import Follow
from astratrade.social.domain.rules import (
    DEFAULT_RULES,
    ReactionKind,
    ReportReason,
    ResolveAction,
    TargetType,
    Visibility,
)
from astratrade.social.domain.shares import TradeShare
from astratrade.social.handlers.common import Tools


async def get_social(request: Request) -> Tools:
    tools: Tools = request.app.state.social
    return tools


Social = Annotated[Tools, Depends(get_social)]
Limit = Annotated[int, Query(ge=1, le=DEFAULT_RULES.max_page_size)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- profiles --


class AutomaticItemsIn(In):
    achievement: bool | None = None
    level: bool | None = None
    podium: bool | None = None
    leading: bool | None = None


class ProfileIn(In):
    """Only what is sent changes. Texts are plain, stored as given (at most 40 and 280
    characters)."""

    display_name: str | None = None
    bio: str | None = None
    visibility: Visibility | None = None
    automatic_items: AutomaticItemsIn | None = None


class RelationshipOut(BaseModel):
    following: str  # none, requested, active
    follows_you: bool
    blocked: bool


class ProfileOut(BaseModel):
    user_id: str
    username: str
    display_name: str
    bio: str
    visibility: str
    level: int
    xp_rank: int | None
    achievements: list[str]
    badges: list[str]  # the badges context is not there yet: always empty
    followers: int
    following: int
    posts_visible: bool
    relationship: RelationshipOut | None
    automatic_items: dict[str, bool] | None
    moderation: str | None
    suspended: bool | None

    @classmethod
    def of(cls, view: views.ProfileView) -> ProfileOut:
        fields = vars_of(view)
        relation = view.relationship
        fields["relationship"] = None if relation is None else RelationshipOut(**vars_of(relation))
        return cls(**fields, badges=[])


class FollowOut(BaseModel):
    follow_id: str  # a request's id too (approve, decline)
    follower_id: str
    followee_id: str
    status: str  # requested, active, or none once ended

    @classmethod
    def of(cls, relation: Follow) -> FollowOut:
        return cls(
            follow_id=relation.id,
            follower_id=relation.follower_id,
            followee_id=relation.followee_id,
            status=relation.status.value,
        )


class PersonOut(BaseModel):
    user_id: str
    username: str
    display_name: str
    since: datetime | None


class PeopleOut(BaseModel):
    items: list[PersonOut]
    next_cursor: str | None


class BlockedOut(BaseModel):
    user_id: str
    username: str
    display_name: str
    blocked_at: datetime


class BlocksOut(BaseModel):
    items: list[BlockedOut]
    next_cursor: str | None


class RequestOut(BaseModel):
    request_id: str
    user_id: str
    username: str
    display_name: str
    requested_at: datetime


class RequestsOut(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


# -- posts --


class TradeShareIn(In):
    position_id: Id


class PostIn(In):
    text: str = Field(description="plain text, at most 500 characters; `$BTC` tags BTC-USD")
    trade_share: TradeShareIn | None = None


class PostEditIn(In):
    text: str


class TradeShareOut(BaseModel):
    position_id: str
    market: str
    side: str
    entry_price: DecimalOut
    exit_price: DecimalOut
    roi_pct: DecimalOut
    hold_seconds: int


class AuthorOut(BaseModel):
    user_id: str
    username: str
    display_name: str


class PostOut(BaseModel):
    post_id: str
    author: AuthorOut
    kind: str
    text: str
    markets: list[str]
    trade_share: TradeShareOut | None
    details: dict[str, Any]
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime | None
    moderation: str
    reactions: dict[str, int]
    my_reaction: str | None
    comments: int

    @classmethod
    def of(cls, view: views.PostView) -> PostOut:
        share = view.trade_share
        return cls(
            post_id=view.post_id,
            author=AuthorOut(**vars_of(view.author)),
            kind=view.kind,
            text=view.text,
            markets=view.markets,
            trade_share=None if share is None else TradeShareOut.model_validate(share),
            details=view.details,
            created_at=view.created_at,
            edited_at=view.edited_at,
            editable_until=view.editable_until,
            moderation=view.moderation,
            reactions=view.reactions,
            my_reaction=view.my_reaction,
            comments=view.comments,
        )


class FeedOut(BaseModel):
    items: list[PostOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: views.Page[views.PostView]) -> FeedOut:
        return cls(items=[PostOut.of(p) for p in page.items], next_cursor=page.next_cursor)


class ShareableOut(BaseModel):
    trade_share: TradeShareOut
    closed_at: datetime


class ShareablesOut(BaseModel):
    items: list[ShareableOut]
    next_cursor: str | None


def share_out(share: TradeShare) -> TradeShareOut:
    return TradeShareOut(
        position_id=share.position_id,
        market=share.market,
        side=share.side,
        entry_price=share.entry_price,
        exit_price=share.exit_price,
        roi_pct=share.roi_pct,
        hold_seconds=share.hold_seconds,
    )


class CommentIn(In):
    text: str = Field(description="plain text, at most 280 characters")


class CommentOut(BaseModel):
    comment_id: str
    post_id: str
    author: AuthorOut
    text: str
    created_at: datetime
    moderation: str

    @classmethod
    def of(cls, view: views.CommentView) -> CommentOut:
        return cls(
            comment_id=view.comment_id,
            post_id=view.post_id,
            author=AuthorOut(**vars_of(view.author)),
            text=view.text,
            created_at=view.created_at,
            moderation=view.moderation,
        )


class CommentsOut(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class ReactionIn(In):
    kind: ReactionKind


class ReactionOut(BaseModel):
    post_id: str
    kind: str | None


# -- moderation --


class ReportIn(In):
    target_type: TargetType
    target_id: Id = Field(description="a post's or comment's id, a profile's user_id")
    reason: ReportReason


class ReportOut(BaseModel):
    report_id: str
    target_type: str
    target_id: str
    reason: str
    status: str
    resolution: str | None
    created_at: datetime


class ResolveIn(In):
    action: ResolveAction


class AdminReportOut(BaseModel):
    report_id: str
    reporter: str
    target_type: str
    target_id: str
    owner: str
    reason: str
    created_at: datetime
    status: str
    resolution: str | None
    resolved_at: datetime | None
    target_state: str
    target_text: str
    open_reports: int


class AdminReportsOut(BaseModel):
    items: list[AdminReportOut]
    next_cursor: str | None


def vars_of(view: Any) -> dict[str, Any]:
    return {name: getattr(view, name) for name in view.__dataclass_fields__}
