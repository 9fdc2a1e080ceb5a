"""Trader analytics' read model, folded from trading's events (docs/analytics.md "Trader
analytics' read model"): each account's owner, kind and collateral; the trade each position
is building (side, opening time, fees and funding); the journal of closed trades, its
daily calendar and running totals per market and side; each day's collateral and flows; each day's
positions.

A batch of events reads the rows it touches in one query a table, folds them in memory,
and writes each table in one statement. Decimals are text on SQLite, so every sum is done
here in Decimal, never in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Connection, delete, tuple_

from astratrade.analytics.adapters.running_totals import add_running
from astratrade.analytics.adapters.tables import (
    account_days,
    closed_trades,
    open_trades,
    position_days,
    trade_calendar,
    trader_accounts,
)
from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.totals import TradeTotals
from astratrade.analytics.domain.trades import ClosedTrade, Side
from astratrade.infrastructure.bulk import insert_rows
from astratrade.infrastructure.rows_by_key import rows_by_key
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope

FEE_QUANTUM = Decimal("0.000001")  # a flip's fee is split at the money quantum

# Money in (> 0) or out (< 0) of an account that is not a result of trading: never a return.
FLOW_EVENTS = frozenset(
    {"CollateralDeposited", "CollateralWithdrawn", "ShortfallCovered", "ProfitShareDebited"}
)
EVENT_TYPES = frozenset(
    {
        "AccountOpened",
        "OrderFilled",
        "FundingPaid",
        "PositionClosed",
        "AccountLiquidated",
        *FLOW_EVENTS,
    }
)
TRADE_KEY = ("account_id", "market")
DAY_KEY = ("account_id", "day")
POSITION_KEY = ("account_id", "market", "day")
Row = dict[str, Any]


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


def _side(signed_size: Decimal) -> str:
    return "long" if signed_size > 0 else "short"


def account_of(envelope: Envelope) -> str:
    data = envelope.payload
    return str(data["copy_account_id" if envelope.type == "ProfitShareDebited" else "account_id"])


def flow_of(envelope: Envelope) -> Decimal:
    """The money an event moves in (> 0) or out (< 0) of its account, not by trading."""
    data = envelope.payload
    if envelope.type in ("CollateralDeposited", "ShortfallCovered"):
        return _d(data["amount"])
    return -_d(data["amount"])  # withdrawn, or a copy's profit share paid away


def trading_result_of(envelope: Envelope) -> Decimal:
    """What an event's trading did to its account's collateral."""
    data = envelope.payload
    if envelope.type == "OrderFilled":
        return _d(data["realized_pnl"]) - _d(data["fee"])
    if envelope.type == "FundingPaid":
        return -_d(data["payment"])
    if envelope.type == "AccountLiquidated":
        return -_d(data["liquidation_fee"])
    return ZERO


@dataclass
class Fold:
    """The rows a batch touches, as read, then as the batch leaves them."""

    accounts: dict[tuple[Any, ...], Row]
    trades: dict[tuple[Any, ...], Row | None]
    days: dict[tuple[Any, ...], Row]
    positions: dict[tuple[Any, ...], Row]
    stored_trades: set[tuple[Any, ...]]
    closed: list[Row] = field(default_factory=list)

    def account(self, envelope: Envelope) -> Row:
        account_id = account_of(envelope)
        row = self.accounts.get((account_id,))
        if row is None:  # an event before its AccountOpened (not in trading's order)
            data = envelope.payload
            row = {
                "account_id": account_id,
                "owner_id": data.get("owner_id"),
                "kind": str(data.get("account_kind") or data.get("kind") or "practice"),
                "collateral": ZERO,
                "opened_on": envelope.occurred_at.date(),
            }
            self.accounts[(account_id,)] = row
        return row

    def money_moved(self, envelope: Envelope, result: Decimal, flow: Decimal) -> None:
        account = self.account(envelope)
        account["collateral"] += result + flow
        key = (account["account_id"], envelope.occurred_at.date())
        day = self.days.get(key) or {"account_id": key[0], "day": key[1], "flows": ZERO}
        day["collateral"] = account["collateral"]
        day["flows"] += flow
        self.days[key] = day

    def trade(self, key: tuple[str, str]) -> Row:
        row = self.trades.get(key)
        if row is None:
            row = {
                "account_id": key[0],
                "market": key[1],
                "side": None,
                "opened_at": None,
                "fees": ZERO,
                "funding": ZERO,
                "closing_side": None,
                "closing_fees": None,
                "closing_funding": None,
            }
            self.trades[key] = row
        return row


def fold(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    """Apply the events, in order, to the read model."""
    mine = [e for e in envelopes if e.type in EVENT_TYPES]
    traded = [e for e in mine if e.type in ("OrderFilled", "FundingPaid", "PositionClosed")]
    moved = [e for e in mine if e.type not in ("AccountOpened", "PositionClosed")]
    trade_keys = {(account_of(e), str(e.payload["market"])) for e in traded}
    stored_trades = rows_by_key(conn, open_trades, TRADE_KEY, trade_keys)
    state = Fold(
        accounts=rows_by_key(
            conn, trader_accounts, ("account_id",), {(account_of(e),) for e in mine}
        ),
        trades=dict(stored_trades),
        days=rows_by_key(
            conn, account_days, DAY_KEY, {(account_of(e), e.occurred_at.date()) for e in moved}
        ),
        positions={},
        stored_trades=set(stored_trades),
    )
    for envelope in mine:
        data = envelope.payload
        if envelope.type == "AccountOpened":
            state.account(envelope).update(owner_id=data.get("owner_id"), kind=str(data["kind"]))
            continue
        if envelope.type in FLOW_EVENTS:
            state.money_moved(envelope, ZERO, flow_of(envelope))
            continue
        if envelope.type != "PositionClosed":
            state.money_moved(envelope, trading_result_of(envelope), ZERO)
        if envelope.type == "OrderFilled":
            _filled(state, envelope)
        elif envelope.type == "FundingPaid":
            _funding(state, envelope)
        elif envelope.type == "PositionClosed":
            _closed(state, envelope)
    _write(conn, state)


def _filled(state: Fold, envelope: Envelope) -> None:
    data = envelope.payload
    account_id, market = account_of(envelope), str(data["market"])
    size, fee = _d(data["size"]), _d(data["fee"])
    delta = size if data["side"] == "buy" else -size
    after = _d(data["position_size"])
    before = after - delta
    day = envelope.occurred_at.date()
    state.positions[(account_id, market, day)] = {
        "account_id": account_id,
        "market": market,
        "day": day,
        "size": after,
        "entry_price": _d(data["position_entry_price"]),
    }
    row = state.trade((account_id, market))
    if before == 0 or row["side"] is None:  # a trade opens
        row.update(side=_side(after), opened_at=envelope.occurred_at, fees=fee, funding=ZERO)
        if after == 0:
            row["side"] = None
        return
    if _sign(before) == _sign(delta) or (after != 0 and _sign(after) == _sign(before)):
        row["fees"] += fee  # increased, or reduced without closing
        return
    # Closed (to 0) or flipped: the closing trade waits for trading's PositionClosed.
    closing_part = fee
    if after != 0:  # a flip: the fee is shared by the size each trade took
        closing_part = (fee * abs(before) / size).quantize(FEE_QUANTUM, ROUND_HALF_EVEN)
    row.update(
        closing_side=row["side"],
        closing_fees=row["fees"] + closing_part,
        closing_funding=row["funding"],
    )
    if after == 0:
        row.update(side=None, opened_at=None, fees=ZERO, funding=ZERO)
    else:
        row.update(
            side=_side(after), opened_at=envelope.occurred_at, fees=fee - closing_part, funding=ZERO
        )


def _funding(state: Fold, envelope: Envelope) -> None:
    row = state.trade((account_of(envelope), str(envelope.payload["market"])))
    if row["side"] is not None:
        row["funding"] += _d(envelope.payload["payment"])


def _closed(state: Fold, envelope: Envelope) -> None:
    data = envelope.payload
    account_id, market = account_of(envelope), str(data["market"])
    row = state.trade((account_id, market))
    state.account(envelope)  # its kind, should AccountOpened not have been seen
    side = row["closing_side"] or row["side"] or "long"
    risk = data.get("risk_at_stop")
    state.closed.append(
        {
            "trade_id": envelope.event_id,
            "account_id": account_id,
            "market": market,
            "side": side,
            "opened_at": moment(data["opened_at"]),
            "closed_at": envelope.occurred_at,
            "realized_pnl": _d(data["realized_pnl"]),
            "fees": row["closing_fees"] if row["closing_fees"] is not None else ZERO,
            "funding": row["closing_funding"] if row["closing_funding"] is not None else ZERO,
            "risk_at_stop": None if risk is None else _d(risk),
        }
    )
    row.update(closing_side=None, closing_fees=None, closing_funding=None)
    if row["side"] is None:
        state.trades[(account_id, market)] = None  # flat: nothing left to keep


def _write(conn: Connection, state: Fold) -> None:
    upsert(conn, trader_accounts, list(state.accounts.values()), ("account_id",))
    upsert(conn, account_days, list(state.days.values()), DAY_KEY)
    upsert(conn, position_days, list(state.positions.values()), POSITION_KEY)
    upsert(conn, open_trades, [r for r in state.trades.values() if r is not None], TRADE_KEY)
    gone = [k for k, r in state.trades.items() if r is None and k in state.stored_trades]
    if gone:
        c = open_trades.c
        conn.execute(delete(open_trades).where(tuple_(c.account_id, c.market).in_(gone)))
    if state.closed:
        insert_rows(conn, closed_trades, state.closed)
        _add_to_days(conn, state.closed)


def _add_to_days(conn: Connection, closed: list[Row]) -> None:
    """Each closed trade into its day of the calendar, and its totals into the running
    totals of its account, market and side from its day on."""
    by_day: dict[tuple[Any, ...], tuple[int, Decimal]] = {}
    running: dict[tuple[str, str, str], dict[date, TradeTotals]] = {}
    for row in closed:
        trade = ClosedTrade(
            market=row["market"],
            side=Side(row["side"]),
            opened_at=row["opened_at"],
            closed_at=row["closed_at"],
            realized_pnl=row["realized_pnl"],
            fees=row["fees"],
            funding=row["funding"],
            risk_at_stop=row["risk_at_stop"],
        )
        day = row["closed_at"].date()
        count, net = by_day.get((row["account_id"], day), (0, ZERO))
        by_day[(row["account_id"], day)] = (count + 1, net + trade.net_pnl)
        days = running.setdefault((row["account_id"], row["market"], row["side"]), {})
        days[day] = days.get(day, TradeTotals()) + TradeTotals.of(trade)
    stored = rows_by_key(conn, trade_calendar, ("account_id", "day"), set(by_day))
    calendar = []
    for (account_id, day), (count, net) in by_day.items():
        before = stored.get((account_id, day))
        if before is not None:
            count, net = count + before["trades"], net + before["net_pnl"]
        calendar.append({"account_id": account_id, "day": day, "trades": count, "net_pnl": net})
    upsert(conn, trade_calendar, calendar, ("account_id", "day"))
    add_running(conn, running)
