"""Mapping between trading's rows and its domain objects, and reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import (
    AccountKind,
    CopyState,
    CopyTerms,
    LeverageSettings,
    TradingWindow,
)
from astratrade.trading.domain.orders import (
    Fill,
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.results import PeriodResults

# The orders an account keeps in memory: open ones, and live ones still pending at the venue.
LIVE_STATUSES = (OrderStatus.OPEN.value, OrderStatus.PENDING.value)


def order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "account_id": order.account_id,
        "market": order.market,
        "side": order.side.value,
        "type": order.type.value,
        "size": order.size,
        "price": order.price,
        "trigger_price": order.trigger_price,
        "reduce_only": order.reduce_only,
        "time_in_force": order.time_in_force.value,
        "client_order_id": order.client_order_id,
        "status": order.status.value,
        "filled_size": order.filled_size,
        "average_price": order.average_price,
        "reason": order.reason,
        "created_at": order.created_at,
        "updated_at": order.updated_at or order.created_at,
    }


def order_from_row(row: Row[Any], fills: Sequence[Fill] = ()) -> Order:
    return Order(
        id=row.id,
        account_id=row.account_id,
        market=row.market,
        side=Side(row.side),
        type=OrderType(row.type),
        size=row.size,
        price=row.price,
        trigger_price=row.trigger_price,
        reduce_only=row.reduce_only,
        time_in_force=TimeInForce(row.time_in_force),
        client_order_id=row.client_order_id,
        created_at=row.created_at,
        status=OrderStatus(row.status),
        filled_size=row.filled_size,
        average_price=row.average_price,
        updated_at=row.updated_at,
        reason=row.reason,
        fills=list(fills),
    )


def fill_row(fill: Fill) -> dict[str, Any]:
    return {
        "id": fill.id,
        "order_id": fill.order_id,
        "account_id": fill.account_id,
        "market": fill.market,
        "side": fill.side.value,
        "size": fill.size,
        "price": fill.price,
        "fee": fill.fee,
        "liquidity": fill.liquidity.value,
        "realized_pnl": fill.realized_pnl,
        "at": fill.at,
    }


def fill_from_row(row: Row[Any]) -> Fill:
    return Fill(
        id=row.id,
        order_id=row.order_id,
        account_id=row.account_id,
        market=row.market,
        side=Side(row.side),
        size=row.size,
        price=row.price,
        fee=row.fee,
        liquidity=Liquidity(row.liquidity),
        realized_pnl=row.realized_pnl,
        at=row.at,
    )


def position_row(account_id: str, position: Position) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "market": position.market,
        "size": position.size,
        "entry_price": position.entry_price,
        "realized_pnl": position.realized_pnl,
        "opened_at": position.opened_at,
        "equity_at_open": position.equity_at_open,
        "unprotected_since": position.unprotected_since,
        "longest_unprotected_us": position.longest_unprotected // _MICROSECOND,
        "risk_at_stop": position.risk_at_stop,
        "funding_paid": position.funding_paid,
    }


def position_from_row(row: Row[Any]) -> Position:
    return Position(
        row.market,
        row.size,
        row.entry_price,
        row.opened_at,
        row.realized_pnl,
        equity_at_open=row.equity_at_open,
        unprotected_since=row.unprotected_since,
        longest_unprotected=row.longest_unprotected_us * _MICROSECOND,
        risk_at_stop=row.risk_at_stop,
        funding_paid=row.funding_paid,
    )


_MICROSECOND = timedelta(microseconds=1)


async def fills_of(conn: AsyncConnection, order_ids: Sequence[str]) -> dict[str, list[Fill]]:
    """The fills of each order, oldest first."""
    if not order_ids:
        return {}
    rows = await conn.execute(
        select(t.fills).where(t.fills.c.order_id.in_(order_ids)).order_by(t.fills.c.at)
    )
    grouped: dict[str, list[Fill]] = {}
    for row in rows:
        grouped.setdefault(row.order_id, []).append(fill_from_row(row))
    return grouped


async def load_account(
    conn: AsyncConnection, account_id: str, default_leverage: Decimal
) -> Account | None:
    """An account as committed: its row, leverage, positions and open orders."""
    row = (await conn.execute(select(t.accounts).where(t.accounts.c.id == account_id))).first()
    if row is None:
        return None
    leverage_rows = await conn.execute(
        select(t.leverage).where(t.leverage.c.account_id == account_id)
    )
    position_rows = await conn.execute(
        select(t.positions).where(t.positions.c.account_id == account_id)
    )
    order_rows = await conn.execute(
        select(t.orders)
        .where(and_(t.orders.c.account_id == account_id, t.orders.c.status.in_(LIVE_STATUSES)))
        # Oldest first: a position covers its oldest opposite orders first.
        .order_by(t.orders.c.created_at, t.orders.c.id)
    )
    return Account(
        row.id,
        owner_id=row.owner_id,
        kind=AccountKind(row.kind),
        currency=row.currency,
        collateral=row.collateral,
        leverage=LeverageSettings(default_leverage, {r.market: r.leverage for r in leverage_rows}),
        created_at=row.created_at,
        positions=[position_from_row(r) for r in position_rows],
        open_orders=[order_from_row(r) for r in order_rows],
        results=PeriodResults(
            row.results_day, row.day_pnl, row.results_week, row.week_pnl, row.week_capital
        ),
        daily_loss_limit=row.daily_loss_limit,
        window=None
        if row.markets is None
        else TradingWindow(tuple(row.markets), row.opens_at, row.closes_at),
        leading=row.leading,
        copy=None
        if row.copy_id is None
        else CopyTerms(row.copy_id, row.copy_floor, CopyState(row.copy_state)),
        version=row.version,
    )
