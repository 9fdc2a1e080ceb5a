"""Decimal helpers. Every amount, price, size and rate in AstraTrade is a Decimal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
MONEY_PLACES = 6
MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_PLACES)  # 0.000001
MAX_SIGNIFICANT_DIGITS = 18
# No amount, price or size on the platform comes near this; beyond it Decimal's modulo
# (tick and step checks) stops being defined.
MAX_MAGNITUDE_DIGITS = 15
MAX_MAGNITUDE = Decimal(10) ** MAX_MAGNITUDE_DIGITS
# Nothing is finer than a money unit or a tick (1e-6, 1e-5); 18 places leave room and keep
# every product of two inputs far inside Decimal's exponent range.
MAX_DECIMAL_PLACES = 18
# Plain decimal notation in ASCII: optional sign, digits with an optional point, an optional
# exponent. No spaces, no '_' separators, no other scripts' digits (Decimal takes all three).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class InvalidNumber(ValueError):
    """A value that cannot be used as an amount (NaN, infinite, too precise, not a number)."""


# A JSON number past this exponent (or an integer literal past this many digits) is no
# value of any field; kept as a Decimal it would be turned into an int by an integer field,
# and int(Decimal("1e999999999")) builds a billion digits.
MAX_LITERAL_DIGITS = 1000


@dataclass(frozen=True, slots=True)
class OutOfRangeLiteral:
    """A JSON number literal no field can take, kept as its text: every field type refuses
    it (a Decimal field saying why, naming the field), and nothing converts it."""

    literal: str

    def __repr__(self) -> str:
        return _shown(self.literal)


def json_number(literal: str) -> Decimal | OutOfRangeLiteral:
    """`parse_float` of request bodies: a JSON number with a fraction or exponent, exactly."""
    number = Decimal(literal)
    if not number:
        return ZERO  # 0e999999999 is zero, whatever its exponent
    if abs(number.adjusted()) > MAX_LITERAL_DIGITS or len(literal) > MAX_LITERAL_DIGITS:
        return OutOfRangeLiteral(literal)
    return number


def json_integer(literal: str) -> int | OutOfRangeLiteral:
    """`parse_int` of request bodies: Python refuses int() past 4,300 digits with an error
    that names no field."""
    return int(literal) if len(literal) <= MAX_LITERAL_DIGITS else OutOfRangeLiteral(literal)


def to_decimal(value: object) -> Decimal:
    """Parse a request value (plain-notation str, int, Decimal) into a finite Decimal of at
    most 18 significant digits and 18 decimal places, below 10^15 in magnitude.

    Every check reads the number's digits and exponent as written, never through Decimal's
    context: `1e999999999` is a valid Decimal that overflows the context's range (Emax
    999999) in any arithmetic, normalize() included."""
    if isinstance(value, bool):
        raise InvalidNumber(f"expected a number, got {value!r}")
    if isinstance(value, OutOfRangeLiteral):
        raise InvalidNumber(f"{value!r} is out of range (at most {MAX_MAGNITUDE:,.0f})")
    if isinstance(value, float):
        # JSON bodies are parsed with parse_float=Decimal; a float here is a programming error
        # unless it is a NaN/Infinity constant, which we reject either way.
        value = repr(value)
    if isinstance(value, str) and not PLAIN_NUMBER.fullmatch(value):
        raise InvalidNumber(f"{_shown(value)} is not a number in plain decimal notation")
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, ValueError, TypeError) as error:
        raise InvalidNumber(f"{_shown(value)} is not a number") from error
    if not number.is_finite():
        raise InvalidNumber(f"{_shown(value)} is not a finite number")
    coefficient = "".join(map(str, number.as_tuple().digits))
    significant = coefficient.strip("0")
    if not significant:
        return ZERO  # 0e999999999 is zero, whatever its exponent
    if number.adjusted() >= MAX_MAGNITUDE_DIGITS:
        raise InvalidNumber(f"{_shown(value)} is out of range (at most {MAX_MAGNITUDE:,.0f})")
    if decimal_places(number) > MAX_DECIMAL_PLACES:
        raise InvalidNumber(f"{_shown(value)} has more than {MAX_DECIMAL_PLACES} decimal places")
    if len(significant) > MAX_SIGNIFICANT_DIGITS:
        raise InvalidNumber(
            f"{_shown(value)} has more than {MAX_SIGNIFICANT_DIGITS} significant digits"
        )
    return number


def _shown(value: object, limit: int = 40) -> str:
    """The offending value for a message, cut short: a request may send kilobytes."""
    try:
        text = str(value) if isinstance(value, Decimal) else repr(value)
    except ValueError:  # an int past Python's 4300-digit conversion limit
        return "an integer of more than 4300 digits"
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-4:]}"


def decimal_places(value: Decimal) -> int:
    """How many digits after the point a finite value needs: 1.50 -> 1, 100 -> 0; read from
    its digits, so it holds for any exponent."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise InvalidNumber(f"{value} is not a finite number")
    coefficient = "".join(map(str, digits))
    kept = coefficient.rstrip("0")
    if not kept:
        return 0
    return max(0, -(exponent + len(coefficient) - len(kept)))


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
    return plain_text(str(value))


def plain_text(text: str) -> str:
    """`plain` of a Decimal given as its text (`str(Decimal)`, or a column SQLite keeps as
    text, which is one): a chart's 1,000 bars write 5,000 amounts, read without making
    Decimals."""
    if "E" not in text:  # the common case, a few times faster than normalizing
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    text = format(Decimal(text).normalize(), "f")
    return "0" if text in ("-0", "") else text


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
