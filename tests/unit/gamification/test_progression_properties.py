"""Properties of progression over any sequence of closes (and podiums):
XP never decreases; level and unlocked leverage follow XP and never fall; every XpAwarded
adds a positive amount and carries the running total; no UTC day pays more than the cap;
each achievement is paid at most once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from progression_support import RULES, START, closed, fresh

from astratrade.gamification.domain.closes import ClosedPosition
from astratrade.gamification.domain.events import AchievementUnlocked, XpAwarded
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import level_for, max_leverage_for

D = Decimal
BEST_CLOSE = RULES.xp_per_close + RULES.stop_loss_bonus + RULES.small_risk_bonus


def deterministic(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@st.composite
def closes(draw: st.DrawFn) -> ClosedPosition:
    at = START + timedelta(days=draw(st.integers(0, 40)), seconds=draw(st.integers(0, 86_399)))
    return closed(
        at=at,
        opened_at=at - timedelta(minutes=draw(st.integers(0, 60 * 24 * 3))),
        kind=draw(st.sampled_from(["practice", "live", "tournament"])),
        market=draw(st.sampled_from(["BTC-USD", "ETH-USD", "SOL-USD", "DOGE-USD"])),
        pnl=D(draw(st.integers(-10_000, 10_000))) / 100,
        liquidated=draw(st.booleans()),
        protected=draw(st.booleans()),
        risk=draw(st.one_of(st.none(), st.integers(0, 1_000).map(D))),
        equity=D(draw(st.integers(0, 20_000))),
    )


podiums = st.integers(1, 3)  # a podium place in a tournament of its own
steps = st.lists(st.one_of(closes(), podiums), max_size=60)


def apply(trader: Trader, step: ClosedPosition | int, n: int) -> None:
    if isinstance(step, ClosedPosition):
        trader.close_position(step, RULES)
    else:
        trader.award_podium(f"t-{n}", step, START, RULES)


@deterministic(300)
@given(steps)
def test_xp_level_and_leverage_never_fall_in_any_order_of_delivery(
    sequence: list[ClosedPosition | int],
) -> None:
    trader = fresh()
    for n, step in enumerate(sequence):
        before = (trader.xp, trader.level, trader.max_leverage)
        apply(trader, step, n)
        assert trader.xp >= before[0]
        assert trader.level >= before[1]
        assert trader.max_leverage >= before[2]
        assert trader.level == level_for(trader.xp)
        assert trader.max_leverage == max_leverage_for(trader.level)

    awards = [e for e in trader.pending_events if isinstance(e, XpAwarded)]
    assert all(e.amount > 0 for e in awards)
    running = 0
    for award in awards:
        running += award.amount
        assert award.total == running
    assert running == trader.xp
    names = [e.achievement for e in trader.pending_events if isinstance(e, AchievementUnlocked)]
    assert len(names) == len(set(names))


@deterministic(200)
@given(st.lists(closes(), max_size=80))
def test_no_utc_day_pays_more_than_ten_closes_and_one_streak_bonus(
    sequence: list[ClosedPosition],
) -> None:
    trader = fresh()
    per_day: Counter[object] = Counter()
    for close in sorted(sequence, key=lambda c: c.closed_at):
        trader.pending_events.clear()
        trader.close_position(close, RULES)
        day = close.closed_at.astimezone(UTC).date()
        for event in trader.pending_events:
            if isinstance(event, XpAwarded) and event.reason in ("close", "streak"):
                per_day[day] += event.amount
    ceiling = RULES.daily_xp_closes * BEST_CLOSE + RULES.streak_bonus(RULES.streak_step_cap + 1)
    assert all(amount <= ceiling for amount in per_day.values())
