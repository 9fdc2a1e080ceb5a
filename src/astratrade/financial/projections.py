"""The ledger, written from trading's facts exactly once (a tracking row per fact, in the
same transaction as its entry) and rebuildable from the audit log like any read model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, insert, select

from astratrade.financial.adapters.tables import accounts, entries, postings, transfers
from astratrade.financial.domain.ledger import JournalEntry
from astratrade.financial.domain.revenue import charge_moves
from astratrade.financial.domain.trading_facts import RULES, entry_for
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.messages import Envelope

MICROS = Decimal(1_000_000)


class Ledger:
    name = "financial.ledger"
    source = "trading"
    sources: ClassVar[dict[str, str]] = {"SubscriptionCharged": "financial"}
    event_types = frozenset({*RULES, "AccountOpened", "SubscriptionCharged"})
    tables: tuple[Table, ...] = (postings, entries, accounts)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        """The events' accounts, entries and postings, each table in one statement (the
        ledger only inserts, so nothing an event writes is read by the next)."""
        opened: list[dict[str, Any]] = []
        journal: list[JournalEntry] = []
        for envelope in envelopes:
            data = envelope.payload
            if envelope.type == "AccountOpened":
                opened.append(
                    {
                        "account_id": data["account_id"],
                        "owner_id": data["owner_id"],
                        "kind": data["kind"],
                    }
                )
            elif envelope.type == "SubscriptionCharged":
                moves = charge_moves(data)
                journal.append(
                    JournalEntry.of(envelope.event_id, "subscription", envelope.occurred_at, moves)
                )
            else:
                journal.append(
                    entry_for(envelope.type, envelope.event_id, envelope.occurred_at, data)
                )
        if opened:
            conn.execute(insert(accounts), opened)
        write(conn, journal)


def write(conn: Connection, journal: list[JournalEntry]) -> None:
    """The entries, then their postings in the entries' order."""
    if not journal:
        return
    conn.execute(
        insert(entries),
        [{"entry_id": entry.entry_id, "kind": entry.kind, "at": entry.at} for entry in journal],
    )
    lines = [
        {"entry_id": entry.entry_id, "account": p.account, "amount_micros": int(p.amount * MICROS)}
        for entry in journal
        for p in entry.postings
    ]
    if lines:
        conn.execute(insert(postings), lines)


class Transfers:
    """Each transfer's status for its trader: pending from financial's request, then
    completed or refused by trading. The two streams may deliver in either order."""

    name = "financial.transfers"
    source = "trading"
    sources: ClassVar[dict[str, str]] = {"TransferRequested": "financial"}
    event_types = frozenset(
        {"TransferRequested", "CollateralDeposited", "CollateralWithdrawn", "TransferRefused"}
    )
    tables: tuple[Table, ...] = (transfers,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        transfer_id = data.get("transfer_id")
        if transfer_id is None:  # a deposit no transfer asked for (a grant)
            return
        if envelope.type in _MOVES and data.get("reason") not in FINANCIAL_REASONS:
            return  # a copy's allocation, return or profit share: not a transfer asked here
        found = conn.execute(select(transfers).where(transfers.c.transfer_id == transfer_id))
        current = found.mappings().first()
        row: dict[str, Any] = (
            dict(current)
            if current
            else {
                "transfer_id": transfer_id,
                "account_id": data["account_id"],
                "kind": None,
                "amount": None,
                "requested": None,
                "status": "pending",
                "reason": None,
                "requested_at": None,
                "settled_at": None,
            }
        )
        if envelope.type == "TransferRequested":
            row.update(
                kind=data["kind"],
                amount=Decimal(str(data["amount"])),
                requested=Decimal(str(data["requested"])),
                requested_at=envelope.occurred_at,
            )
        else:
            refused = envelope.type == "TransferRefused"
            row.update(
                status="refused" if refused else "completed",
                reason=data.get("reason") if refused else None,
                settled_at=envelope.occurred_at,
            )
        upsert(conn, transfers, [row], ["transfer_id"])


_MOVES = frozenset({"CollateralDeposited", "CollateralWithdrawn"})
FINANCIAL_REASONS = frozenset({"faucet", "withdrawal"})  # what financial's transfers become

LEDGER = Ledger()
TRANSFERS = Transfers()
PROJECTIONS = (LEDGER, TRANSFERS)
