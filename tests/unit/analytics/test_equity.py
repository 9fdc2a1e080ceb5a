"""Each day's close from the read model's sparse records (money days, position days, daily
marks) equals the account's equity at that day's close in a day-by-day simulation of it:
collateral plus every open position at the day's last mark; flows kept apart."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.analytics.domain.equity import MoneyDay, PositionDay, daily_closes

D = Decimal
FIRST = date(2026, 1, 1)
MARKETS = ("BTC-USD", "SOL-USD")
cents = st.integers(-500_000, 500_000).map(lambda n: D(n) / 100)
prices = st.integers(1, 100_000).map(lambda n: D(n) / 10)
sizes = st.integers(-30, 30).map(lambda n: D(n) / 10)
# One day: maybe a trading result and a flow, maybe a fill per market, maybe a mark each.
days = st.lists(
    st.tuples(
        st.none() | st.tuples(cents, cents),
        st.dictionaries(st.sampled_from(MARKETS), st.tuples(sizes, prices)),
        st.dictionaries(st.sampled_from(MARKETS), prices),
    ),
    min_size=1,
    max_size=20,
)


@given(days)
def test_each_close_is_the_equity_at_that_days_close(script: list[tuple]) -> None:  # type: ignore[type-arg]
    collateral = D(0)
    held: dict[str, tuple[Decimal, Decimal]] = {}
    marks: dict[str, Decimal] = {}
    money, positions, daily_marks = [], [], {m: {} for m in MARKETS}
    expected = []
    for offset, (moved, fills, marked) in enumerate(script):
        day = FIRST + timedelta(days=offset)
        flows = D(0)
        if moved is not None:
            result, flows = moved
            collateral += result + flows
            money.append(MoneyDay(day, collateral, flows))
        for market, (size, entry) in fills.items():
            positions.append(PositionDay(market, day, size, entry))
            held[market] = (size, entry)
        for market, mark in marked.items():
            daily_marks[market][day] = mark
            marks[market] = mark
        unrealized = sum((s * (marks.get(m, e) - e) for m, (s, e) in held.items() if s), D(0))
        expected.append((day, collateral + unrealized, flows))

    last = FIRST + timedelta(days=len(script) - 1)
    closes = daily_closes(money, positions, daily_marks, FIRST, last)

    assert [(c.day, c.equity, c.flows) for c in closes] == expected
    assert closes[-1].equity == expected[-1][1]
