"""What trading commands change, as rows: taken when a command is decided, written later.

Group commit decides commands in memory while an earlier batch is being written, so a
command's rows are taken at once (later commands go on changing the same accounts) and
written with the rest of its batch. Rows of one key keep the batch's last state: a
multi-row upsert may not touch a row twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, update

from astratrade.infrastructure import tracking
from astratrade.infrastructure.bulk import insert_rows, update_many, upsert_many
from astratrade.infrastructure.many_rows import execute_many
from astratrade.infrastructure.unit_of_work import record_effects
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.rows import fill_row, order_row, position_row
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.venue_reports import VenueFunding, VenuePayment

Row = dict[str, Any]

_UPDATE_ACCOUNT = (
    update(t.accounts)
    .where(t.accounts.c.id == bindparam("b_id"))
    .values(
        collateral=bindparam("b_collateral"),
        version=bindparam("b_version"),
        daily_loss_limit=bindparam("b_daily_loss_limit"),
        results_day=bindparam("b_results_day"),
        day_pnl=bindparam("b_day_pnl"),
        results_week=bindparam("b_results_week"),
        week_pnl=bindparam("b_week_pnl"),
        week_capital=bindparam("b_week_capital"),
        leading=bindparam("b_leading"),
        copy_state=bindparam("b_copy_state"),
    )
)
_DELETE_POSITION = t.positions.delete().where(
    and_(
        t.positions.c.account_id == bindparam("b_account"),
        t.positions.c.market == bindparam("b_market"),
    )
)


@dataclass
class Changes:
    """One command's writes, or a batch's once absorbed together."""

    new_accounts: dict[str, Row] = field(default_factory=dict)
    accounts: dict[str, Row] = field(default_factory=dict)  # state of existing accounts
    positions: dict[tuple[str, str], Row | None] = field(default_factory=dict)  # None: flat
    orders: dict[str, Row] = field(default_factory=dict)
    fills: list[Row] = field(default_factory=list)
    leverage: dict[tuple[str, str], Row] = field(default_factory=dict)
    limits: dict[str, Row] = field(default_factory=dict)
    fundings: list[Row] = field(default_factory=list)
    venue_payments: list[Row] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def absorb(self, later: Changes) -> None:
        """Add a later command's changes: the later state of a row wins."""
        for account_id, state in later.accounts.items():
            if account_id in self.new_accounts:  # opened earlier in the batch
                self.new_accounts[account_id] = {**self.new_accounts[account_id], **state}
            else:
                self.accounts[account_id] = state
        self.new_accounts.update(later.new_accounts)
        self.positions.update(later.positions)
        self.orders.update(later.orders)
        self.fills.extend(later.fills)
        self.leverage.update(later.leverage)
        self.limits.update(later.limits)
        self.fundings.extend(later.fundings)
        self.venue_payments.extend(later.venue_payments)
        self.envelopes.extend(later.envelopes)
        self.deliveries.extend(later.deliveries)

    def write(self, conn: Connection, at: datetime) -> None:
        """Everything in one transaction: a batch per table, then events and tracking."""
        insert_rows(conn, t.accounts, list(self.new_accounts.values()))
        if self.accounts and not update_many(conn, t.accounts, list(self.accounts.values()), "id"):
            rows = [{f"b_{k}": v for k, v in row.items()} for row in self.accounts.values()]
            execute_many(conn, _UPDATE_ACCOUNT, rows)
        flat = [{"b_account": a, "b_market": m} for (a, m), r in self.positions.items() if not r]
        if flat:
            execute_many(conn, _DELETE_POSITION, flat)
        held = [row for row in self.positions.values() if row]
        _upsert(conn, t.positions, held, ["account_id", "market"])
        _upsert(conn, t.orders, list(self.orders.values()), ["id"])
        insert_rows(conn, t.fills, self.fills)
        upsert(conn, t.leverage, list(self.leverage.values()), ["account_id", "market"])
        upsert(conn, t.leverage_limits, list(self.limits.values()), ["owner_id"])
        insert_rows(conn, t.funding_payments, self.fundings)
        insert_rows(conn, t.venue_payments, self.venue_payments)
        record_effects(conn, self.envelopes, (), at)
        tracking.record_many(conn, self.deliveries, at)


def _upsert(conn: Connection, table: Table, rows: list[Row], keys: list[str]) -> None:
    if not upsert_many(conn, table, rows, keys):
        upsert(conn, table, rows, keys)


def take_changes(accounts: Iterable[Account], new: set[str], stored: dict[str, int]) -> Changes:
    """The rows of what these accounts changed since they were stored; clears their marks.

    `new`: ids of accounts opened by this command; `stored`: each other account's version
    when the command first saw it (its row is written when that moved, or its state did)."""
    changes = Changes()
    for account in accounts:
        _take_account(changes, account, account.id in new, stored.get(account.id))
    return changes


def _take_account(changes: Changes, account: Account, new: bool, stored: int | None) -> None:
    if new:
        changes.new_accounts[account.id] = _account_row(account)
    elif account.row_changed or account.version != stored:
        changes.accounts[account.id] = _account_state(account)
    for market in sorted(account.dirty_positions):
        position = account.positions.get(market)
        row = None if position is None else position_row(account.id, position)
        changes.positions[(account.id, market)] = row
    for order in account.dirty_orders.values():
        changes.orders[order.id] = order_row(order)
    changes.fills.extend(fill_row(f) for f in account.new_fills)
    changes.venue_payments.extend(_payment_row(account.id, p) for p in account.new_venue_payments)
    for market in sorted(account.dirty_leverage):
        row = {"account_id": account.id, "market": market, "leverage": account.leverage[market]}
        changes.leverage[(account.id, market)] = row
    account.dirty_orders.clear()
    account.dirty_positions.clear()
    account.dirty_leverage.clear()
    account.new_fills.clear()
    account.new_venue_payments.clear()
    account.row_changed = False


def _payment_row(account_id: str, payment: VenuePayment) -> Row:
    """Funding: what the account paid (< 0: received); a transfer: what came in (< 0: out)."""
    row = {"id": payment.record_id, "account_id": account_id, "at": payment.at}
    if isinstance(payment, VenueFunding):
        return row | {"kind": "funding", "market": payment.market, "amount": payment.payment}
    return row | {"kind": "transfer", "market": None, "amount": payment.amount}


def _account_row(account: Account) -> Row:
    window = account.window
    return {
        **_account_state(account),
        "owner_id": account.owner_id,
        "kind": account.kind.value,
        "currency": account.currency,
        "created_at": account.created_at,
        "markets": None if window is None else list(window.markets),
        "opens_at": None if window is None else window.opens_at,
        "closes_at": None if window is None else window.closes_at,
        "copy_id": None if account.copy is None else account.copy.copy_id,
        "copy_floor": None if account.copy is None else account.copy.floor,
    }


def _account_state(account: Account) -> Row:
    """What changes on an account's own row."""
    results = account.results
    return {
        "id": account.id,
        "collateral": account.collateral,
        "version": account.version,
        "daily_loss_limit": account.daily_loss_limit,
        "results_day": results.day,
        "day_pnl": results.day_pnl,
        "results_week": results.week,
        "week_pnl": results.week_pnl,
        "week_capital": results.week_capital,
        "leading": account.leading,
        "copy_state": None if account.copy is None else account.copy.state.value,
    }
