"""The mint queue's rows: queueing each badge whose holder has a wallet (once: the token
id is the key), the mints there is work for, and a mint's new state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, literal, or_, select, update

from astratrade.badges.adapters.tables import badges, mints, wallets
from astratrade.badges.domain.badges import MintStatus
from astratrade.badges.domain.minting import Mint

BATCH = 20  # mints a round works on: each is a call to the chain


def queue_new(conn: Connection, at: datetime) -> None:
    """Queue every badge (not revoked) whose holder has a wallet and that has no mint yet:
    a badge issued after the wallet was linked, or earlier badges once it is."""
    b, w, m = badges.c, wallets.c, mints.c
    unqueued = (
        select(
            b.token_id, b.user_id, w.address, literal(MintStatus.PENDING.value), literal(0),
            literal(at, mints.c.updated_at.type),
        )
        .join(wallets, w.user_id == b.user_id)
        .where(b.revoked_at.is_(None), ~exists().where(m.token_id == b.token_id))
    )  # fmt: skip
    columns = ["token_id", "user_id", "to_address", "status", "attempts", "updated_at"]
    conn.execute(insert(mints).from_select(columns, unqueued))


def workable(conn: Connection, at: datetime, limit: int = BATCH) -> list[Mint]:
    """Mints to submit, to confirm, or failed and due again; oldest change first."""
    m = mints.c
    due = and_(m.status == MintStatus.FAILED.value, m.due_at.is_not(None), m.due_at <= at)
    active = m.status.in_([MintStatus.PENDING.value, MintStatus.SUBMITTED.value])
    query = select(mints).where(or_(active, due)).order_by(m.updated_at, m.token_id).limit(limit)
    return [mint_of(row._mapping) for row in conn.execute(query)]


def save(conn: Connection, mint: Mint, at: datetime) -> None:
    conn.execute(
        update(mints)
        .where(mints.c.token_id == str(mint.token_id))
        .values(status=mint.status.value, attempts=mint.attempts, tx_hash=mint.tx_hash,
                reason=mint.reason, due_at=mint.due_at, updated_at=at)
    )  # fmt: skip


def mint_of(row: Any) -> Mint:
    return Mint(
        token_id=int(row["token_id"]),
        to=row["to_address"],
        status=MintStatus(row["status"]),
        attempts=row["attempts"],
        tx_hash=row["tx_hash"],
        reason=row["reason"],
        due_at=row["due_at"],
    )
