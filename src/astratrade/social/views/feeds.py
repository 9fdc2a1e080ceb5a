"""The feeds (home, a profile's, a market's), newest first, and a post's comments, oldest
first: cursor pages of what the viewer may see, each post with its author, reaction
counts, the viewer's own reaction and its number of comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal, select, true, union
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.shared.errors import NotFound
from astratrade.social.adapters.tables import (
    comments,
    follows,
    post_markets,
    posts,
    profiles,
    reactions,
)
from astratrade.social.domain.rules import SocialRules
from astratrade.social.views.common import (
    ACTIVE,
    VISIBLE,
    Page,
    after,
    page,
    post_shown,
    profile_row,
    sees_content,
    sees_posts_of,
    sees_profile_of,
    standing,
)


@dataclass(frozen=True, slots=True)
class AuthorView:
    user_id: str
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class PostView:
    post_id: str
    author: AuthorView
    kind: str
    text: str
    markets: list[str]
    trade_share: dict[str, Any] | None
    details: dict[str, Any]
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime | None
    moderation: str  # its author sees their own hidden posts, marked
    reactions: dict[str, int]
    my_reaction: str | None
    comments: int


@dataclass(frozen=True, slots=True)
class CommentView:
    comment_id: str
    post_id: str
    author: AuthorView
    text: str
    created_at: datetime
    moderation: str


def _posts_seen_by(viewer: str) -> Select[Any]:
    return (
        select(
            posts,
            profiles.c.username,
            profiles.c.display_name,
            profiles.c.moderation.label("profile_moderation"),
        )
        .join(profiles, profiles.c.user_id == posts.c.author_id)
        .where(
            sees_content(
                viewer, posts.c.author_id, profiles, posts.c.moderation, posts.c.deleted_at
            )
        )
    )


def author_of(row: Any, viewer: str, user_id: str) -> AuthorView:
    """A profile hidden by moderation shows its username only, but to its owner."""
    shown = row.profile_moderation == VISIBLE or user_id == viewer
    return AuthorView(user_id, row.username, row.display_name if shown else "")


async def _read_posts(
    conn: AsyncConnection, viewer: str, query: Select[Any], limit: int, rules: SocialRules
) -> Page[PostView]:
    found = list(await conn.execute(query.limit(limit + 1)))
    shown = [r.id for r in found[:limit]]
    counts, mine, threads = await _tallies(conn, viewer, shown)

    def view(row: Any) -> PostView:
        return PostView(
            post_id=row.id,
            author=author_of(row, viewer, row.author_id),
            kind=row.kind,
            text=row.text,
            markets=list(row.markets),
            trade_share=row.trade_share,
            details=row.details,
            created_at=row.created_at,
            edited_at=row.edited_at,
            editable_until=row.created_at + rules.edit_window if row.kind == "post" else None,
            moderation=row.moderation,
            reactions=counts.get(row.id, {}),
            my_reaction=mine.get(row.id),
            comments=threads.get(row.id, 0),
        )

    return page(found, limit, view, lambda r: (r.created_at, r.id))


async def _tallies(
    conn: AsyncConnection, viewer: str, post_ids: list[str]
) -> tuple[dict[str, dict[str, int]], dict[str, str], dict[str, int]]:
    """Reaction counts by kind, the viewer's reactions, and comment counts, in 3 queries."""
    if not post_ids:
        return {}, {}, {}
    r, c = reactions.c, comments.c
    counts: dict[str, dict[str, int]] = {}
    for post_id, kind, n in await conn.execute(
        select(r.post_id, r.kind, func.count())
        .where(r.post_id.in_(post_ids), r.kind.is_not(None))
        .group_by(r.post_id, r.kind)
    ):
        counts.setdefault(post_id, {})[kind] = n
    mine_query = select(r.post_id, r.kind).where(
        r.post_id.in_(post_ids), r.user_id == viewer, r.kind.is_not(None)
    )
    mine: dict[str, str] = {row.post_id: row.kind for row in await conn.execute(mine_query)}
    threads_query = (
        select(c.post_id, func.count().label("n"))
        .where(c.post_id.in_(post_ids), c.deleted_at.is_(None), c.moderation == VISIBLE)
        .group_by(c.post_id)
    )
    threads: dict[str, int] = {row.post_id: row.n for row in await conn.execute(threads_query)}
    return counts, mine, threads


def _newest_first(query: Select[Any], cursor: str | None) -> Select[Any]:
    p = posts.c
    return query.where(after(cursor, p.created_at, p.id)).order_by(p.created_at.desc(), p.id.desc())


def home_query(viewer: str, cursor: str | None, limit: int, *, per_author: bool) -> Select[Any]:
    """Posts and items of the people the viewer follows (approved) and their own, newest
    first (the caller limits the page to `limit` rows).

    With `per_author` (PostgreSQL), in two passes: the page's ids, from each author's
    newest `limit` shown posts read from ix_social_posts_author_shown alone (a LATERAL
    join) and merged, then those rows. A page costs about authors x limit index entries,
    however many posts each has written. SQLite has no LATERAL: it filters every post of
    those authors, then sorts."""
    f = follows.c
    authors = union(
        select(f.followee_id.label("author_id")).where(f.follower_id == viewer, f.status == ACTIVE),
        select(literal(viewer).label("author_id")),
    ).subquery("authors")
    if not per_author:
        followed = select(authors.c.author_id)
        return _newest_first(_posts_seen_by(viewer).where(posts.c.author_id.in_(followed)), cursor)
    p = posts.c
    newest = (
        _newest_first(select(p.id, p.created_at), cursor)
        .where(
            p.author_id == authors.c.author_id,
            post_shown(viewer, p.author_id, p.moderation, p.deleted_at),
        )
        .limit(limit)
        .lateral("newest")
    )
    page_ids = (
        select(newest.c.id)
        .select_from(authors)
        .join(profiles, profiles.c.user_id == authors.c.author_id)
        .join(newest, true())
        # Each author once, before their posts are read (the post itself: in `newest`).
        .where(sees_posts_of(viewer, authors.c.author_id, profiles))
        .order_by(newest.c.created_at.desc(), newest.c.id.desc())
        .limit(limit)
    )
    return _newest_first(_posts_seen_by(viewer).where(p.id.in_(page_ids)), None)


async def home_feed(
    db: AsyncEngine, viewer: str, cursor: str | None, limit: int, rules: SocialRules
) -> Page[PostView]:
    async with db.connect() as conn:
        per_author = conn.dialect.name == "postgresql"
        query = home_query(viewer, cursor, limit + 1, per_author=per_author)
        return await _read_posts(conn, viewer, query, limit, rules)


async def profile_feed(
    db: AsyncEngine, viewer: str, username: str, cursor: str | None, limit: int, rules: SocialRules
) -> Page[PostView]:
    """A profile's posts as the viewer may see them: none of a private one's but to its
    approved followers; not found when the profile is hidden from the viewer."""
    async with db.connect() as conn:
        owner = await profile_row(conn, username=username)
        if owner is None or not (await standing(conn, viewer, owner)).sees_profile():
            raise NotFound(f"no profile {username!r}")
        query = _newest_first(
            _posts_seen_by(viewer).where(posts.c.author_id == owner.user_id), cursor
        )
        return await _read_posts(conn, viewer, query, limit, rules)


async def market_feed(
    db: AsyncEngine, viewer: str, market: str, cursor: str | None, limit: int, rules: SocialRules
) -> Page[PostView]:
    """Posts tagging the market (`$BTC`), newest first, through the market index."""
    m = post_markets.c
    query = (
        _posts_seen_by(viewer)
        .join(post_markets, m.post_id == posts.c.id)
        .where(m.market == market, after(cursor, m.created_at, m.post_id))
        .order_by(m.created_at.desc(), m.post_id.desc())
    )
    async with db.connect() as conn:
        return await _read_posts(conn, viewer, query, limit, rules)


async def post(db: AsyncEngine, viewer: str, post_id: str, rules: SocialRules) -> PostView:
    query = _posts_seen_by(viewer).where(posts.c.id == post_id)
    async with db.connect() as conn:
        found = await _read_posts(conn, viewer, query, 1, rules)
    if not found.items:
        raise NotFound(f"post {post_id} not found")
    return found.items[0]


async def comments_of(
    db: AsyncEngine, viewer: str, post_id: str, cursor: str | None, limit: int
) -> Page[CommentView]:
    """A post's comments the viewer may see, oldest first; not found with the post."""
    c = comments.c
    author = profiles.alias("comment_author")
    visible = c.author_id == viewer
    visible = visible | (
        (c.moderation == VISIBLE) & sees_profile_of(viewer, c.author_id, author.c.suspended)
    )
    query = (
        select(
            comments,
            author.c.username,
            author.c.display_name,
            author.c.moderation.label("profile_moderation"),
        )
        .join(author, author.c.user_id == c.author_id)
        .where(c.post_id == post_id, c.deleted_at.is_(None), visible)
        .where(after(cursor, c.created_at, c.id, newest_first=False))
        .order_by(c.created_at, c.id)
        .limit(limit + 1)
    )
    async with db.connect() as conn:
        seen = await conn.scalar(
            _posts_seen_by(viewer).where(posts.c.id == post_id).with_only_columns(posts.c.id)
        )
        if seen is None:
            raise NotFound(f"post {post_id} not found")
        found = list(await conn.execute(query))

    def view(row: Any) -> CommentView:
        return CommentView(
            comment_id=row.id,
            post_id=row.post_id,
            author=author_of(row, viewer, row.author_id),
            text=row.text,
            created_at=row.created_at,
            moderation=row.moderation,
        )

    return page(found, limit, view, lambda r: (r.created_at, r.id))
