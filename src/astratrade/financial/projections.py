"""The ledger, written from trading's facts exactly once (a tracking row per fact, in the
same transaction as its entry) and rebuildable from the audit log like any read model."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, Table, insert

from astratrade.financial.adapters.tables import accounts, entries, postings
from astratrade.financial.domain.ledger import JournalEntry
from astratrade.financial.domain.trading_facts import RULES, entry_for
from astratrade.shared.messages import Envelope

MICROS = Decimal(1_000_000)


class Ledger:
    name = "financial.ledger"
    source = "trading"
    event_types = frozenset({*RULES, "AccountOpened"})
    tables: tuple[Table, ...] = (postings, entries, accounts)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        if envelope.type == "AccountOpened":
            row = {"account_id": data["account_id"], "owner_id": data["owner_id"],
                   "kind": data["kind"]}  # fmt: skip
            conn.execute(insert(accounts), [row])
            return
        entry = entry_for(envelope.type, envelope.event_id, envelope.occurred_at, envelope.payload)
        write(conn, entry)


def write(conn: Connection, entry: JournalEntry) -> None:
    conn.execute(insert(entries), [{"entry_id": entry.entry_id, "kind": entry.kind,
                                    "at": entry.at}])  # fmt: skip
    if entry.postings:
        conn.execute(
            insert(postings),
            [{"entry_id": entry.entry_id, "account": p.account,
              "amount_micros": int(p.amount * MICROS)} for p in entry.postings],
        )  # fmt: skip


LEDGER = Ledger()
PROJECTIONS = (LEDGER,)
