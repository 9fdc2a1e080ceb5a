"""Request and response types shared by routers: decimals as exact strings, times in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer, WithJsonSchema

from astratrade.shared.money import MONEY_PLACES, InvalidNumber, decimal_places, plain, to_decimal


def _parse(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except InvalidNumber as error:
        raise ValueError(str(error)) from error


def _money(value: Decimal) -> Decimal:
    if decimal_places(value) > MONEY_PLACES:
        raise ValueError(f"{plain(value)} has more than {MONEY_PLACES} decimal places")
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as error:  # 9999-12-31T23:00:00-05:00 is past year 9999 in UTC
        raise ValueError(f"{value.isoformat()} is out of range in UTC") from error


_DECIMAL_SCHEMA = WithJsonSchema({"type": "string", "format": "decimal", "example": "60123.5"})

# Accepts "60123.5" or 60123.5 (parsed as Decimal by DecimalRoute) in plain decimal notation
# (ASCII digits, optional sign, point and exponent); NaN, Infinity, more than 18 significant
# digits or decimal places, and magnitudes from 10^15 are refused with a 422 naming the field.
DecimalIn = Annotated[Decimal, BeforeValidator(_parse), _DECIMAL_SCHEMA]
# An amount of money: the same, and at most 6 decimal places (what the ledger holds).
MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_parse),
    AfterValidator(_money),
    WithJsonSchema({"type": "string", "format": "decimal", "example": "250.5"}),
]
DecimalOut = Annotated[
    Decimal,
    PlainSerializer(plain, return_type=str, when_used="json"),
    _DECIMAL_SCHEMA,
]
# A moment with its timezone, converted to UTC; one that falls outside the calendar in UTC
# is a 422, not an OverflowError when it is stored.
MomentIn = Annotated[AwareDatetime, AfterValidator(_in_utc)]

# A page's cursor as every paged route takes it (infrastructure/paging.py reads it).
Cursor = Annotated[str | None, Query(max_length=256, description="next_cursor of the page before")]
