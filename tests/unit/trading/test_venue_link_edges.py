"""The keys a trader submits to connect to Extended, at their edges: the smallest and largest
Stark keys the curve allows are taken and the curve's order itself refused; API keys of 8 and
128 characters are taken, one shorter or longer refused; every refusal says why, word for
word, naming the field."""

from __future__ import annotations

import pytest

from astratrade.shared.errors import ValidationFailed
from astratrade.trading.domain.venue_link import STARK_CURVE_ORDER, api_key, stark_key

NOT_HEX = "must be a 0x-prefixed hexadecimal Stark key"
OFF_CURVE = "is not a Stark key: out of the curve's range"
BAD_API_KEY = "must be 8 to 128 letters, digits, '-' or '_'"


def refusal(text: str, field_name: str = "stark_public_key") -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        stark_key(text, field_name)
    return refused.value


@pytest.mark.parametrize("value", [1, 2, 0xABC, STARK_CURVE_ORDER - 2, STARK_CURVE_ORDER - 1])
def test_every_key_from_one_to_just_below_the_curves_order_is_taken(value: int) -> None:
    assert stark_key(hex(value), "stark_private_key") == value
    assert stark_key(hex(value).upper().replace("0X", "0x"), "stark_private_key") == value


@pytest.mark.parametrize("value", [0, STARK_CURVE_ORDER, STARK_CURVE_ORDER + 1, 16**64 - 1])
def test_zero_and_the_curves_order_and_beyond_are_refused_saying_why(value: int) -> None:
    refused = refusal(hex(value), "stark_private_key")
    assert (refused.field, refused.message) == ("stark_private_key", OFF_CURVE)


@pytest.mark.parametrize("text", ["", "0x", "123", "0xg1", "0x" + "1" * 65, " 0x1", "0X1"])
def test_text_that_is_not_prefixed_hex_is_refused_saying_why(text: str) -> None:
    refused = refusal(text)
    assert (refused.field, refused.message) == ("stark_public_key", NOT_HEX)


@pytest.mark.parametrize("text", ["a" * 8, "A-b_9" * 25 + "xyz", "Z" * 128, "0123456789"])
def test_api_keys_of_8_to_128_allowed_characters_are_taken(text: str) -> None:
    assert api_key(text) == text


@pytest.mark.parametrize(
    "text", ["", "a" * 7, "a" * 129, "with spaces", "key.with.dots", "ключ-ключ"]
)
def test_other_api_keys_are_refused_saying_why(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        api_key(text)
    assert (refused.value.field, refused.value.message) == ("api_key", BAD_API_KEY)
