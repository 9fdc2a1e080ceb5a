"""Trading's read models fed by its own events: each account's trading activity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

from astratrade.infrastructure.upsert import upsert
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as t

ZERO = Decimal(0)


class AccountActivity:
    """Fills, traded volume, fees, realized P&L, funding and liquidations per account."""

    name = "trading.account_activity"
    source = "trading"
    event_types = frozenset({"OrderFilled", "FundingPaid", "AccountLiquidated"})
    tables: tuple[Table, ...] = (t.account_activity,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        row = self._row(conn, str(data["account_id"]), data.get("owner_id"))
        if envelope.type == "OrderFilled":
            row["fills"] += 1
            row["volume"] += Decimal(data["size"]) * Decimal(data["price"])
            row["fees"] += Decimal(data["fee"])
            row["realized_pnl"] += Decimal(data["realized_pnl"])
            row["last_trade_at"] = envelope.occurred_at
        elif envelope.type == "FundingPaid":
            row["funding"] -= Decimal(data["payment"])  # what the account received
        elif envelope.type == "AccountLiquidated":
            row["liquidations"] += 1
        upsert(conn, t.account_activity, [row], ["account_id"])

    def _row(self, conn: Connection, account_id: str, owner_id: Any) -> dict[str, Any]:
        found = conn.execute(
            select(t.account_activity).where(t.account_activity.c.account_id == account_id)
        ).first()
        if found is not None:
            return dict(found._mapping)
        return {
            "account_id": account_id,
            "owner_id": owner_id,
            "fills": 0,
            "volume": ZERO,
            "fees": ZERO,
            "realized_pnl": ZERO,
            "funding": ZERO,
            "liquidations": 0,
            "last_trade_at": None,
        }


PROJECTIONS = (AccountActivity(),)
