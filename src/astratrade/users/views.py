"""Read-side queries of the users context, returning plain DTOs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.users.adapters.tables import progress, users


@dataclass(frozen=True, kw_only=True)
class MeView:
    user_id: str
    username: str
    email: str
    level: int
    xp: int
    max_leverage: Decimal
    kyc: bool
    role: str


async def me(db: AsyncEngine, user_id: str, default_max_leverage: Decimal) -> MeView | None:
    """The caller's identity and progress; a trader with no progress yet is at level 1."""
    query = (
        select(
            users.c.id,
            users.c.username,
            users.c.email,
            users.c.kyc,
            users.c.role,
            progress.c.xp,
            progress.c.level,
            progress.c.max_leverage,
        )
        .select_from(users.outerjoin(progress, progress.c.user_id == users.c.id))
        .where(users.c.id == user_id)
    )
    async with db.connect() as conn:
        row = (await conn.execute(query)).one_or_none()
    if row is None:
        return None
    # No progress row: gamification has not written one yet, so this is a new trader.
    has_progress = row.level is not None
    return MeView(
        user_id=row.id,
        username=row.username,
        email=row.email,
        level=row.level if has_progress else 1,
        xp=row.xp if has_progress else 0,
        max_leverage=row.max_leverage if has_progress else default_max_leverage,
        kyc=row.kyc,
        role=row.role,
    )


@dataclass(frozen=True, slots=True)
class UserListing:
    user_id: str
    username: str
    email: str
    role: str
    kyc: bool
    suspended: bool
    created_at: datetime


async def list_users(db: AsyncEngine, after: str | None, limit: int) -> list[UserListing]:
    """Users by username, `limit` at a time after the username key `after`."""
    query = select(users).order_by(users.c.username_key).limit(limit)
    if after is not None:
        query = query.where(users.c.username_key > after.lower())
    async with db.connect() as conn:
        rows = await conn.execute(query)
        return [
            UserListing(r.id, r.username, r.email, r.role, r.kyc, r.suspended, r.created_at)
            for r in rows
        ]
