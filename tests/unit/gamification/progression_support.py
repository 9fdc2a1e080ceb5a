"""Builders shared by the progression tests: closed positions and event filters."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from astratrade.gamification.domain.closes import AccountKind, ClosedPosition
from astratrade.gamification.domain.events import AchievementUnlocked, XpAwarded
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import ProgressionRules
from astratrade.shared.messages import Event

D = Decimal
RULES = ProgressionRules()
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)
EQUITY = D(10_000)
SMALL_RISK = D(200)  # exactly 2% of EQUITY

_ids = itertools.count(1)
E = TypeVar("E", bound=Event)


def closed(
    *,
    at: datetime = START,
    opened_at: datetime | None = None,
    kind: AccountKind = "practice",
    market: str = "BTC-USD",
    pnl: Decimal | str = "1",
    liquidated: bool = False,
    protected: bool = False,
    risk: Decimal | str | None = None,
    equity: Decimal = EQUITY,
) -> ClosedPosition:
    return ClosedPosition(
        position_id=f"p-{next(_ids)}",
        account_kind=kind,
        market=market,
        opened_at=opened_at if opened_at is not None else at - timedelta(minutes=5),
        closed_at=at,
        realized_pnl=D(pnl),
        liquidated=liquidated,
        stop_protected=protected,
        risk_at_stop=None if risk is None else D(risk),
        equity_at_open=equity,
    )


def best(at: datetime = START, market: str = "BTC-USD") -> ClosedPosition:
    """The most a single close can be worth: a winner under a stop risking at most 2%."""
    return closed(at=at, market=market, pnl="5", protected=True, risk=SMALL_RISK)


def fresh() -> Trader:
    return Trader.start("u-1", RULES)


def of_type(trader: Trader, kind: type[E]) -> list[E]:
    return [event for event in trader.pending_events if isinstance(event, kind)]


def close_xp_awarded(trader: Trader) -> list[int]:
    return [e.amount for e in of_type(trader, XpAwarded) if e.reason == "close"]


def unlocked(trader: Trader) -> list[str]:
    return [e.achievement for e in of_type(trader, AchievementUnlocked)]


def take(trader: Trader, *closes: ClosedPosition) -> Trader:
    for close in closes:
        trader.close_position(close, RULES)
    return trader
