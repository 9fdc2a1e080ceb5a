"""The social unit of work: its aggregates through a SqlUnitOfWork, each repository an
identity map (a second read of a row returns the object already loaded) that writes back
only what is new or changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Self, TypeVar

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import IdFactory, new_id
from astratrade.shared.messages import Aggregate
from astratrade.social.adapters import rows
from astratrade.social.adapters.tables import (
    blocks,
    closed_positions,
    comments,
    follows,
    post_markets,
    posts,
    profiles,
    reactions,
    reports,
    tournaments,
)
from astratrade.social.domain.moderation import Report, ReportStatus
from astratrade.social.domain.posts import Comment, Post, Reaction
from astratrade.social.domain.profiles import Profile
from astratrade.social.domain.relations import Block, Follow, FollowStatus
from astratrade.social.domain.rules import TargetType
from astratrade.social.domain.shares import ClosedPosition

A = TypeVar("A", bound=Aggregate)


class _Repository(Generic[A]):
    table: Table
    key: str  # the table's key column, which `key_of` gives for an aggregate

    def __init__(
        self,
        uow: SqlUnitOfWork,
        to_row: Callable[[A], rows.Row],
        from_row: Callable[[Any], A],
        key_of: Callable[[A], str] = lambda a: a.id,
    ) -> None:
        self._uow = uow
        self._to_row, self._from_row, self._key_of = to_row, from_row, key_of
        self._seen: dict[str, A] = {}
        self._loaded: dict[str, int] = {}  # version when read: unchanged rows are not written

    async def _one(self, *where: ColumnElement[bool]) -> A | None:
        found = await self._all(*where)
        return found[0] if found else None

    async def _all(self, *where: ColumnElement[bool], order: Any = None) -> list[A]:
        conn = await self._uow.connection()
        query = select(self.table).where(*where)
        if order is not None:
            query = query.order_by(order)
        loaded = []
        for row in await conn.execute(query):
            key = str(row._mapping[self.key])
            known = self._seen.get(key)
            if known is None:
                known = self._from_row(row._mapping)
                self._loaded[key] = known.version
                self._see(known)
            loaded.append(known)
        return loaded

    def add(self, aggregate: A) -> None:
        self._see(aggregate)

    def _see(self, aggregate: A) -> None:
        if not self._seen:
            self._uow.on_commit(self._flush)
        self._seen[self._key_of(aggregate)] = aggregate
        self._uow.track(aggregate)

    def _changed(self) -> list[A]:
        # Events are numbered (and versions moved on) before the flushes run.
        return [a for k, a in self._seen.items() if self._loaded.get(k) != a.version]

    async def _flush(self, conn: AsyncConnection) -> None:
        await conn.run_sync(
            upsert, self.table, [self._to_row(a) for a in self._changed()], [self.key]
        )


class SqlProfiles(_Repository[Profile]):
    table, key = profiles, "user_id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.profile_row, rows.PROFILES.load, lambda p: p.user_id)

    async def get(self, user_id: str) -> Profile | None:
        return self._seen.get(user_id) or await self._one(profiles.c.user_id == user_id)

    async def by_username(self, username: str) -> Profile | None:
        return await self._one(profiles.c.username_key == rows.username_key(username))


class SqlFollows(_Repository[Follow]):
    table, key = follows, "id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.FOLLOWS.row, rows.FOLLOWS.load)

    async def get(self, follower_id: str, followee_id: str) -> Follow | None:
        for known in self._seen.values():
            if (known.follower_id, known.followee_id) == (follower_id, followee_id):
                return known
        c = follows.c
        return await self._one(c.follower_id == follower_id, c.followee_id == followee_id)

    async def by_id(self, follow_id: str) -> Follow | None:
        return self._seen.get(follow_id) or await self._one(follows.c.id == follow_id)

    async def requests_to(self, followee_id: str) -> list[Follow]:
        c = follows.c
        return await self._all(
            c.followee_id == followee_id, c.status == FollowStatus.REQUESTED.value
        )


class SqlBlocks(_Repository[Block]):
    table, key = blocks, "id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.BLOCKS.row, rows.BLOCKS.load)

    async def get(self, blocker_id: str, blocked_id: str) -> Block | None:
        for known in self._seen.values():
            if (known.blocker_id, known.blocked_id) == (blocker_id, blocked_id):
                return known
        c = blocks.c
        return await self._one(c.blocker_id == blocker_id, c.blocked_id == blocked_id)

    async def between(self, one: str, other: str) -> bool:
        c = blocks.c
        found = await self._all(
            or_(
                and_(c.blocker_id == one, c.blocked_id == other),
                and_(c.blocker_id == other, c.blocked_id == one),
            )
        )
        return any(b.active for b in found)


class SqlPosts(_Repository[Post]):
    table, key = posts, "id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.POSTS.row, rows.POSTS.load)
        self._new: set[str] = set()

    async def get(self, post_id: str) -> Post | None:
        return self._seen.get(post_id) or await self._one(posts.c.id == post_id)

    def add(self, aggregate: Post) -> None:
        self._new.add(aggregate.id)
        super().add(aggregate)

    async def _flush(self, conn: AsyncConnection) -> None:
        changed = self._changed()
        await super()._flush(conn)
        retagged = [p for p in changed if p.id in self._new or p.markets_changed]
        if not retagged:
            return
        ids = [p.id for p in retagged]
        await conn.execute(post_markets.delete().where(post_markets.c.post_id.in_(ids)))
        tags = [
            {"post_id": p.id, "market": market, "created_at": p.created_at}
            for p in retagged
            for market in p.markets
        ]
        if tags:
            await conn.execute(post_markets.insert(), tags)


class SqlComments(_Repository[Comment]):
    table, key = comments, "id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.COMMENTS.row, rows.COMMENTS.load)

    async def get(self, comment_id: str) -> Comment | None:
        return self._seen.get(comment_id) or await self._one(comments.c.id == comment_id)


class SqlReactions(_Repository[Reaction]):
    table, key = reactions, "id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.REACTIONS.row, rows.REACTIONS.load)

    async def get(self, post_id: str, user_id: str) -> Reaction | None:
        c = reactions.c
        return await self._one(c.post_id == post_id, c.user_id == user_id)


class SqlReports(_Repository[Report]):
    table, key = reports, "id"

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, rows.REPORTS.row, rows.REPORTS.load)

    async def get(self, report_id: str) -> Report | None:
        return self._seen.get(report_id) or await self._one(reports.c.id == report_id)

    async def of_reporter(
        self, reporter_id: str, target_type: TargetType, target_id: str
    ) -> Report | None:
        c = reports.c
        return await self._one(
            c.reporter_id == reporter_id,
            c.target_type == target_type.value,
            c.target_id == target_id,
        )

    async def open_on(self, target_type: TargetType, target_id: str) -> list[Report]:
        c = reports.c
        return await self._all(
            c.target_type == target_type.value,
            c.target_id == target_id,
            c.status == ReportStatus.OPEN.value,
        )


class SqlTradingFacts:
    """Social's read models of trading's and gamification's events, in its transaction."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def closed_position(self, position_id: str) -> ClosedPosition | None:
        conn = await self._uow.connection()
        row = (
            await conn.execute(
                select(closed_positions).where(closed_positions.c.position_id == position_id)
            )
        ).first()
        return None if row is None else ClosedPosition(**row._mapping)

    async def tournament_name(self, tournament_id: str) -> str | None:
        conn = await self._uow.connection()
        found = await conn.scalar(
            select(tournaments.c.name).where(tournaments.c.id == tournament_id)
        )
        return None if found is None else str(found)


class SqlSocialUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory = new_id,
        *,
        delivery: Delivery | None = None,
        deliveries: Sequence[Delivery] = (),
    ) -> None:
        self._sql = SqlUnitOfWork(
            engine, publisher, clock, ids, delivery=delivery, deliveries=deliveries
        )
        self.profiles = SqlProfiles(self._sql)
        self.follows = SqlFollows(self._sql)
        self.blocks = SqlBlocks(self._sql)
        self.posts = SqlPosts(self._sql)
        self.comments = SqlComments(self._sql)
        self.reactions = SqlReactions(self._sql)
        self.reports = SqlReports(self._sql)
        self.facts = SqlTradingFacts(self._sql)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._sql.rollback()

    async def commit(self) -> None:
        await self._sql.commit_refusing_races()
