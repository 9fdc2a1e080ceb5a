"""Decimal helpers. Every amount, price, size and rate in AstraTrade is a Decimal."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
MONEY_QUANTUM = Decimal("0.000001")
MAX_SIGNIFICANT_DIGITS = 18
# No amount, price or size on the platform comes near this; beyond it Decimal's modulo
# (tick and step checks) stops being defined.
MAX_MAGNITUDE = Decimal(10) ** 15


class InvalidNumber(ValueError):
    """A value that cannot be used as an amount (NaN, infinite, too precise, not a number)."""


def to_decimal(value: object) -> Decimal:
    """Parse a request value (str, int, Decimal) into a finite Decimal of at most 18 digits."""
    if isinstance(value, bool):
        raise InvalidNumber(f"expected a number, got {value!r}")
    if isinstance(value, float):
        # JSON bodies are parsed with parse_float=Decimal; a float here is a programming error
        # unless it is a NaN/Infinity constant, which we reject either way.
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise InvalidNumber(f"{value!r} is not a number") from error
    if not number.is_finite():
        raise InvalidNumber(f"{value!r} is not a finite number")
    if len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
        raise InvalidNumber(f"{value!r} has more than {MAX_SIGNIFICANT_DIGITS} significant digits")
    if abs(number) >= MAX_MAGNITUDE:
        raise InvalidNumber(f"{value!r} is out of range (at most {MAX_MAGNITUDE:,.0f})")
    return number


def money(amount: Decimal) -> Decimal:
    """Round an amount to 6 decimals, half-even: done only where money changes hands."""
    return amount.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)


def is_multiple(value: Decimal, quantum: Decimal) -> bool:
    try:
        return value % quantum == ZERO
    except InvalidOperation:  # too far apart in scale to divide: certainly not on the grid
        return False


def round_to(value: Decimal, quantum: Decimal, *, up: bool) -> Decimal:
    """Round to a multiple of quantum, away from or toward zero."""
    units = (value / quantum).to_integral_value(rounding=ROUND_UP if up else ROUND_DOWN)
    return (units * quantum).quantize(quantum)


def plain(value: Decimal) -> str:
    """The shortest exact text for a Decimal, without exponent: 1E+4 -> '10000'."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
