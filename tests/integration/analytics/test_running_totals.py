"""The running totals of closed trades on SQLite, against their definition: after any
batches of closes (of several accounts, markets and sides, on days in any order, as the
manual clock allows), each key has a row for every day it closed a trade on, holding the
totals of all its trades closed up to and including that day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, select

from astratrade.analytics.adapters.running_totals import Key, add_running, totals_of
from astratrade.analytics.adapters.tables import trade_totals
from astratrade.analytics.domain.totals import TradeTotals
from astratrade.infrastructure.db import SCHEMALESS, metadata

START = date(2026, 3, 1)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", execution_options={"schema_translate_map": SCHEMALESS})
    with engine.begin() as conn:
        metadata.create_all(conn, tables=[trade_totals])
    yield engine
    engine.dispose()


closes = st.lists(
    st.tuples(
        st.sampled_from(["a1", "a2"]),
        st.sampled_from(["BTC-USD", "ETH-USD"]),
        st.sampled_from(["long", "short"]),
        st.integers(0, 6),  # the day it closed on
        st.decimals(-500, 500, places=2),  # its net P&L
    ),
    max_size=30,
)


def totals(net: Decimal) -> TradeTotals:
    return TradeTotals(
        trades=1,
        wins=int(net > 0),
        losses=int(net < 0),
        break_evens=int(net == 0),
        gross_profit=max(net, Decimal(0)),
        gross_loss=min(net, Decimal(0)),
        net_pnl=net,
        fees=Decimal("0.5"),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=closes, cuts=st.lists(st.integers(1, 6), max_size=8))
def test_the_running_rows_hold_every_trade_up_to_their_day(
    engine: Engine, history: list[tuple[str, str, str, int, Decimal]], cuts: list[int]
) -> None:
    with engine.begin() as conn:
        conn.execute(delete(trade_totals))
        start = 0
        for size in [*cuts, len(history)]:  # batches of these sizes, the rest in one
            added: dict[Key, dict[date, TradeTotals]] = {}
            for account, market, side, day, net in history[start : start + size]:
                days = added.setdefault((account, market, side), {})
                on = START + timedelta(days=day)
                days[on] = days.get(on, TradeTotals()) + totals(net)
            add_running(conn, added)
            start += size
        kept = {
            (row["account_id"], row["market"], row["side"], row["day"]): totals_of(row)
            for row in conn.execute(select(trade_totals)).mappings()
        }
    expected: dict[tuple[str, str, str, date], TradeTotals] = {}
    for account, market, side, day, _ in history:
        on = START + timedelta(days=day)
        up_to = [h for h in history if h[:3] == (account, market, side) and h[3] <= day]
        running = TradeTotals()
        for *_, net in up_to:
            running = running + totals(net)
        expected[(account, market, side, on)] = running
    assert kept == expected
