"""The Trader aggregate: one user's progression (XP, level, unlocked leverage, streak,
achievements) and the track record the achievements are judged on.

Which closes count:
- Tournament closes are ignored: practice, live and tournament results are never mixed, and
  tournaments reward their podium through award_podium.
- A liquidated close earns nothing: no XP, no daily slot, no streak day, and no achievement
  is unlocked by it. It is still a closed position, so it counts in the totals (closes, the
  recent win/loss window, markets, first trade) - a count achievement it brings within reach
  is unlocked by the next close that earns. It breaks the RISK_MANAGER run and rules out
  SURVIVOR for good.
- Closes past the daily cap earn no XP of their own, but still count for achievements: the
  cap limits XP from frequency; the achievements judge discipline and are each paid once.

XP only ever goes up, and with it level and unlocked leverage (never recomputed downwards,
even if the rules change). Idempotency (a close delivered twice) is the infrastructure's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from astratrade.gamification.domain import events
from astratrade.gamification.domain.achievements import Standing, reached
from astratrade.gamification.domain.closes import ClosedPosition, close_xp
from astratrade.gamification.domain.rules import (
    DEFAULT_RULES,
    Achievement,
    ProgressionRules,
    level_for,
    max_leverage_for,
)
from astratrade.shared.messages import Aggregate


class Trader(Aggregate):
    aggregate_type = "trader_progress"

    def __init__(
        self,
        user_id: str,
        *,
        xp: int,
        level: int,
        max_leverage: int,
        streak: int = 0,
        last_streak_day: date | None = None,
        xp_day: date | None = None,
        xp_closes_today: int = 0,
        closes: int = 0,
        recent_wins: Iterable[bool] = (),
        protected_run: int = 0,
        markets: Iterable[str] = (),
        first_trade_at: datetime | None = None,
        liquidated: bool = False,
        achievements: Iterable[str] = (),
        practice_xp: int = 0,
        version: int = 0,
    ) -> None:
        # Its own aggregate id: the audit log keys events by (aggregate id, version), and
        # the user's id is already the users context's User aggregate.
        super().__init__(f"progression-{user_id}", version)
        self.user_id = user_id
        self.xp = xp
        self.level = level
        self.max_leverage = max_leverage
        self.streak = streak
        self.last_streak_day = last_streak_day  # the UTC day the streak last counted
        self.xp_day = xp_day  # the UTC day xp_closes_today counts
        self.xp_closes_today = xp_closes_today
        self.closes = closes
        self.recent_wins = tuple(recent_wins)  # oldest first, realized_pnl > 0
        self.protected_run = protected_run
        self.markets = set(markets)
        self.first_trade_at = first_trade_at
        self.liquidated = liquidated  # ever
        self.achievements = {Achievement(a) for a in achievements}
        # XP earned from practice closes (their streak days and achievements too): live
        # trading opens at a level earned here, never through tournament prizes.
        self.practice_xp = practice_xp

    @classmethod
    def start(cls, user_id: str, rules: ProgressionRules = DEFAULT_RULES) -> Trader:
        """A trader with no XP yet: level 1 and the base leverage. Nothing happened, so
        nothing is recorded."""
        level = level_for(0, rules)
        return cls(user_id, xp=0, level=level, max_leverage=max_leverage_for(level, rules))

    # -- closes ---------------------------------------------------------------------------

    def close_position(self, close: ClosedPosition, rules: ProgressionRules) -> None:
        """Take one closed position: XP for it (within the daily cap), the streak on the
        day's first XP-earning close, then any achievement it completes."""
        if close.account_kind == "tournament":
            return
        before = self.xp
        self._take_close(close, rules)
        if close.account_kind == "practice":
            self._practice(self.xp - before, rules)

    def _practice(self, earned: int, rules: ProgressionRules) -> None:
        was_unlocked = self.live_unlocked(rules)
        self.practice_xp += earned
        if self.live_unlocked(rules) and not was_unlocked:
            level = level_for(self.practice_xp, rules)
            self.record(events.LiveTradingUnlocked(user_id=self.user_id, practice_level=level))

    def live_unlocked(self, rules: ProgressionRules) -> bool:
        return level_for(self.practice_xp, rules) >= rules.live_min_practice_level

    def _take_close(self, close: ClosedPosition, rules: ProgressionRules) -> None:
        self._count(close, rules)
        if close.liquidated:
            return
        day = self._day_of(close.closed_at)
        if day != self.xp_day:
            self.xp_day, self.xp_closes_today = day, 0
        self.xp_closes_today += 1
        if self.xp_closes_today <= rules.daily_xp_closes:
            self._award(close_xp(close, rules), "close")
        if self.last_streak_day != day:
            self._step_streak(day, rules)
        standing = Standing(
            closes=self.closes,
            streak=self.streak,
            recent_wins=self.recent_wins,
            protected_run=self.protected_run,
            markets=frozenset(self.markets),
            first_trade_at=self.first_trade_at,
            ever_liquidated=self.liquidated,
            at=close.closed_at,
        )
        for achievement in reached(standing, rules):
            self._unlock(achievement, rules)
        self._climb(rules)

    def _count(self, close: ClosedPosition, rules: ProgressionRules) -> None:
        self.closes += 1
        self.recent_wins = (*self.recent_wins, close.won)[-rules.profit_master_window :]
        protected = close.stop_protected and not close.liquidated
        self.protected_run = self.protected_run + 1 if protected else 0
        self.markets.add(close.market)
        if self.first_trade_at is None or close.opened_at < self.first_trade_at:
            # The earliest opening seen: a long-held position may close after later ones.
            self.first_trade_at = close.opened_at
        self.liquidated = self.liquidated or close.liquidated

    def _day_of(self, moment: datetime) -> date:
        """The UTC day a close counts on. A close delivered after one from a later day
        counts on that later day: it can neither reopen a past day's cap nor reset the
        streak, so delivery order never earns more."""
        day = moment.astimezone(UTC).date()
        if self.xp_day is not None and day < self.xp_day:
            return self.xp_day
        return day

    def _step_streak(self, day: date, rules: ProgressionRules) -> None:
        if self.last_streak_day == day - timedelta(days=1):
            self.streak += 1
        else:
            self.streak = 1
        self.last_streak_day = day
        self.record(
            events.StreakUpdated(user_id=self.user_id, streak=self.streak, day=day.isoformat())
        )
        self._award(rules.streak_bonus(self.streak), "streak")

    # -- tournaments ----------------------------------------------------------------------

    def award_podium(
        self, tournament_id: str, place: int, at: datetime, rules: ProgressionRules
    ) -> None:
        """A top-3 finish in a finished tournament: the place's prize XP every time, and
        TOURNAMENT_PODIUM with its XP the first time only."""
        if at.tzinfo is None:
            raise ValueError(f"at must be timezone-aware, got {at.isoformat()}")
        if not 1 <= place <= len(rules.podium_prizes):
            raise ValueError(f"place must be 1-{len(rules.podium_prizes)}, got {place}")
        if Achievement.TOURNAMENT_PODIUM not in self.achievements:
            self._unlock(Achievement.TOURNAMENT_PODIUM, rules)
        self._award(rules.podium_prizes[place - 1], f"podium:{tournament_id}")
        self._climb(rules)

    # -- XP, level, leverage --------------------------------------------------------------

    def _unlock(self, achievement: Achievement, rules: ProgressionRules) -> None:
        if achievement in self.achievements:
            return
        self.achievements.add(achievement)
        xp = rules.achievement_xp[achievement]
        self.record(
            events.AchievementUnlocked(user_id=self.user_id, achievement=achievement.value, xp=xp)
        )
        self._award(xp, f"achievement:{achievement.value}")

    def _award(self, amount: int, reason: str) -> None:
        if amount < 0:
            raise ValueError(f"XP never decreases; refusing {amount} for {reason}")
        if amount == 0:
            return
        self.xp += amount
        self.record(
            events.XpAwarded(user_id=self.user_id, amount=amount, reason=reason, total=self.xp)
        )

    def _climb(self, rules: ProgressionRules) -> None:
        """Raise level and unlocked leverage to what the XP earns, never lowering either."""
        level = max(self.level, level_for(self.xp, rules))
        if level > self.level:
            self.level = level
            self.record(events.LevelReached(user_id=self.user_id, level=level))
        leverage = max(self.max_leverage, max_leverage_for(level, rules))
        if leverage > self.max_leverage:
            self.max_leverage = leverage
            self.record(events.LeverageUnlocked(user_id=self.user_id, max_leverage=leverage))
