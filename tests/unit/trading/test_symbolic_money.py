"""Contracts of the pure functions that decide money (money_contracts.py), checked by
CrossHair within a time budget and by Hypothesis over the same bounds (docs/verification.md).

CrossHair (analysis kind "asserts") searches for inputs that break a contract. Over Decimal
arithmetic it proves nothing: its solver has no theory of Python's Decimal, so it runs the
code on concrete values path by path and every contract ends CANNOT_CONFIRM. It is also a
weak search here: about 6 paths in 3 s, 10 in 10 s, and with the buy price rounded down
instead of up (a broken rule) it found no counterexample in 10 s where the Hypothesis twin
fails at once. So the CrossHair tests are kept as a cheap guard that the contracts hold on
the paths it does explore and that it still refutes a plainly false contract, and the
Hypothesis tests below are the property tests of record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from crosshair.core_and_libs import analyze_function, run_checkables
from crosshair.options import AnalysisKind, AnalysisOptionSet
from crosshair.statespace import MessageType
from hypothesis import given, settings
from hypothesis import strategies as st
from money_contracts import (
    BTC,
    CONTRACTS,
    MAX_TICKS,
    MAX_UNITS,
    a_reduce_realizes_the_move_and_never_adds_exposure,
    a_taker_price_is_on_the_tick_against_the_trader_within_the_cap,
    every_fee_is_above_a_dollar,
    fee_is_the_notional_times_rate_rounded,
    maintenance_never_exceeds_initial_within_the_tier_cap,
)

D = Decimal
SECONDS_PER_CONTRACT = 2.0  # CrossHair's budget for each property, in the suite


# -- CrossHair ---------------------------------------------------------------------------------


def crosshair_verdicts(contract: Callable[..., None], seconds: float) -> list[tuple[str, str]]:
    stats: Counter[str] = Counter()
    options = AnalysisOptionSet(
        stats=stats,
        analysis_kind=[AnalysisKind.asserts],
        per_condition_timeout=seconds,
        per_path_timeout=seconds / 3,
        report_all=True,
    )
    messages = run_checkables(analyze_function(contract, options))
    assert stats["num_paths"] > 0, f"CrossHair explored no path of {contract.__name__}"
    return [(m.state.name, m.message) for m in messages]


BROKEN = {MessageType.POST_FAIL.name, MessageType.EXEC_ERR.name, MessageType.POST_ERR.name}


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.__name__)
def test_crosshair_finds_no_counterexample(contract: Callable[..., None]) -> None:
    verdicts = crosshair_verdicts(contract, SECONDS_PER_CONTRACT)
    print(contract.__name__, verdicts)
    assert not [v for v in verdicts if v[0] in BROKEN], verdicts


def test_crosshair_finds_a_broken_contract() -> None:
    """The search is real: a false property (every fee is above a dollar) is refuted."""
    verdicts = crosshair_verdicts(every_fee_is_above_a_dollar, SECONDS_PER_CONTRACT)
    assert any(state in BROKEN for state, _ in verdicts), verdicts


# -- the same contracts as Hypothesis properties (the property of record) -------------------

units = st.integers(1, MAX_UNITS)
ticks = st.integers(10, MAX_TICKS)
props = settings(max_examples=300, deadline=None)


@props
@given(units, ticks, st.booleans())
def test_fee_property(u: int, t: int, taker: bool) -> None:
    fee_is_the_notional_times_rate_rounded(u, t, taker)


@props
@given(units, st.integers(1, 2 * MAX_UNITS), ticks, ticks, st.booleans())
def test_reduce_property(u: int, r: int, entry: int, exit_: int, long: bool) -> None:
    a_reduce_realizes_the_move_and_never_adds_exposure(u, r, entry, exit_, long)


@props
@given(units, ticks, st.booleans())
def test_taker_price_property(u: int, t: int, buy: bool) -> None:
    a_taker_price_is_on_the_tick_against_the_trader_within_the_cap(u, t, buy)


@props
@given(st.integers(1, MAX_UNITS), st.integers(1, MAX_TICKS), st.integers(1, 100))
def test_margin_property(u: int, t: int, leverage: int) -> None:
    size, mark = D(u) * BTC.step, D(t) * BTC.tick
    leverage = min(leverage, int(BTC.tier_for(size * mark).max_leverage))
    maintenance_never_exceeds_initial_within_the_tier_cap(u, t, leverage)
