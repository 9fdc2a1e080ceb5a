"""An account's results over the current UTC day and week: what its daily loss limit and the
weekly ROI board judge.

P&L here is every change of collateral that is not a deposit: realized P&L, fees, funding,
liquidation fees and a covered shortfall. A week's capital is the collateral at the week's
start plus what was deposited during it, so a deposit is never counted as a gain. Weeks
start Monday 00:00 UTC; a period starts at the account's first change in it, when the
collateral still equals what it was at the period's start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from astratrade.shared.money import ZERO


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the moment's week."""
    day = utc_day(moment)
    return day - timedelta(days=day.weekday())


@dataclass(slots=True)
class PeriodResults:
    day: date | None = None
    day_pnl: Decimal = ZERO
    week: date | None = None
    week_pnl: Decimal = ZERO
    week_capital: Decimal = ZERO

    def gain(self, amount: Decimal, at: datetime, collateral_before: Decimal) -> None:
        """Collateral moved by `amount` of P&L (negative for a loss)."""
        self._roll(at, collateral_before)
        self.day_pnl += amount
        self.week_pnl += amount

    def deposit(self, amount: Decimal, at: datetime, collateral_before: Decimal) -> None:
        self._roll(at, collateral_before)
        self.week_capital += amount

    def day_loss(self, at: datetime) -> Decimal:
        """The loss realized so far on the UTC day of `at` (zero when it gained)."""
        if self.day != utc_day(at):
            return ZERO
        return max(-self.day_pnl, ZERO)

    def _roll(self, at: datetime, collateral: Decimal) -> None:
        day = utc_day(at)
        if day != self.day:
            self.day, self.day_pnl = day, ZERO
        monday = week_start(at)
        if monday != self.week:
            self.week, self.week_pnl, self.week_capital = monday, ZERO, collateral
