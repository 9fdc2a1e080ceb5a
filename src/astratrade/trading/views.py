"""Read-side views: plain DTOs of an account's figures, positions and open orders (valued at
given prices), and queries of the order history and read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.shared.money import money
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.rows import fills_of, order_from_row
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.liquidation_price import liquidation_price
from astratrade.trading.domain.margin import Markets, Marks
from astratrade.trading.domain.orders import Order


class Prices(Protocol):
    """What valuing an account takes: each market's rules and mark (a venue has both)."""

    @property
    def markets(self) -> Markets: ...

    @property
    def marks(self) -> Marks: ...


@dataclass(frozen=True, slots=True)
class AccountView:
    account_id: str
    kind: str
    currency: str
    collateral: Decimal
    equity: Decimal
    unrealized_pnl: Decimal
    initial_margin: Decimal
    maintenance_margin: Decimal
    order_margin: Decimal
    available: Decimal
    margin_ratio: Decimal | None
    leverage: dict[str, Decimal] = field(default_factory=dict)
    daily_loss_limit: Decimal | None = None
    loss_today: Decimal = Decimal(0)  # realized today (UTC), what the daily limit counts


@dataclass(frozen=True, slots=True)
class PositionView:
    market: str
    side: str
    size: Decimal
    entry_price: Decimal
    mark_price: Decimal
    notional: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    leverage: Decimal
    initial_margin: Decimal
    maintenance_margin: Decimal
    opened_at: datetime
    liquidation_price: Decimal | None  # the mark that liquidates, the others held; None: none
    funding_paid: Decimal  # since it opened; negative when received


@dataclass(frozen=True, slots=True)
class OpenOrderView:
    account_id: str
    order_id: str
    market: str
    side: str
    type: str
    size: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    status: str


@dataclass(frozen=True, slots=True)
class FundsView:
    """What moving money out of an account is decided on."""

    owner_id: str | None
    kind: str
    collateral: Decimal
    available: Decimal


def account_view(account: Account, venue: Prices, at: datetime) -> AccountView:
    margin = account.margin(venue.marks, venue.markets)
    ratio = margin.margin_ratio
    return AccountView(
        account_id=account.id,
        kind=account.kind.value,
        currency=account.currency,
        collateral=money(margin.collateral),
        equity=money(margin.equity),
        unrealized_pnl=money(margin.unrealized_pnl),
        initial_margin=money(margin.initial_margin),
        maintenance_margin=money(margin.maintenance_margin),
        order_margin=money(margin.order_margin),
        available=money(margin.available),
        margin_ratio=None
        if ratio is None or not ratio.is_finite()
        else ratio.quantize(Decimal("0.000001")),
        leverage={m: account.leverage[m] for m in venue.markets},
        daily_loss_limit=account.daily_loss_limit,
        loss_today=money(account.results.day_loss(at)),
    )


def funds_view(account: Account, venue: Prices, at: datetime) -> FundsView:
    view = account_view(account, venue, at)
    return FundsView(account.owner_id, view.kind, view.collateral, view.available)


def open_order_views(account: Account) -> list[OpenOrderView]:
    """Oldest first, as the account holds them."""
    return [
        OpenOrderView(
            account_id=account.id,
            order_id=order.id,
            market=order.market,
            side=order.side.value,
            type=order.type.value,
            size=order.size,
            price=order.price,
            trigger_price=order.trigger_price,
            status=order.status.value,
        )
        for order in account.open_orders.values()
    ]


def position_views(account: Account, venue: Prices) -> list[PositionView]:
    views = []
    for position in account.positions.values():
        mark = venue.marks[position.market]
        notional = position.notional(mark)
        leverage = account.leverage[position.market]
        tier = venue.markets[position.market].tier_for(notional)
        views.append(
            PositionView(
                market=position.market,
                side="long" if position.size > 0 else "short",
                size=abs(position.size),
                entry_price=position.entry_price,
                mark_price=mark,
                notional=money(notional),
                unrealized_pnl=money(position.unrealized_pnl(mark)),
                realized_pnl=position.realized_pnl,
                leverage=leverage,
                initial_margin=money(notional / leverage),
                maintenance_margin=money(notional * tier.maintenance_rate),
                opened_at=position.opened_at,
                liquidation_price=liquidation_price(
                    account.collateral,
                    account.positions,
                    venue.marks,
                    venue.markets,
                    position.market,
                ),
                funding_paid=position.funding_paid,
            )
        )
    return sorted(views, key=lambda v: v.market)


@dataclass(frozen=True, slots=True)
class FundingPaidView:
    at: datetime
    rate: Decimal


async def last_fundings(db: AsyncEngine) -> dict[str, FundingPaidView]:
    """Each market's last funding payment (its key leads the funding table's primary key)."""
    f = t.funding_payments
    latest = (
        select(f.c.market, func.max(f.c.funding_time).label("at")).group_by(f.c.market).subquery()
    )
    query = select(f.c.market, f.c.funding_time, f.c.rate).join(
        latest, and_(f.c.market == latest.c.market, f.c.funding_time == latest.c.at)
    )
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {row.market: FundingPaidView(row.funding_time, row.rate) for row in rows}


async def orders_of(
    db: AsyncEngine, account_ids: Sequence[str], status: str | None, limit: int
) -> list[Order]:
    """Newest first, with their fills."""
    query = select(t.orders).where(t.orders.c.account_id.in_(account_ids))
    if status is not None:
        query = query.where(t.orders.c.status == status)
    query = query.order_by(t.orders.c.created_at.desc(), t.orders.c.id.desc()).limit(limit)
    async with db.connect() as conn:
        rows = list(await conn.execute(query))
        fills = await fills_of(conn, [row.id for row in rows])
    return [order_from_row(row, fills.get(row.id, [])) for row in rows]


async def order_by_id(db: AsyncEngine, order_id: str) -> Order | None:
    async with db.connect() as conn:
        row = (await conn.execute(select(t.orders).where(t.orders.c.id == order_id))).first()
        if row is None:
            return None
        fills = await fills_of(conn, [order_id])
    return order_from_row(row, fills.get(order_id, []))


async def activity_of(db: AsyncEngine, account_id: str) -> dict[str, Any]:
    """The account's activity read model; an account that never traded has zeros."""
    async with db.connect() as conn:
        row = (
            await conn.execute(
                select(t.account_activity).where(t.account_activity.c.account_id == account_id)
            )
        ).first()
    if row is None:
        zero = Decimal(0)
        return {
            "fills": 0,
            "volume": zero,
            "fees": zero,
            "realized_pnl": zero,
            "funding": zero,
            "liquidations": 0,
            "last_trade_at": None,
        }
    data = dict(row._mapping)
    return {k: v for k, v in data.items() if k not in ("account_id", "owner_id")}


async def collateral_by_account(db: AsyncEngine) -> dict[str, Decimal]:
    """Every account's committed collateral (what the ledger must prove)."""
    async with db.connect() as conn:
        rows = await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))
        return {row.id: row.collateral for row in rows}


async def position_sizes_by_account(
    db: AsyncEngine, account_ids: list[str]
) -> dict[str, dict[str, Decimal]]:
    """These accounts' committed positions: signed sizes by market (long above zero)."""
    p = t.positions.c
    async with db.connect() as conn:
        rows = await conn.execute(
            select(p.account_id, p.market, p.size).where(p.account_id.in_(account_ids))
        )
        sizes: dict[str, dict[str, Decimal]] = {}
        for row in rows:
            sizes.setdefault(row.account_id, {})[row.market] = row.size
        return sizes
