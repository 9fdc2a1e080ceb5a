"""Sharpe, Sortino and max drawdown against an independent oracle: empyrical (Quantopian's
statistics, `empyrical-reloaded`, a test dependency only) on the same daily returns, with
365 periods a year as SPEC 13 asks."""

from decimal import Decimal

import empyrical
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from astratrade.analytics.domain.returns import max_drawdown, sharpe, sortino

# A day's return between -60 % and +60 %, in whole basis points of a basis point.
DAILY_RETURN = st.decimals(min_value=Decimal("-0.6"), max_value=Decimal("0.6"), places=6)
RETURNS = st.lists(DAILY_RETURN, min_size=2, max_size=120)
# Reported figures are rounded to 6 decimals; the oracle computes in floats.
CLOSE = {"rel": 1e-6, "abs": 2e-6}


def oracle_input(returns: list[Decimal]) -> np.ndarray:
    return np.array([float(r) for r in returns])


@given(RETURNS)
def test_sharpe_matches_empyrical(returns: list[Decimal]) -> None:
    assume(len(set(returns)) > 1)  # no dispersion: undefined here, a division by 0 there

    expected = empyrical.sharpe_ratio(oracle_input(returns), annualization=365)

    assert float(sharpe(returns) or 0) == pytest.approx(expected, **CLOSE)


@given(RETURNS)
def test_sortino_matches_empyrical(returns: list[Decimal]) -> None:
    assume(any(r < 0 for r in returns))  # no losing day: undefined here, infinite there

    expected = empyrical.sortino_ratio(oracle_input(returns), annualization=365)

    assert float(sortino(returns) or 0) == pytest.approx(expected, **CLOSE)


@given(st.lists(DAILY_RETURN, min_size=1, max_size=120))
def test_max_drawdown_matches_empyrical(returns: list[Decimal]) -> None:
    expected = empyrical.max_drawdown(oracle_input(returns))

    # empyrical reports the fall as a negative fraction, this platform as a positive one
    assert float(max_drawdown(returns)) == pytest.approx(-expected, **CLOSE)


def test_figures_on_a_worked_week() -> None:
    week = [Decimal(r) for r in ("0.01", "-0.02", "0.03", "0", "-0.01", "0.02", "0.005")]

    assert float(sharpe(week) or 0) == pytest.approx(
        empyrical.sharpe_ratio(oracle_input(week), annualization=365), **CLOSE
    )
    # 1.01 -> 0.9898 is the deepest fall from its peak: 2 %
    assert max_drawdown(week) == Decimal("0.02")


def test_ratios_under_two_returns_are_undefined() -> None:
    assert sharpe([Decimal("0.01")]) is None
    assert sortino([Decimal("-0.01")]) is None
    assert max_drawdown([]) == 0
