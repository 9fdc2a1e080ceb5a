"""Read-side queries over badges' read models, returning domain values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.badges.adapters.mints import mint_of
from astratrade.badges.adapters.repository import badge_of
from astratrade.badges.adapters.tables import badges, blocks, holders, mints, wallets
from astratrade.badges.domain.badges import Badge, MintStatus
from astratrade.badges.domain.minting import Mint
from astratrade.infrastructure import paging
from astratrade.shared.errors import NotFound

# What any username looks like (users' rule, wider): anything else names nobody, and is not
# sent to the database (PostgreSQL refuses a NUL byte in text outright).
NAME_SHAPE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# Nine achievements exist; the bound keeps a list finite should the catalogue grow.
MAX_BADGES_LISTED = 500


async def badge_by_token(db: AsyncEngine, token_id: int) -> Badge:
    async with db.connect() as conn:
        row = (await conn.execute(select(badges).where(badges.c.token_id == str(token_id)))).first()
    if row is None:
        raise NotFound(f"no badge with token id {token_id}")
    return badge_of(row._mapping)


async def badges_of_user(db: AsyncEngine, user_id: str) -> list[Badge]:
    """The user's badges, earliest first (revoked ones included)."""
    b = badges.c
    query = (
        select(badges)
        .where(b.user_id == user_id)
        .order_by(b.earned_at, b.achievement)
        .limit(MAX_BADGES_LISTED)
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [badge_of(row._mapping) for row in rows]


async def badges_of_holder(db: AsyncEngine, holder: str) -> list[Badge]:
    query = select(badges).where(badges.c.holder == holder).limit(MAX_BADGES_LISTED)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [badge_of(row._mapping) for row in rows]


async def visible_badges(db: AsyncEngine, username: str, viewer_id: str | None) -> list[Badge]:
    """A trader's badges as `viewer_id` may see them: a private or suspended profile's
    only by its owner, and never by someone in a block with them (anyone else: 404, as for
    a name nobody has); revoked ones never shown to others."""
    if not NAME_SHAPE.fullmatch(username):
        raise NotFound(f"no trader named {username!r}")
    h = holders.c
    async with db.connect() as conn:
        found = (
            await conn.execute(select(holders).where(h.username_key == username.strip().lower()))
        ).first()
    if found is None:
        raise NotFound(f"no trader named {username}")
    holder = found._mapping
    own = viewer_id == holder["user_id"]
    hidden = holder["visibility"] != "public" or holder["suspended"]
    if not own and (hidden or await _blocked(db, holder["user_id"], viewer_id)):
        raise NotFound(f"no trader named {username}")
    listed = await badges_of_user(db, holder["user_id"])
    return listed if own else [badge for badge in listed if not badge.revoked]


async def _blocked(db: AsyncEngine, owner_id: str, viewer_id: str | None) -> bool:
    """A block either way between the owner and the viewer (none for an anonymous one)."""
    if viewer_id is None:
        return False
    b = blocks.c
    either = or_(
        and_(b.blocker_id == owner_id, b.blocked_id == viewer_id),
        and_(b.blocker_id == viewer_id, b.blocked_id == owner_id),
    )
    async with db.connect() as conn:
        return await conn.scalar(select(b.blocker_id).where(either).limit(1)) is not None


async def mints_of_user(db: AsyncEngine, user_id: str) -> dict[int, Mint]:
    """The user's queued mints by token id."""
    query = select(mints).where(mints.c.user_id == user_id).limit(MAX_BADGES_LISTED)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {int(row.token_id): mint_of(row._mapping) for row in rows}


async def has_wallet(db: AsyncEngine, user_id: str) -> bool:
    async with db.connect() as conn:
        found = await conn.scalar(select(wallets.c.user_id).where(wallets.c.user_id == user_id))
    return found is not None


@dataclass(frozen=True, slots=True)
class QueuedMint:
    """A mint as admins see it in the queue: whose badge, which achievement, its state."""

    mint: Mint
    username: str | None
    achievement: str
    updated_at: datetime


async def mint_queue(
    db: AsyncEngine, status: MintStatus | None, cursor: str | None, limit: int
) -> tuple[list[QueuedMint], str | None]:
    """Every mint (or those in `status`), the latest change first, a page at a time."""
    m = mints.c
    where = [] if status is None else [m.status == status.value]
    if cursor is not None:
        at, key = paging.decode(cursor)
        where.append(or_(m.updated_at < at, and_(m.updated_at == at, m.token_id < key)))
    query = (
        select(mints, badges.c.achievement, holders.c.username)
        .join(badges, badges.c.token_id == m.token_id)
        .outerjoin(holders, holders.c.user_id == m.user_id)
        .where(*where)
        .order_by(m.updated_at.desc(), m.token_id.desc())
        .limit(limit + 1)
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    items = [
        QueuedMint(mint_of(r._mapping), r.username, r.achievement, r.updated_at)
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    last = items[-1] if items else None
    return items, (
        paging.encode(last.updated_at, str(last.mint.token_id)) if more and last else None
    )
