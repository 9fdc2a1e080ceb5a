"""Each UTC day's close of an account, from what its read model keeps (docs/analytics.md
"Equity at each day's close"): the collateral at the end of the days money moved, the
positions at the end of the days a fill changed them, and each market's mark at the day's
close (its 1d candle's close). Equity = collateral + sum of size x (mark - entry)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.returns import DailyClose


@dataclass(frozen=True, slots=True)
class MoneyDay:
    """The collateral at the end of a day money moved, and that day's flows."""

    day: date
    collateral: Decimal
    flows: Decimal


@dataclass(frozen=True, slots=True)
class PositionDay:
    """A position at the end of a day a fill changed it (size 0: flat)."""

    market: str
    day: date
    size: Decimal
    entry_price: Decimal


Marks = Mapping[str, Mapping[date, Decimal]]  # market -> day -> the mark at its close


def daily_closes(
    money: Iterable[MoneyDay],
    positions: Iterable[PositionDay],
    marks: Marks,
    first: date,
    last: date,
) -> list[DailyClose]:
    """One close a day from `first` to `last`, each carrying the day before's collateral,
    positions and marks forward when nothing new was recorded (a market without any mark
    yet is valued at its entry: no unrealized P&L)."""
    by_day = {m.day: m for m in money}
    changes: dict[date, list[PositionDay]] = {}
    for position in positions:
        changes.setdefault(position.day, []).append(position)
    collateral = ZERO
    held: dict[str, PositionDay] = {}
    seen_marks: dict[str, Decimal] = {}
    closes: list[DailyClose] = []
    day = first
    while day <= last:
        today = by_day.get(day)
        if today is not None:
            collateral = today.collateral
        for position in changes.get(day, ()):
            if position.size == ZERO:
                held.pop(position.market, None)
            else:
                held[position.market] = position
        for market, by_date in marks.items():
            if day in by_date:
                seen_marks[market] = by_date[day]
        unrealized = sum(
            (
                p.size * (seen_marks.get(market, p.entry_price) - p.entry_price)
                for market, p in held.items()
            ),
            ZERO,
        )
        flows = today.flows if today is not None else ZERO
        closes.append(DailyClose(day, collateral + unrealized, flows))
        day += timedelta(days=1)
    return closes
