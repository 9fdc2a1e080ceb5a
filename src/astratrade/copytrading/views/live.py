"""The `copy:<id>` WebSocket channel's reads of copy trading: whose a copy is, and each new
line of a copy's history as the committed event that makes it (copy trading's own, or
trading's word on the copy account: funded, refused), the same line `decisions_of` reads
later, id included -- so the hub needs no read of copy trading for each decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading.adapters.copy_rows import complete, history_line, line_id
from astratrade.copytrading.adapters.statistics import from_millionths
from astratrade.copytrading.adapters.tables import copies, leader_copies
from astratrade.copytrading.handlers.following import trading_note
from astratrade.copytrading.views.copies import DecisionView, decision_view
from astratrade.shared.messages import Envelope
from astratrade.shared.money import plain

# Copy trading's events that are lines of a copy's history, and trading's that add one.
DECISION_EVENTS = frozenset(
    {
        "LeaderFillCopied",
        "LeaderFillSkipped",
        "CopyPositionClosed",
        "CopyStopping",
        "ProfitShareCharged",
        "CopyClosed",
    }
)
TRADING_NOTES = frozenset({"CopyAccountFunded", "CopyOrderRefused"})
# Copy trading's events that change how many copy a leader: the `leader` channel's.
FOLLOWING_EVENTS = frozenset({"CopyStarted", "CopyClosed"})


@dataclass(frozen=True, slots=True)
class CopyOwner:
    copier_id: str
    copy_account_id: str


async def owner_of(read_db: AsyncEngine, copy_id: str) -> CopyOwner | None:
    """Whose the copy is and its account (neither ever changes); None: no such copy."""
    c = copies.c
    async with read_db.connect() as conn:
        row = (
            await conn.execute(select(c.copier_id, c.copy_account_id).where(c.copy_id == copy_id))
        ).first()
    return None if row is None else CopyOwner(row.copier_id, row.copy_account_id)


async def following_of(read_db: AsyncEngine, leader_id: str) -> dict[str, Any]:
    """The `leader` channel's figures: the leader's copies not closed and their allocations
    added up (kept with the copies, in the same transaction: as of the latest event)."""
    held = leader_copies.c
    query = select(held.copiers, held.allocated).where(held.leader_id == leader_id)
    async with read_db.connect() as conn:
        row = (await conn.execute(query)).first()
    copiers, allocated = (0, 0) if row is None else (row.copiers, row.allocated)
    return {"copiers": copiers, "allocated": plain(from_millionths(allocated))}


def decision_of(envelope: Envelope) -> tuple[str, DecisionView] | None:
    """The copy's id and the history line `envelope` makes, if it makes one."""
    data = envelope.payload
    line: dict[str, Any] | None = None
    if envelope.context == "copytrading" and envelope.type in DECISION_EVENTS:
        copy_id = envelope.aggregate_id
        name = line_id(copy_id, envelope.aggregate_version)
        line = history_line(envelope.type, data, envelope.occurred_at, name)
    elif envelope.context == "trading" and envelope.type in TRADING_NOTES:
        copy_id = str(data["copy_id"])
        note = trading_note(envelope.type, data)
        if note is not None:
            line = {**note, "decision_id": envelope.event_id, "at": envelope.occurred_at}
    if line is None:
        return None
    return copy_id, decision_view(complete({**line, "copy_id": copy_id}))
