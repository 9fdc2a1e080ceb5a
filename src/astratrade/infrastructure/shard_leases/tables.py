"""The leases' tables, and the fence a writer's transaction checks before it commits.

Both live in the `events` schema beside the backbone's tables: they belong to no context
(the scope column says what is sharded, "trading" for trading's accounts)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    true,
)

from astratrade.infrastructure.db import EVENTS_SCHEMA, metadata
from astratrade.infrastructure.types import UtcDateTime

shard_leases = Table(
    "shard_leases",
    metadata,
    Column("scope", String(40), nullable=False),
    Column("shard", Integer, nullable=False),
    # The replica holding it, or that held it last (a released lease keeps its name).
    Column("holder", String(255)),
    # The fencing token: one more on every acquisition, never on a renewal.
    Column("token", BigInteger, nullable=False),
    # By the database's clock: only PostgreSQL's now() decides who may take a lease.
    Column("expires_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("scope", "shard"),
    schema=EVENTS_SCHEMA,
)

shard_replicas = Table(
    "shard_replicas",
    metadata,
    Column("scope", String(40), nullable=False),
    Column("name", String(255), nullable=False),
    # Written in the transaction that renews the replica's leases, with the same now().
    Column("seen_at", UtcDateTime, nullable=False),
    # Where the other processes reach this replica (its advertised URL); None: nowhere said.
    Column("address", String(255)),
    PrimaryKeyConstraint("scope", "name"),
    schema=EVENTS_SCHEMA,
)


class LeaseLost(Exception):
    """The writer's lease on a shard is gone: another replica holds it (or may take it);
    the transaction must roll back and the writer stop writing that shard."""

    def __init__(self, scope: str, shard: int, token: int, why: str) -> None:
        super().__init__(f"{scope} shard {shard}: token {token} is fenced off ({why})")
        self.shard = shard
        self.token = token


# FOR SHARE, not FOR KEY SHARE: a takeover's UPDATE changes no key column, so it takes
# FOR NO KEY UPDATE, which conflicts with FOR SHARE and not with FOR KEY SHARE. Not FOR
# UPDATE either: that would also serialize a replica's own concurrent commits on a shard.
# set_config(..., true) lasts until the transaction ends: a writer that stalls inside it
# (paused, stuck) loses its session after the limit, and with it the row lock that would
# otherwise hold a takeover up for as long as the stall lasts.
_CURRENT_TOKEN = (
    select(
        shard_leases.c.token,
        func.set_config(
            literal("idle_in_transaction_session_timeout"), bindparam("stall_limit"), true()
        ),
    )
    .where(shard_leases.c.scope == bindparam("scope"), shard_leases.c.shard == bindparam("shard"))
    .with_for_update(read=True)
)


def fence(conn: Connection, scope: str, shard: int, token: int, *, stall_limit_ms: int) -> None:
    """Refuse this transaction unless `token` is still the shard's lease, and keep it so
    until the transaction ends.

    Why that is enough: the row lock is held until commit, so an acquisition (an UPDATE of
    the row) either committed before this check, and the token differs (LeaseLost); or is
    in progress, and this check waits for it, then reads the new token (LeaseLost); or
    cannot touch the row until this transaction has ended (the acquisition skips a locked
    row until its next round; a release waits). A new holder loads the shard's state only
    after its acquisition has committed, so it sees every write a fenced transaction let
    through; a paused replica that wakes up after a takeover is refused here. Expiry is not checked:
    until someone acquires the row, nobody else has read the state, so a late commit with
    the current token is still in order. A transaction idle for `stall_limit_ms` after the
    fence is ended by PostgreSQL (it cannot commit then). Fence several shards in ascending
    order (renewals lock in that order); PostgreSQL breaks any other cycle after
    deadlock_timeout."""
    params = {"scope": scope, "shard": shard, "stall_limit": f"{stall_limit_ms}ms"}
    current = conn.execute(_CURRENT_TOKEN, params).scalar_one_or_none()
    if current != token:
        why = "no such shard" if current is None else f"the current token is {current}"
        raise LeaseLost(scope, shard, token, why)
