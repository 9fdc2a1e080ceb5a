"""An account's day and week results: P&L excludes deposits; a week's capital is its opening
collateral plus its deposits; periods turn over at 00:00 UTC and Monday 00:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from fakes import GRANT, Trading
from hypothesis import given
from hypothesis import strategies as st

from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.events import PositionClosed
from astratrade.trading.domain.results import PeriodResults, week_start

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)

amounts = st.decimals(min_value=-5000, max_value=5000, places=6, allow_nan=False)
moves = st.lists(
    st.tuples(st.booleans(), amounts, st.integers(min_value=0, max_value=40)), max_size=40
)


@given(opening=st.decimals(min_value=0, max_value=10**6, places=6), moves=moves)
def test_the_week_capital_and_pnl_always_add_up_to_the_collateral(
    opening: D, moves: list[tuple[bool, D, int]]
) -> None:
    account = Account.open(
        "a",
        owner_id="t",
        kind=AccountKind.PRACTICE,
        currency="USD",
        default_leverage=D(5),
        at=MONDAY,
    )
    account.adjust(opening)
    at = MONDAY
    day_gains: dict[object, D] = {}
    for is_deposit, amount, hours in moves:
        at += timedelta(hours=hours)
        if is_deposit:
            account.deposit(abs(amount), source="house", reason="test", at=at)
        else:
            account.settle(amount, at)
            day_gains[at.date()] = day_gains.get(at.date(), D(0)) + amount
        results = account.results
        assert results.week_capital + results.week_pnl == account.collateral
        assert results.week == week_start(at)
        assert results.day_loss(at) == max(-day_gains.get(at.date(), D(0)), D(0))


def test_a_new_week_starts_from_the_collateral_it_opens_with() -> None:
    results = PeriodResults()
    results.deposit(D(10_000), MONDAY, D(0))
    results.gain(D(-400), MONDAY + timedelta(days=6, hours=23), D(10_000))
    assert (results.week_capital, results.week_pnl) == (D(10_000), D(-400))
    results.gain(D(100), MONDAY + timedelta(days=7), D(9_600))
    assert (results.week, results.week_capital, results.week_pnl) == (
        (MONDAY + timedelta(days=7)).date(),
        D(9_600),
        D(100),
    )
    assert results.day_loss(MONDAY + timedelta(days=7)) == 0


def test_a_close_reports_the_week_so_far(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    trading.move("ETH-USD", "3100")
    trading.close(a, "ETH-USD")
    (event,) = trading.store.events(PositionClosed)
    assert event.week_capital == GRANT
    assert event.collateral == trading.account(a).collateral
    assert event.week_pnl == event.collateral - GRANT
    assert D(97) < event.week_pnl < D(100)  # +100 less slippage and fees
