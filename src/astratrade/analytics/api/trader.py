"""Trader analytics over HTTP (owner only: another trader's account is not found): one
account's metrics over a period, and its closed trades as CSV. Every definition is in
docs/analytics.md; money and ratios are exact decimal strings, undefined figures null."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from astratrade.analytics import views
from astratrade.analytics.domain.numbers import REPORTED
from astratrade.analytics.domain.report import Period
from astratrade.analytics.domain.trade_metrics import TradeMetrics
from astratrade.analytics.domain.trades import ClosedTrade, Side
from astratrade.infrastructure.web.deps import ClockDep, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut
from astratrade.shared.money import plain

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"], route_class=DecimalRoute)
MAX_CSV_TRADES = 10_000  # the latest closed trades an export holds at most
AccountId = Annotated[str, Path(min_length=1, max_length=64)]


class MetricsOut(BaseModel):
    trades: int
    wins: int
    losses: int
    break_evens: int
    win_rate: DecimalOut | None
    gross_profit: DecimalOut
    gross_loss: DecimalOut
    net_pnl: DecimalOut
    profit_factor: DecimalOut | None
    expectancy: DecimalOut | None
    average_win: DecimalOut | None
    average_loss: DecimalOut | None
    trades_with_stop: int
    average_r: DecimalOut | None
    average_hold_seconds: DecimalOut | None
    fees: DecimalOut
    funding: DecimalOut

    @classmethod
    def of(cls, metrics: TradeMetrics) -> MetricsOut:
        return cls(**asdict(metrics))


class MarketOut(MetricsOut):
    market: str


class CalendarDayOut(BaseModel):
    day: date
    trades: int
    net_pnl: DecimalOut


class EquityPointOut(BaseModel):
    day: date
    equity: DecimalOut  # at the UTC day's close (today: now)
    flows: DecimalOut  # money moved in (> 0) or out (< 0) that day, not a return
    pnl: DecimalOut  # equity change less flows
    daily_return: DecimalOut | None  # pnl / (previous close + flows); None without capital


class AccountAnalyticsOut(BaseModel):
    account_id: str
    kind: str
    period: Period
    first_day: date
    last_day: date
    metrics: MetricsOut
    long: MetricsOut
    short: MetricsOut
    markets: list[MarketOut]
    calendar: list[CalendarDayOut]
    equity_curve: list[EquityPointOut]
    max_drawdown: DecimalOut
    sharpe: DecimalOut | None
    sortino: DecimalOut | None


@router.get("/accounts/{account_id}", response_model=AccountAnalyticsOut)
async def account_analytics(
    account_id: AccountId,
    user: CurrentUser,
    db: Db,
    clock: ClockDep,
    period: Period = Period.MONTH,
) -> Response:
    """The caller's account over `period` (7d, 30d, 90d or all, to today UTC): its closed
    trades' metrics, overall, long and short, per market; the daily P&L calendar; the equity
    curve at each day's close with its daily returns; max drawdown, Sharpe and Sortino."""
    found = await views.account_report(db, account_id, user.user_id, period, clock.now())
    report = found.report
    answer = AccountAnalyticsOut(
        account_id=found.account_id,
        kind=found.kind,
        period=period,
        first_day=report.first_day,
        last_day=report.last_day,
        metrics=MetricsOut.of(report.metrics),
        long=MetricsOut.of(report.by_side[Side.LONG]),
        short=MetricsOut.of(report.by_side[Side.SHORT]),
        markets=[MarketOut(market=m, **asdict(x)) for m, x in report.by_market.items()],
        calendar=[
            CalendarDayOut(day=d.day, trades=d.trades, net_pnl=d.net_pnl) for d in report.calendar
        ],
        equity_curve=[
            EquityPointOut(
                day=close.day,
                equity=close.equity,
                flows=close.flows,
                pnl=daily.pnl,
                daily_return=daily.value,
            )
            for close, daily in zip(report.equity_curve, report.returns, strict=True)
        ],
        max_drawdown=report.max_drawdown,
        sharpe=report.sharpe,
        sortino=report.sortino,
    )
    # Serialized here, once: a year of days is ~2,000 figures, which FastAPI would validate
    # against the response model a second time (measured: twice the report's own cost).
    return Response(answer.model_dump_json(), media_type="application/json")


CSV_COLUMNS = (
    "closed_at",
    "opened_at",
    "market",
    "side",
    "realized_pnl",
    "fees",
    "funding",
    "net_pnl",
    "outcome",
    "risk_at_stop",
    "r_multiple",
    "hold_seconds",
)


def _text(value: Decimal | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return plain(value)


def _csv_row(trade: ClosedTrade) -> list[str]:
    r = trade.r_multiple
    return [
        _text(trade.closed_at),
        _text(trade.opened_at),
        trade.market,
        trade.side.value,
        _text(trade.realized_pnl),
        _text(trade.fees),
        _text(trade.funding),
        _text(trade.net_pnl),
        trade.outcome.value,
        _text(trade.risk_at_stop),
        "" if r is None else _text(r.quantize(REPORTED)),
        _text(trade.hold_seconds),
    ]


@router.get(
    "/accounts/{account_id}/trades.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def closed_trades_csv(
    account_id: AccountId,
    user: CurrentUser,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=MAX_CSV_TRADES)] = MAX_CSV_TRADES,
) -> Response:
    """The caller's closed trades of the account as CSV, oldest first: of more than `limit`
    (at most 10,000), the latest."""
    trades = await views.closed_trades(db, account_id, user.user_id, limit)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(t) for t in trades)
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="trades-{account_id}.csv"'},
    )
