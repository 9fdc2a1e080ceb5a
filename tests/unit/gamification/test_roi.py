"""ROI on the weekly boards: the week's P&L over its capital, to six places."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from astratrade.gamification.projections import roi

money = st.decimals(min_value=-(10**7), max_value=10**7, places=6, allow_nan=False)
capital = st.decimals(min_value=D("0.000001"), max_value=10**7, places=6)


@given(pnl=money, capital=capital)
def test_roi_is_pnl_over_capital_rounded_to_six_places(pnl: D, capital: D) -> None:
    ratio = roi(pnl, capital)
    assert abs(ratio - pnl / capital) <= D("0.0000005")
    assert ratio.as_tuple().exponent == -6
    if abs(pnl / capital) >= D("0.0000005"):
        assert (ratio > 0) == (pnl > 0)


@given(pnl=money, capital=st.decimals(max_value=0, min_value=-(10**6), places=6))
def test_without_capital_there_is_no_roi(pnl: D, capital: D) -> None:
    assert roi(pnl, capital) == 0


def test_spec_examples() -> None:
    assert roi(D(1250), D(10_000)) == D("0.125")
    assert roi(D(-10_000), D(10_000)) == D(-1)  # a wiped-out week, never worse
