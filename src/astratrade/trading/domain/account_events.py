"""The events an account records, built from its state at the moment it records them: kept
apart so that the aggregate's methods read as the decisions they make."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from astratrade.shared.clock import seconds
from astratrade.trading.domain import events
from astratrade.trading.domain.orders import Fill, Liquidity, Order, OrderStatus
from astratrade.trading.domain.position import Position

if TYPE_CHECKING:  # the account imports this module: its type is for annotations only
    from astratrade.trading.domain.account import Account


def order_accepted(account: Account, order: Order) -> events.OrderAccepted:
    return events.OrderAccepted(
        order_id=order.id,
        account_id=account.id,
        owner_id=account.owner_id,
        market=order.market,
        side=order.side.value,
        type=order.type.value,
        size=order.size,
        price=order.price,
        trigger_price=order.trigger_price,
        reduce_only=order.reduce_only,
        time_in_force=order.time_in_force.value,
        client_order_id=order.client_order_id,
    )


def order_taken_off_book(
    account: Account, order: Order, status: OrderStatus, reason: str
) -> events.OrderCancelled:
    # One event for every ending but a fill: OrderCancelled, whose `status` says which it was.
    return events.OrderCancelled(
        order_id=order.id,
        account_id=account.id,
        owner_id=account.owner_id,
        status=status.value,
        reason=reason,
    )


def order_filled(
    account: Account, fill: Fill, position: Position, venue: str | None
) -> events.OrderFilled:
    """`position`: the account's position in the fill's market once the fill applied."""
    return events.OrderFilled(
        fill_id=fill.id,
        order_id=fill.order_id,
        account_id=account.id,
        owner_id=account.owner_id,
        market=fill.market,
        side=fill.side.value,
        size=fill.size,
        price=fill.price,
        fee=fill.fee,
        liquidity=fill.liquidity.value,
        realized_pnl=fill.realized_pnl,
        position_size=position.size,
        position_entry_price=position.entry_price,
        venue=venue,
    )


def position_closed(
    account: Account, position: Position, liquidity: Liquidity, at: datetime
) -> events.PositionClosed:
    return events.PositionClosed(
        account_id=account.id,
        owner_id=account.owner_id,
        market=position.market,
        opened_at=position.opened_at,
        realized_pnl=position.realized_pnl,
        liquidated=liquidity is Liquidity.LIQUIDATION,
        account_kind=account.kind.value,
        equity_at_open=position.equity_at_open,
        unprotected_seconds=seconds(position.unprotected_for(at)),
        risk_at_stop=position.risk_at_stop,
        collateral=account.collateral,
        week_pnl=account.results.week_pnl,
        week_capital=account.results.week_capital,
    )
