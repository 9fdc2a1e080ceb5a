"""Request and response types shared by routers: decimals as exact strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from astratrade.shared.money import InvalidNumber, plain, to_decimal


def _parse(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except InvalidNumber as error:
        raise ValueError(str(error)) from error


# Accepts "60123.5" or 60123.5 (parsed as Decimal by DecimalRoute); NaN, Infinity and more
# than 18 significant digits are refused with a 422 naming the field.
DecimalIn = Annotated[
    Decimal,
    BeforeValidator(_parse),
    WithJsonSchema({"type": "string", "format": "decimal", "example": "60123.5"}),
]
DecimalOut = Annotated[
    Decimal,
    PlainSerializer(plain, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "decimal", "example": "60123.5"}),
]
