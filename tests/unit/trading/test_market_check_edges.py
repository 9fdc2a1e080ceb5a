"""A market's own checks with their exact messages, its risk tiers past the last bound, and
the edges of a position's arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from fakes import MARKETS, START

from astratrade.trading.domain.errors import InvalidOrder
from astratrade.trading.domain.markets import Market, RiskTier
from astratrade.trading.domain.position import Position

ETH = MARKETS["ETH-USD"]


# -- position arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [D(2), D(-2)])
def test_a_fill_of_nothing_leaves_a_position_as_it_was(size: D) -> None:
    position = Position("ETH-USD", size, D(3000), START)
    assert position.apply(D(0), D(3100)) == D(0)
    assert (position.size, position.entry_price) == (size, D(3000))


@pytest.mark.parametrize(
    ("size", "delta", "price", "realized", "after"),
    [
        (D(1), D(3), D(3100), D(0), (D(4), D(3075))),  # added to: entry averaged by size
        (D(-2), D(-2), D(2900), D(0), (D(-4), D(2950))),
        (D(2), D(-2), D(3100), D(200), (D(0), D(3000))),  # closed exactly: nothing left
        (D(-2), D(2), D(3100), D(-200), (D(0), D(3000))),
        (D(2), D(-3), D(2900), D(-200), (D(-1), D(2900))),  # flipped: the rest opens here
        (D(-2), D("2.5"), D(2900), D(200), (D("0.5"), D(2900))),
        (D(2), D("-0.5"), D(3100), D(50), (D("1.5"), D(3000))),  # reduced: entry kept
    ],
)
def test_a_fill_averages_realizes_or_flips_a_position(
    size: D, delta: D, price: D, realized: D, after: tuple[D, D]
) -> None:
    position = Position("ETH-USD", size, D(3000), START)
    assert position.apply(delta, price) == realized
    assert (position.size, position.entry_price) == after


# -- a market's own checks -------------------------------------------------------------------


def refusal(check: Callable[..., None], *args: object, **kwargs: object) -> tuple[str | None, str]:
    """The field and message of the refusal `check` raises."""
    with pytest.raises(InvalidOrder) as raised:
        check(*args, **kwargs)
    return raised.value.field, raised.value.message


@pytest.mark.parametrize(
    ("price", "name", "message"),
    [
        (D(0), "price", "price must be positive, was 0"),
        (D("-2.50"), "trigger_price", "trigger_price must be positive, was -2.5"),
        (
            D("3000.005"),
            "price",
            "price 3000.005 is not a multiple of the ETH-USD tick 0.01",
        ),
        (
            D("2900.001"),
            "trigger_price",
            "trigger_price 2900.001 is not a multiple of the ETH-USD tick 0.01",
        ),
    ],
)
def test_a_price_off_the_market_is_refused_with_its_value(
    price: D, name: str, message: str
) -> None:
    assert refusal(ETH.check_price, price, name) == (name, message)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (D(0), "size must be positive, was 0"),
        (D("-0.50"), "size must be positive, was -0.5"),
        (D("0.00015"), "size 0.00015 is not a multiple of the ETH-USD step 0.0001"),
        (D("0.0009"), "size 0.0009 is below the ETH-USD minimum of 0.001"),
    ],
)
def test_a_size_off_the_market_is_refused_with_its_value(size: D, message: str) -> None:
    assert refusal(ETH.check_size, size) == ("size", message)


def test_only_a_whole_close_may_be_below_the_minimum_size() -> None:
    ETH.check_size(D("0.0009"), closes=True)
    with pytest.raises(InvalidOrder):
        ETH.check_size(D("0.0009"))
    assert refusal(ETH.check_size, D(0), closes=True) == ("size", "size must be positive, was 0")


def test_a_notional_beyond_every_bounded_tier_gets_the_last_tier() -> None:
    tiers = (
        RiskTier(D(50), D(100_000)),
        RiskTier(D(20), D(500_000)),
        RiskTier(D(10), D(1_000_000)),
        RiskTier(D(5), D(2_000_000)),
    )
    market = Market("TEST-USD", D("0.01"), D("0.01"), D("0.1"), D(100), tiers)
    assert market.tier_for(D(2_000_000)) is tiers[3]
    assert market.tier_for(D("2000000.01")) is tiers[3]
    assert market.tier_for(D(100_001)) is tiers[1]
