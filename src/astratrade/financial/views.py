"""Read-side queries of the ledger: an account's postings, and every account's balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.financial.adapters.tables import accounts, entries, postings, transfers
from astratrade.financial.projections import MICROS


@dataclass(frozen=True, slots=True)
class PostingView:
    posting_id: int
    entry_id: str
    kind: str
    amount: Decimal
    at: datetime


async def postings_of(
    conn: AsyncConnection, account: str, before: int | None, limit: int
) -> list[PostingView]:
    """Newest first; page with `before` = the last posting_id seen."""
    query = (
        select(
            postings.c.id,
            postings.c.entry_id,
            postings.c.amount_micros,
            entries.c.kind,
            entries.c.at,
        )
        .join(entries, entries.c.entry_id == postings.c.entry_id)
        .where(postings.c.account == account)
        .order_by(postings.c.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(postings.c.id < before)
    rows = await conn.execute(query)
    return [
        PostingView(r.id, r.entry_id, r.kind, Decimal(r.amount_micros) / MICROS, r.at) for r in rows
    ]


async def owner_of(conn: AsyncConnection, account: str) -> str | None:
    found = await conn.scalar(select(accounts.c.owner_id).where(accounts.c.account_id == account))
    return None if found is None else str(found)


async def ledger_balances(conn: AsyncConnection) -> dict[str, Decimal]:
    """Every ledger account's balance, summed exactly in the database (integer micros)."""
    rows = await conn.execute(
        select(postings.c.account, func.sum(postings.c.amount_micros)).group_by(postings.c.account)
    )
    return {account: Decimal(int(total)) / MICROS for account, total in rows}


@dataclass(frozen=True, slots=True)
class TransferView:
    transfer_id: str
    kind: str | None
    amount: Decimal | None
    requested: Decimal | None
    status: str
    reason: str | None
    requested_at: datetime | None
    settled_at: datetime | None


async def transfers_of(conn: AsyncConnection, account: str, limit: int) -> list[TransferView]:
    """Newest first; a transfer whose request has not reached the read model yet sorts last."""
    rows = await conn.execute(
        select(transfers)
        .where(transfers.c.account_id == account)
        .order_by(transfers.c.requested_at.desc().nulls_last(), transfers.c.transfer_id)
        .limit(limit)
    )
    return [
        TransferView(
            r.transfer_id,
            r.kind,
            r.amount,
            r.requested,
            r.status,
            r.reason,
            r.requested_at,
            r.settled_at,
        )
        for r in rows
    ]
