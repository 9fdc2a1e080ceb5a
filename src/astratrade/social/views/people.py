"""Profiles as a viewer may see them, followers and following lists, the follow requests
waiting for the caller, the traders the caller has blocked, and the caller's closed
positions they may share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.shared.errors import NotFound
from astratrade.social.adapters.tables import (
    blocks,
    closed_positions,
    follows,
    profiles,
    progress,
)
from astratrade.social.domain.relations import FollowStatus
from astratrade.social.domain.shares import ClosedPosition, TradeShare
from astratrade.social.views.common import (
    ACTIVE,
    VISIBLE,
    Page,
    after,
    page,
    profile_row,
    sees_profile_of,
    standing,
)


@dataclass(frozen=True, slots=True)
class Relationship:
    """The viewer towards this profile."""

    following: str  # none, requested or active
    follows_you: bool
    blocked: bool  # the viewer has blocked them


@dataclass(frozen=True, slots=True)
class ProfileView:
    user_id: str
    username: str
    display_name: str
    bio: str
    visibility: str
    level: int
    xp_rank: int | None  # among every trader by all-time XP; None before any XP
    achievements: list[str]
    followers: int
    following: int
    posts_visible: bool  # private, and the viewer not an approved follower: False
    relationship: Relationship | None  # None on one's own
    automatic_items: dict[str, bool] | None  # one's own settings only
    moderation: str | None  # one's own only: where the profile stands with moderators
    suspended: bool | None


@dataclass(frozen=True, slots=True)
class PersonView:
    user_id: str
    username: str
    display_name: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class RequestView:
    request_id: str
    user_id: str
    username: str
    display_name: str
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class BlockedView:
    user_id: str
    username: str
    display_name: str
    blocked_at: datetime


@dataclass(frozen=True, slots=True)
class ShareableView:
    share: TradeShare
    closed_at: datetime


async def profile_of(
    db: AsyncEngine, viewer: str, *, username: str | None = None, user_id: str | None = None
) -> ProfileView:
    async with db.connect() as conn:
        row = await profile_row(conn, username=username, user_id=user_id)
        if row is None:
            raise NotFound(f"no profile {username or user_id!r}")
        seen = await standing(conn, viewer, row)
        if not seen.sees_profile():
            raise NotFound(f"no profile {username or user_id!r}")
        own = seen.own
        level, rank, achievements = await _progress(conn, row.user_id)
        followers, following = await _counts(conn, row.user_id)
        relationship = None if own else await _relationship(conn, viewer, row.user_id)
        shown = own or row.moderation == VISIBLE
        return ProfileView(
            user_id=row.user_id,
            username=row.username,
            display_name=row.display_name if shown else "",
            bio=row.bio if shown else "",
            visibility=row.visibility,
            level=level,
            xp_rank=rank,
            achievements=achievements,
            followers=followers,
            following=following,
            posts_visible=seen.sees_posts(),
            relationship=relationship,
            automatic_items=dict(row.automatic) if own else None,
            moderation=row.moderation if own else None,
            suspended=row.suspended if own else None,
        )


async def _progress(conn: AsyncConnection, user_id: str) -> tuple[int, int | None, list[str]]:
    row = (await conn.execute(select(progress).where(progress.c.user_id == user_id))).first()
    if row is None or row.xp <= 0:
        return (1 if row is None else row.level), None, ([] if row is None else row.achievements)
    ahead = await conn.scalar(select(func.count()).where(progress.c.xp > row.xp))
    return row.level, int(ahead or 0) + 1, sorted(row.achievements)


async def _counts(conn: AsyncConnection, user_id: str) -> tuple[int, int]:
    f = follows.c
    followers = await conn.scalar(
        select(func.count()).where(f.followee_id == user_id, f.status == ACTIVE)
    )
    following = await conn.scalar(
        select(func.count()).where(f.follower_id == user_id, f.status == ACTIVE)
    )
    return int(followers or 0), int(following or 0)


async def _relationship(conn: AsyncConnection, viewer: str, other: str) -> Relationship:
    f = follows.c
    mine = await conn.scalar(
        select(f.status).where(f.follower_id == viewer, f.followee_id == other)
    )
    theirs = await conn.scalar(
        select(f.status).where(f.follower_id == other, f.followee_id == viewer)
    )
    b = blocks.c
    blocked = await conn.scalar(
        select(b.active).where(b.blocker_id == viewer, b.blocked_id == other)
    )
    return Relationship(
        following=mine or FollowStatus.NONE.value,
        follows_you=theirs == ACTIVE,
        blocked=bool(blocked),
    )


async def people(
    db: AsyncEngine,
    viewer: str,
    username: str,
    direction: str,
    cursor: str | None,
    limit: int,
) -> Page[PersonView]:
    """A profile's followers (direction "followers") or those it follows ("following"),
    most recent first; shown where its posts would be (a private profile's to its approved
    followers), without anyone hidden from the viewer."""
    async with db.connect() as conn:
        owner = await profile_row(conn, username=username)
        if owner is None or not (await standing(conn, viewer, owner)).sees_posts():
            raise NotFound(f"no {direction} of {username!r} to show")
        f = follows.c
        mine, theirs = (
            (f.followee_id, f.follower_id)
            if direction == "followers"
            else (f.follower_id, f.followee_id)
        )
        person = profiles.alias("person")
        query = (
            select(
                f.id,
                f.since,
                person.c.user_id,
                person.c.username,
                person.c.display_name,
                person.c.moderation,
            )
            .join(person, person.c.user_id == theirs)
            .where(mine == owner.user_id, f.status == ACTIVE)
            .where(sees_profile_of(viewer, theirs, person.c.suspended))
            .where(after(cursor, f.since, f.id))
            .order_by(f.since.desc(), f.id.desc())
            .limit(limit + 1)
        )
        found = list(await conn.execute(query))

    def view(row: Any) -> PersonView:
        shown = row.moderation == VISIBLE or row.user_id == viewer
        return PersonView(row.user_id, row.username, row.display_name if shown else "", row.since)

    return page(found, limit, view, lambda r: (r.since, r.id))


async def follow_requests(
    db: AsyncEngine, viewer: str, cursor: str | None, limit: int
) -> Page[RequestView]:
    """Requests to follow the viewer waiting for their answer, newest first."""
    f = follows.c
    person = profiles.alias("person")
    query = (
        select(f.id, f.requested_at, person.c.user_id, person.c.username, person.c.display_name)
        .join(person, person.c.user_id == f.follower_id)
        .where(f.followee_id == viewer, f.status == FollowStatus.REQUESTED.value)
        .where(after(cursor, f.requested_at, f.id))
        .order_by(f.requested_at.desc(), f.id.desc())
        .limit(limit + 1)
    )
    async with db.connect() as conn:
        found = list(await conn.execute(query))
    return page(
        found,
        limit,
        lambda r: RequestView(r.id, r.user_id, r.username, r.display_name, r.requested_at),
        lambda r: (r.requested_at, r.id),
    )


async def blocked_people(
    db: AsyncEngine, viewer: str, cursor: str | None, limit: int
) -> Page[BlockedView]:
    """Those the viewer has blocked (never those who blocked them), newest block first.
    A block hides their profile from the viewer too, so this is the one place to find
    them again and unblock."""
    b = blocks.c
    person = profiles.alias("person")
    query = (
        select(
            b.id,
            b.since,
            person.c.user_id,
            person.c.username,
            person.c.display_name,
            person.c.moderation,
        )
        .join(person, person.c.user_id == b.blocked_id)
        .where(b.blocker_id == viewer, b.active)
        .where(after(cursor, b.since, b.id))
        .order_by(b.since.desc(), b.id.desc())
        .limit(limit + 1)
    )
    async with db.connect() as conn:
        found = list(await conn.execute(query))

    def view(row: Any) -> BlockedView:
        # A name moderators hid stays hidden here too; the username is enough to unblock.
        name = row.display_name if row.moderation == VISIBLE else ""
        return BlockedView(row.user_id, row.username, name, row.since)

    return page(found, limit, view, lambda r: (r.since, r.id))


async def shareable_positions(
    db: AsyncEngine, owner: str, cursor: str | None, limit: int
) -> Page[ShareableView]:
    """The owner's closed positions as they would be shared, newest first."""
    c = closed_positions.c
    query = (
        select(closed_positions)
        .where(c.owner_id == owner, after(cursor, c.closed_at, c.position_id))
        .order_by(c.closed_at.desc(), c.position_id.desc())
        .limit(limit + 1)
    )
    async with db.connect() as conn:
        found = list(await conn.execute(query))

    def view(row: Any) -> ShareableView:
        return ShareableView(ClosedPosition(**row._mapping).share(), row.closed_at)

    return page(found, limit, view, lambda r: (r.closed_at, r.position_id))
