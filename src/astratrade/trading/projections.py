"""Trading's read models fed by its own events: each account's trading activity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, select

from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.rows_by_key import rows_by_key
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
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        """The events in order, as `apply` one by one would, with one read of the accounts
        they touch and one upsert of their rows."""
        accounts = {(str(e.payload["account_id"]),) for e in envelopes}
        rows = rows_by_key(conn, t.account_activity, ["account_id"], accounts)
        for envelope in envelopes:
            data = envelope.payload
            key = (str(data["account_id"]),)
            row = rows.get(key)
            if row is None:
                row = rows[key] = _new_row(key[0], data.get("owner_id"))
            _fold(row, envelope)
        upsert(conn, t.account_activity, list(rows.values()), ["account_id"])


def _fold(row: dict[str, Any], envelope: Envelope) -> None:
    data = envelope.payload
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


def _new_row(account_id: str, owner_id: Any) -> dict[str, Any]:
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


class LiveAccess:
    """Who may open a live account: the practice level gamification unlocked, and the KYC
    flag from users."""

    name = "trading.live_access"
    source = "gamification"
    sources: ClassVar[dict[str, str]] = {"KycUpdated": "users"}  # published by another context
    event_types = frozenset({"LiveTradingUnlocked", "KycUpdated"})
    tables: tuple[Table, ...] = (t.live_access,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        owner_id = str(envelope.payload["user_id"])
        found = conn.execute(select(t.live_access).where(t.live_access.c.owner_id == owner_id))
        row = found.first()
        access = (
            dict(row._mapping) if row else {"owner_id": owner_id, "unlocked": False, "kyc": False}
        )
        if envelope.type == "LiveTradingUnlocked":
            access["unlocked"] = True
        else:
            access["kyc"] = bool(envelope.payload["kyc"])
        upsert(conn, t.live_access, [access], ["owner_id"])


class PlanLimits:
    """Each trader's open-order limit, as financial's subscription sets it."""

    name = "trading.plan_limits"
    source = "financial"
    event_types = frozenset({"SubscriptionChanged"})
    tables: tuple[Table, ...] = (t.plan_limits,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        limit = {
            "owner_id": str(data["user_id"]),
            "plan": str(data["plan"]),
            "open_orders": int(data["open_orders"]),
        }
        upsert(conn, t.plan_limits, [limit], ["owner_id"])


ACCOUNT_ACTIVITY, LIVE_ACCESS, PLAN_LIMITS = AccountActivity(), LiveAccess(), PlanLimits()
PROJECTIONS: tuple[Projection, ...] = (ACCOUNT_ACTIVITY, LIVE_ACCESS, PLAN_LIMITS)
