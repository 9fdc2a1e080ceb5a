"""How analytics rounds what it reports: averages and ratios to 6 decimals, half-even (the
money quantum), so a figure reads the same from every path that computes it."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
REPORTED = Decimal("0.000001")


def reported(value: Decimal) -> Decimal:
    return value.quantize(REPORTED, rounding=ROUND_HALF_EVEN)


def mean(values: list[Decimal]) -> Decimal | None:
    """The arithmetic mean, rounded; None for no values (no average, rather than 0)."""
    if not values:
        return None
    return reported(sum(values, ZERO) / len(values))


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator, rounded; None when the denominator is 0 (undefined)."""
    if not denominator:
        return None
    return reported(numerator / denominator)
