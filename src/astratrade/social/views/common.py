"""What every social read shares: the visibility rules (domain/visibility.py) as SQL
conditions, a viewer's standing read from the tables, and cursor pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.infrastructure import paging
from astratrade.social.adapters.tables import blocks, follows, profiles
from astratrade.social.domain.relations import FollowStatus
from astratrade.social.domain.rules import Moderation, Visibility
from astratrade.social.domain.visibility import Standing

T = TypeVar("T")
ACTIVE = FollowStatus.ACTIVE.value
VISIBLE = Moderation.VISIBLE.value


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # None: this is the last page


def after(
    cursor: str | None, at: Any, key: Any, *, newest_first: bool = True
) -> ColumnElement[bool]:
    """Rows after the cursor's (time, id) in the page order."""
    if cursor is None:
        return true()
    moment, last = paging.decode(cursor)
    if newest_first:
        return or_(at < moment, and_(at == moment, key < last))
    return or_(at > moment, and_(at == moment, key > last))


def page(
    rows: Sequence[Any],
    limit: int,
    item: Callable[[Any], T],
    mark: Callable[[Any], tuple[datetime, str]],
) -> Page[T]:
    """`rows`: up to limit + 1 read; the extra one only says another page follows."""
    shown = list(rows[:limit])
    more = len(rows) > limit
    return Page([item(r) for r in shown], paging.encode(*mark(shown[-1])) if more else None)


def blocked_between(viewer: str, other: Any) -> ColumnElement[bool]:
    """Either has blocked the other (`other`: a column or a user id)."""
    b = blocks.c
    return exists().where(
        b.active == true(),
        or_(
            and_(b.blocker_id == viewer, b.blocked_id == other),
            and_(b.blocker_id == other, b.blocked_id == viewer),
        ),
    )


def follows_actively(viewer: str, author: Any) -> ColumnElement[bool]:
    f = follows.c
    return exists().where(f.follower_id == viewer, f.followee_id == author, f.status == ACTIVE)


def sees_profile_of(viewer: str, owner: Any, owner_suspended: Any) -> ColumnElement[bool]:
    """Standing.sees_profile: one's own, or neither blocked nor suspended."""
    return or_(owner == viewer, and_(owner_suspended == false(), ~blocked_between(viewer, owner)))


def sees_posts_of(viewer: str, author: Any, author_profile: Any) -> ColumnElement[bool]:
    """Standing.sees_posts: one's own, or an author whose profile the viewer sees and whose
    posts reach them (public, or an approved follower). `author_profile`: the author's row
    of social_profiles (a table or an alias)."""
    a = author_profile.c
    return or_(
        author == viewer,
        and_(
            sees_profile_of(viewer, author, a.suspended),
            or_(a.visibility == Visibility.PUBLIC.value, follows_actively(viewer, author)),
        ),
    )


def post_shown(viewer: str, author: Any, moderation: Any, deleted_at: Any) -> ColumnElement[bool]:
    """What Standing.sees asks of the post itself: not deleted, and one's own or visible."""
    return and_(deleted_at.is_(None), or_(author == viewer, moderation == VISIBLE))


def sees_content(
    viewer: str, author: Any, author_profile: Any, moderation: Any, deleted_at: Any
) -> ColumnElement[bool]:
    """Standing.sees: the post shown, by an author whose posts reach the viewer."""
    return and_(
        post_shown(viewer, author, moderation, deleted_at),
        sees_posts_of(viewer, author, author_profile),
    )


async def standing(conn: AsyncConnection, viewer: str, owner: Any) -> Standing:
    """The viewer's standing towards the owner of a social_profiles row."""
    blocked = viewer != owner.user_id and bool(
        await conn.scalar(select(blocked_between(viewer, owner.user_id)))
    )
    follows_now = bool(await conn.scalar(select(follows_actively(viewer, owner.user_id))))
    return Standing(
        viewer_id=viewer,
        author_id=owner.user_id,
        blocked=blocked,
        follows=follows_now,
        private=owner.visibility == Visibility.PRIVATE.value,
        suspended=owner.suspended,
    )


async def profile_row(
    conn: AsyncConnection, *, username: str | None = None, user_id: str | None = None
) -> Any:
    p = profiles.c
    where = (
        p.username_key == username.strip().lower() if username is not None else p.user_id == user_id
    )
    return (await conn.execute(select(profiles).where(where))).first()
