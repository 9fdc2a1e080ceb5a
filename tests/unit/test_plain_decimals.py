"""`plain` (every amount the API and the sockets write) takes a shortcut when `str` already
gives the shortest form: for any Decimal it is the same text as the normalized one."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.shared.money import plain


def normalized(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


@given(
    # Up to the context's 28 digits (every amount the platform holds), where `normalize`
    # is exact; beyond, it rounds and the shortcut keeps every digit.
    st.decimals(min_value=-(10**15), max_value=10**15, places=10)
    | st.builds(
        Decimal, st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{0,6})?(E[+-]?[0-9])?", fullmatch=True)
    )
)
def test_plain_is_the_normalized_text(value: Decimal) -> None:
    assert plain(value) == normalized(value)
