"""Platform analytics' read models in storage: each context's events folded into its own
tables (platform_tables.py), inside the projection's transaction.

Decimals are text on SQLite, so sums are folded here rather than in SQL: one read of the
rows a batch touches and one upsert of them, as candles' volume is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from astratrade.analytics.adapters.platform_tables import (
    activity,
    copies,
    copy_accounts,
    liquidation_days,
    market_days,
    mrr_days,
    signups,
    subscription_prices,
    tournament_entries,
)
from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.platform import open_interest_change, utc_day
from astratrade.infrastructure.many_rows import execute_many
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope


def insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose key is not stored yet (the others stay as they are)."""
    if not rows:
        return
    execute_many(conn, _insert_new(conn.dialect.name, table), rows)


@cache
def _insert_new(dialect: str, table: Table) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


def add_signups(conn: Connection, envelopes: Iterable[Envelope]) -> None:
    rows = [
        {
            "user_id": str(e.payload["user_id"]),
            "signed_up_at": e.occurred_at,
            "day": utc_day(e.occurred_at),
        }
        for e in envelopes
    ]
    insert_new(conn, signups, rows)


def add_entries(conn: Connection, envelopes: Iterable[Envelope]) -> None:
    rows = [
        {
            "tournament_id": str(e.payload["tournament_id"]),
            "user_id": str(e.payload["user_id"]),
            "day": utc_day(e.occurred_at),
        }
        for e in envelopes
    ]
    insert_new(conn, tournament_entries, rows)


def fold_copies(conn: Connection, envelopes: Iterable[Envelope]) -> None:
    """A copy is active from CopyStarted until its first of CopyStopping and CopyClosed
    (a stopping copy copies nothing more)."""
    batch = list(envelopes)
    ids = [str(e.payload["copy_id"]) for e in batch]
    stored = {
        row.copy_id: {
            "copy_id": row.copy_id,
            "started_on": row.started_on,
            "ended_on": row.ended_on,
        }
        for row in conn.execute(select(copies).where(copies.c.copy_id.in_(ids)))
    }
    for envelope in batch:
        copy_id = str(envelope.payload["copy_id"])
        if envelope.type == "CopyStarted":
            started = utc_day(moment(envelope.payload.get("started_at") or envelope.occurred_at))
            stored[copy_id] = {"copy_id": copy_id, "started_on": started, "ended_on": None}
        elif copy_id in stored and stored[copy_id]["ended_on"] is None:
            stored[copy_id]["ended_on"] = utc_day(envelope.occurred_at)
    upsert(conn, copies, list(stored.values()), ("copy_id",))


def fold_subscriptions(conn: Connection, envelopes: Iterable[Envelope]) -> None:
    """MRR = Σ the monthly price of every trader's plan now (0 for free), as financial's
    revenue report counts it; each change is booked on the UTC day it took effect."""
    batch = list(envelopes)
    users = [str(e.payload["user_id"]) for e in batch]
    prices = {
        row.user_id: row.monthly_price
        for row in conn.execute(
            select(subscription_prices).where(subscription_prices.c.user_id.in_(users))
        )
    }
    changes: dict[date, Decimal] = {}
    for envelope in batch:
        data = envelope.payload
        user, price = str(data["user_id"]), _decimal(data["monthly_price"])
        day = utc_day(moment(data.get("at") or envelope.occurred_at))
        changes[day] = changes.get(day, ZERO) + price - prices.get(user, ZERO)
        prices[user] = price
    stored = {
        row.day: row.mrr_change
        for row in conn.execute(select(mrr_days).where(mrr_days.c.day.in_(list(changes))))
    }
    upsert(
        conn,
        subscription_prices,
        [{"user_id": u, "monthly_price": p} for u, p in prices.items()],
        ("user_id",),
    )
    upsert(
        conn,
        mrr_days,
        [{"day": d, "mrr_change": stored.get(d, ZERO) + c} for d, c in changes.items()],
        ("day",),
    )


MARKET_DAY_SUMS = ("volume", "fees", "copied_volume", "open_interest_change")


class TradingFold:
    """Trading's events of one batch, folded in order into the rows they touch: read once,
    written once."""

    def __init__(self, conn: Connection, batch: Sequence[Envelope]) -> None:
        self._conn = conn
        accounts = {str(e.payload["account_id"]) for e in batch if "account_id" in e.payload}
        self.copy_accounts: set[str] = {
            row.account_id
            for row in conn.execute(
                select(copy_accounts).where(copy_accounts.c.account_id.in_(accounts))
            )
        }
        self.new_copy_accounts: list[str] = []
        self.active: set[tuple[str, date]] = set()
        days = {
            (str(e.payload["market"]), utc_day(e.occurred_at))
            for e in batch
            if e.type == "OrderFilled"
        }
        self.market_days: dict[tuple[str, date], dict[str, Any]] = {
            (row.market, row.day): dict(row._mapping)
            for row in _stored_rows(conn, market_days, ("market", "day"), days)
        }
        liquidated = {utc_day(e.occurred_at) for e in batch if e.type == "AccountLiquidated"}
        self.liquidation_days: dict[date, dict[str, Any]] = {
            row.day: dict(row._mapping)
            for row in conn.execute(
                select(liquidation_days).where(liquidation_days.c.day.in_(liquidated))
            )
        }

    def apply(self, envelope: Envelope) -> None:
        data = envelope.payload
        if envelope.type == "AccountOpened":
            if data.get("kind") == "copy":
                self.copy_accounts.add(str(data["account_id"]))
                self.new_copy_accounts.append(str(data["account_id"]))
        elif envelope.type == "OrderAccepted":
            # Copy trading places a copy account's orders, not its owner.
            owner = data.get("owner_id")
            if owner and str(data["account_id"]) not in self.copy_accounts:
                self.active.add((str(owner), utc_day(envelope.occurred_at)))
        elif envelope.type == "OrderFilled":
            self._filled(envelope)
        elif envelope.type == "AccountLiquidated":
            day = utc_day(envelope.occurred_at)
            row = self.liquidation_days.setdefault(
                day, {"day": day, "liquidations": 0, "liquidation_fees": ZERO}
            )
            row["liquidations"] += 1
            row["liquidation_fees"] += _decimal(data["liquidation_fee"])

    def _filled(self, envelope: Envelope) -> None:
        data = envelope.payload
        account, market = str(data["account_id"]), str(data["market"])
        day = utc_day(envelope.occurred_at)
        notional = abs(_decimal(data["size"])) * _decimal(data["price"])
        # The fill moved the position from `before` to `after` (its size is the fill's, signed
        # by its side, even when it flips the position).
        size = _decimal(data["size"])
        after = _decimal(data["position_size"])
        before = after - (size if data["side"] == "buy" else -size)
        row = self.market_days.setdefault(
            (market, day),
            {"market": market, "day": day, "fills": 0, "liquidation_fills": 0}
            | dict.fromkeys(MARKET_DAY_SUMS, ZERO),
        )
        row["fills"] += 1
        row["volume"] += notional
        row["fees"] += _decimal(data["fee"])
        if account in self.copy_accounts:
            row["copied_volume"] += notional
        if data.get("liquidity") == "liquidation":
            row["liquidation_fills"] += 1
        row["open_interest_change"] += open_interest_change(before, after)

    def save(self) -> None:
        conn = self._conn
        insert_new(conn, copy_accounts, [{"account_id": a} for a in self.new_copy_accounts])
        insert_new(conn, activity, [{"user_id": u, "day": d} for u, d in sorted(self.active)])
        upsert(conn, market_days, list(self.market_days.values()), ("market", "day"))
        upsert(conn, liquidation_days, list(self.liquidation_days.values()), ("day",))


def _stored_rows(
    conn: Connection, table: Table, columns: tuple[str, str], keys: set[tuple[Any, Any]]
) -> list[Any]:
    if not keys:
        return []
    key = tuple_(*(table.c[c] for c in columns))
    return list(conn.execute(select(table).where(key.in_(sorted(keys)))))
