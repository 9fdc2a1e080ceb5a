"""Funding schedule: premium samples once a minute, a payment every hour on the hour (UTC)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.pricing import funding_rate
from astratrade.trading.domain.rules import TradingRules


@dataclass(frozen=True, slots=True)
class FundingDue:
    at: datetime  # the hour boundary this payment belongs to
    rates: dict[str, Decimal]


def floor_time(moment: datetime, seconds: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=moment.tzinfo)


class FundingSchedule:
    """Collects premiums and says which fundings are due as time moves on.

    When time jumps (a manual clock, a process that was down), each hour boundary passed
    gets its own funding, up to `funding_catch_up_hours` of them; an hour without samples
    pays nothing, and those past the limit (none can have samples) are skipped."""

    def __init__(self, rules: TradingRules, start: datetime) -> None:
        self._rules = rules
        self._last_sample = floor_time(start, rules.funding_sample_seconds)
        self._last_funding = floor_time(start, rules.funding_interval_seconds)
        self._premiums: dict[str, list[Decimal]] = defaultdict(list)

    def advance(self, now: datetime, quotes: Mapping[str, Quote]) -> list[FundingDue]:
        due: list[FundingDue] = []
        interval = timedelta(seconds=self._rules.funding_interval_seconds)
        hour = floor_time(now, self._rules.funding_interval_seconds)
        passed = max(0, (hour - self._last_funding) // interval)
        for _ in range(min(passed, self._rules.funding_catch_up_hours)):
            self._last_funding += interval
            rates = {m: funding_rate(self._premiums.get(m, []), self._rules) for m in quotes}
            due.append(FundingDue(self._last_funding, rates))
            self._premiums.clear()
        self._last_funding = max(self._last_funding, hour)
        minute = floor_time(now, self._rules.funding_sample_seconds)
        if minute > self._last_sample:
            self._last_sample = minute
            for market, quote in quotes.items():
                self._premiums[market].append(quote.premium)
        return due

    def samples(self, market: str) -> list[Decimal]:
        return list(self._premiums.get(market, []))

    def predicted_rate(self, market: str) -> Decimal:
        """The rate the next payment would use if the hour ended now."""
        return funding_rate(self._premiums.get(market, []), self._rules)

    @property
    def next_funding_at(self) -> datetime:
        return self._last_funding + timedelta(seconds=self._rules.funding_interval_seconds)
