"""The leases' compare-and-set statements, PostgreSQL only.

Every decision is in the WHERE clause of one statement and uses the database's clock
(now(), the transaction's start): no replica's own clock decides who may take a lease, so
clock skew between replicas cannot give one shard two holders. The statements lock lease
rows in ascending shard order, as fences should, so they wait on each other instead of
deadlocking. The acquisition, for instance, compiles to:

    WITH free AS (SELECT shard FROM events.shard_leases
        WHERE scope = :scope AND shard <= :last AND (expires_at <= now() OR holder = :me)
            AND shard NOT IN (:held) ORDER BY shard LIMIT :wanted
        FOR NO KEY UPDATE SKIP LOCKED)
    UPDATE events.shard_leases SET holder = :me, token = token + 1,
        expires_at = now() + :ttl
    FROM free WHERE scope = :scope AND shard = free.shard RETURNING shard, token"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Interval, and_, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import BindParameter

from astratrade.infrastructure.shard_leases.placement import Placement, Replica, placed
from astratrade.infrastructure.shard_leases.tables import shard_leases, shard_replicas

_lease, _replica = shard_leases.c, shard_replicas.c
# Not the columns' names: those are reserved for an INSERT's or UPDATE's own values.
_SCOPE: BindParameter[str] = bindparam("in_scope")
_ME: BindParameter[str] = bindparam("me")
_TTL = bindparam("ttl", type_=Interval())
# FOR NO KEY UPDATE: what the UPDATE that follows takes anyway (it changes no key).
_FOR_UPDATE: dict[str, Any] = {"key_share": True}

# Never held yet: already expired, token 0 (the first acquisition hands out token 1).
_ENSURE_ROW = (
    insert(shard_leases)
    .values(scope=_SCOPE, shard=bindparam("new_shard"), holder=None, token=0, expires_at=func.now())
    .on_conflict_do_nothing(index_elements=["scope", "shard"])
)

_heartbeat_row = insert(shard_replicas).values(
    scope=_SCOPE, name=_ME, seen_at=func.now(), address=bindparam("address")
)
_HEARTBEAT = _heartbeat_row.on_conflict_do_update(
    index_elements=["scope", "name"],
    set_={"seen_at": _heartbeat_row.excluded.seen_at, "address": _heartbeat_row.excluded.address},
)

# Rows of replicas gone for a lease's length; SKIP LOCKED: two replicas pruning at once
# must not wait on each other (nor deadlock with the heartbeats they are writing).
_gone = (
    select(_replica.scope, _replica.name)
    .where(_replica.scope == _SCOPE, _replica.seen_at <= func.now() - _TTL)
    .with_for_update(skip_locked=True)
)
_PRUNE = delete(shard_replicas).where(tuple_(_replica.scope, _replica.name).in_(_gone))

_OTHERS_LIVE = select(_replica.name).where(_replica.scope == _SCOPE, _replica.name != _ME)

# Who holds each unexpired lease, and where that replica said it is reached.
_HOLDERS = (
    select(_lease.shard, _lease.holder, _replica.address)
    .select_from(
        shard_leases.outerjoin(
            shard_replicas, and_(_replica.scope == _lease.scope, _replica.name == _lease.holder)
        )
    )
    .where(_lease.scope == _SCOPE, _lease.expires_at > func.now(), _lease.holder.is_not(None))
)
_LIVE = (
    select(_replica.name, _replica.address)
    .where(_replica.scope == _SCOPE, _replica.seen_at > func.now() - _TTL)
    .order_by(_replica.name)
)


def _still_ours() -> Any:
    """The leases this replica holds, each with the token it holds it with: nobody
    acquired them since (even if they expired meanwhile)."""
    mine = (
        select(_lease.shard)
        .where(
            _lease.scope == _SCOPE,
            _lease.holder == _ME,
            tuple_(_lease.shard, _lease.token).in_(bindparam("held", expanding=True)),
        )
        .order_by(_lease.shard)
        .with_for_update(**_FOR_UPDATE)
        .cte("mine")
    )
    return update(shard_leases).where(_lease.scope == _SCOPE, _lease.shard == mine.c.shard)


# A shard missing from the result is lost.
_RENEW = _still_ours().values(expires_at=func.now() + _TTL).returning(_lease.shard)

# Free (expired or released), or ours by name but not held here (a restart under the same
# name, a renewal whose answer never came): a new token either way. SKIP LOCKED: a row
# being renewed, or fenced by its holder's commit in flight, is left for the next round.
_free = (
    select(_lease.shard)
    .where(
        _lease.scope == _SCOPE,
        _lease.shard <= bindparam("last"),
        or_(_lease.expires_at <= func.now(), _lease.holder == _ME),
        _lease.shard.not_in(bindparam("held", expanding=True)),
    )
    .order_by(_lease.shard)
    .limit(bindparam("wanted"))
    .with_for_update(skip_locked=True, **_FOR_UPDATE)
    .cte("free")
)
_ACQUIRE = (
    update(shard_leases)
    .where(and_(_lease.scope == _SCOPE, _lease.shard == _free.c.shard))
    .values(holder=_ME, token=_lease.token + 1, expires_at=func.now() + _TTL)
    .returning(_lease.shard, _lease.token)
)

# Expire now: the next acquisition (by anyone) finds it free. It waits for a commit in
# flight that fenced the shard, which lets that commit finish first.
_RELEASE = _still_ours().values(expires_at=func.now())

_LEAVE = delete(shard_replicas).where(_replica.scope == _SCOPE, _replica.name == _ME)


async def ensure_rows(conn: AsyncConnection, scope: str, shards: int) -> None:
    await conn.execute(_ENSURE_ROW, [{"in_scope": scope, "new_shard": s} for s in range(shards)])


async def limit_statements(conn: AsyncConnection, milliseconds: int) -> None:
    """Bound this transaction's statements (lock waits included): a round that hangs must
    not hold up the next one."""
    await conn.execute(select(func.set_config("statement_timeout", f"{int(milliseconds)}ms", True)))


async def heartbeat(
    conn: AsyncConnection, scope: str, me: str, ttl: float, address: str | None = None
) -> list[str]:
    """Say this replica is alive, and where it is reached; return the other live
    replicas' names."""
    await conn.execute(_HEARTBEAT, {"in_scope": scope, "me": me, "address": address})
    await conn.execute(_PRUNE, {"in_scope": scope, "ttl": timedelta(seconds=ttl)})
    return list((await conn.execute(_OTHERS_LIVE, {"in_scope": scope, "me": me})).scalars())


async def renew(
    conn: AsyncConnection, scope: str, me: str, ttl: float, held: Mapping[int, int]
) -> set[int]:
    """Extend the leases still ours; return the shards renewed."""
    if not held:
        return set()
    params = {"in_scope": scope, "me": me, "ttl": timedelta(seconds=ttl), "held": _pairs(held)}
    return set((await conn.execute(_RENEW, params)).scalars())


async def acquire(
    conn: AsyncConnection,
    scope: str,
    me: str,
    ttl: float,
    *,
    shards: int,
    held: Mapping[int, int],
    wanted: int,
) -> dict[int, int]:
    """Take up to `wanted` free shards; return their new tokens by shard."""
    params = {
        "in_scope": scope,
        "me": me,
        "ttl": timedelta(seconds=ttl),
        "last": shards - 1,
        "wanted": wanted,
        "held": sorted(held),
    }
    result = await conn.execute(_ACQUIRE, params)
    return dict(result.all())


async def release(conn: AsyncConnection, scope: str, me: str, held: Mapping[int, int]) -> None:
    if held:
        await conn.execute(_RELEASE, {"in_scope": scope, "me": me, "held": _pairs(held)})


async def leave(conn: AsyncConnection, scope: str, me: str) -> None:
    """Drop this replica's heartbeat: the others count it out at their next round."""
    await conn.execute(_LEAVE, {"in_scope": scope, "me": me})


async def placement(conn: AsyncConnection, scope: str, shards: int, ttl: float) -> Placement:
    """Each shard's live holder (and its address), and the live replicas, by the
    database's clock."""
    params = {"in_scope": scope, "ttl": timedelta(seconds=ttl)}
    held = {
        row.shard: Replica(row.holder, row.address)
        for row in await conn.execute(_HOLDERS, params)
        if row.shard < shards
    }
    live = [Replica(row.name, row.address) for row in await conn.execute(_LIVE, params)]
    return placed(shards, held, live)


def _pairs(held: Mapping[int, int]) -> list[tuple[int, int]]:
    return sorted(held.items())
