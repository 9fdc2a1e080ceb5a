"""Profiles and relations over HTTP: one's own profile and settings, others' as the caller
may see them, follows and requests, followers lists, blocks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from astratrade.infrastructure.web.deps import Bus, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import Cursor
from astratrade.social import views
from astratrade.social.api.schemas import (
    BlockedOut,
    BlocksOut,
    FollowOut,
    Limit,
    PeopleOut,
    PersonOut,
    ProfileIn,
    ProfileOut,
    RequestOut,
    RequestsOut,
    ShareableOut,
    ShareablesOut,
    share_out,
    vars_of,
)
from astratrade.social.domain.commands import (
    AnswerFollowRequest,
    BlockUser,
    FollowUser,
    RemoveFollower,
    UnblockUser,
    UnfollowUser,
    UpdateProfile,
)
from astratrade.social.domain.relations import Follow

router = APIRouter(prefix="/api/v1", tags=["social"], route_class=DecimalRoute)
Username = Annotated[str, Path(min_length=1, max_length=64)]
NO_CONTENT = Response(status_code=204)


@router.get("/profiles/me", response_model=ProfileOut)
async def my_profile(user: CurrentUser, db: Db) -> ProfileOut:
    """The caller's profile with their settings (visibility, automatic items)."""
    return ProfileOut.of(await views.profile_of(db, user.user_id, user_id=user.user_id))


@router.put("/profiles/me", response_model=ProfileOut)
async def update_my_profile(body: ProfileIn, user: CurrentUser, bus: Bus, db: Db) -> ProfileOut:
    """Change what is sent: display_name (≤ 40), bio (≤ 280), visibility (going public
    approves the requests waiting), automatic_items (each kind on or off)."""
    chosen = body.automatic_items.model_dump(exclude_none=True) if body.automatic_items else {}
    await bus.execute(
        UpdateProfile(
            user_id=user.user_id,
            display_name=body.display_name,
            bio=body.bio,
            visibility=body.visibility,
            automatic_items=chosen,
        )
    )
    return ProfileOut.of(await views.profile_of(db, user.user_id, user_id=user.user_id))


@router.get("/profiles/me/closed-positions", response_model=ShareablesOut)
async def my_closed_positions(
    user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> ShareablesOut:
    """The caller's closed positions as a trade share would show them (no sizes), newest
    first: a post attaches one by its position_id."""
    page = await views.shareable_positions(db, user.user_id, cursor, limit)
    return ShareablesOut(
        items=[
            ShareableOut(trade_share=share_out(i.share), closed_at=i.closed_at) for i in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/profiles/me/blocks", response_model=BlocksOut)
async def my_blocks(
    user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> BlocksOut:
    """The traders the caller has blocked, newest block first: their profiles answer 404
    to the caller too, so this is where to find them to unblock."""
    page = await views.blocked_people(db, user.user_id, cursor, limit)
    return BlocksOut(
        items=[BlockedOut(**vars_of(b)) for b in page.items], next_cursor=page.next_cursor
    )


@router.get("/profiles/{username}", response_model=ProfileOut)
async def profile(username: Username, user: CurrentUser, db: Db) -> ProfileOut:
    """A profile as the caller may see it (a block either way: 404)."""
    return ProfileOut.of(await views.profile_of(db, user.user_id, username=username))


@router.post("/profiles/{username}/follow", response_model=FollowOut)
async def follow(username: Username, user: CurrentUser, bus: Bus) -> FollowOut:
    """Follow: active at once for a public profile, a request for a private one."""
    relation: Follow = await bus.execute(FollowUser(user_id=user.user_id, username=username))
    return FollowOut.of(relation)


@router.delete("/profiles/{username}/follow", status_code=204)
async def unfollow(username: Username, user: CurrentUser, bus: Bus) -> Response:
    """Stop following, or withdraw a request (not following: nothing changes)."""
    await bus.execute(UnfollowUser(user_id=user.user_id, username=username))
    return NO_CONTENT


@router.get("/profiles/{username}/followers", response_model=PeopleOut)
async def followers(
    username: Username, user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> PeopleOut:
    return _people(await views.people(db, user.user_id, username, "followers", cursor, limit))


@router.get("/profiles/{username}/following", response_model=PeopleOut)
async def following(
    username: Username, user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> PeopleOut:
    return _people(await views.people(db, user.user_id, username, "following", cursor, limit))


def _people(page: views.Page[views.PersonView]) -> PeopleOut:
    return PeopleOut(
        items=[PersonOut(**vars_of(p)) for p in page.items], next_cursor=page.next_cursor
    )


@router.get("/follow-requests", response_model=RequestsOut)
async def follow_requests(
    user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> RequestsOut:
    """Requests to follow the caller (a private profile), newest first."""
    page = await views.follow_requests(db, user.user_id, cursor, limit)
    return RequestsOut(
        items=[RequestOut(**vars_of(r)) for r in page.items], next_cursor=page.next_cursor
    )


@router.post("/follow-requests/{request_id}/approve", response_model=FollowOut)
async def approve(request_id: Username, user: CurrentUser, bus: Bus) -> FollowOut:
    return await _answer(request_id, user.user_id, bus, approve=True)


@router.post("/follow-requests/{request_id}/decline", response_model=FollowOut)
async def decline(request_id: Username, user: CurrentUser, bus: Bus) -> FollowOut:
    return await _answer(request_id, user.user_id, bus, approve=False)


async def _answer(request_id: str, user_id: str, bus: Bus, *, approve: bool) -> FollowOut:
    relation: Follow = await bus.execute(
        AnswerFollowRequest(user_id=user_id, follow_id=request_id, approve=approve)
    )
    return FollowOut.of(relation)


@router.delete("/followers/{username}", status_code=204)
async def remove_follower(username: Username, user: CurrentUser, bus: Bus) -> Response:
    """Remove a follower (or decline their request)."""
    await bus.execute(RemoveFollower(user_id=user.user_id, username=username))
    return NO_CONTENT


@router.post("/profiles/{username}/block", status_code=204)
async def block(username: Username, user: CurrentUser, bus: Bus) -> Response:
    """Block: neither sees the other any more, and follows between them end."""
    await bus.execute(BlockUser(user_id=user.user_id, username=username))
    return NO_CONTENT


@router.delete("/profiles/{username}/block", status_code=204)
async def unblock(username: Username, user: CurrentUser, bus: Bus) -> Response:
    await bus.execute(UnblockUser(user_id=user.user_id, username=username))
    return NO_CONTENT
