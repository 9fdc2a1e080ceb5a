"""What a request may carry: numbers in plain decimal notation within the platform's range,
money with at most 6 decimal places, times that exist in UTC, and text that is Unicode
(no lone surrogate, no NUL). Each is refused with a message, never an exception from deep
inside (decimal.Overflow, UnicodeEncodeError, OverflowError)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from astratrade.infrastructure.web.schemas import DecimalIn, MomentIn, MoneyIn
from astratrade.shared.money import (
    InvalidNumber,
    OutOfRangeLiteral,
    decimal_places,
    json_integer,
    json_number,
    to_decimal,
)
from astratrade.shared.text import text_problem, text_problems

D = Decimal


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("1e999999999", id="exponent-past-the-context"),
        pytest.param("1e1000000", id="exponent-just-past-emax"),
        pytest.param(D("1e999999999"), id="raw-json-number"),
        pytest.param("-1e999999999", id="negative-huge"),
        pytest.param("1e-999999999", id="exponent-below-emin"),
        pytest.param("1e400", id="huge"),
        pytest.param(10**5000, id="integer-past-python-str-limit"),
        pytest.param("1" * 5000, id="5000-digits"),
        pytest.param("0." + "0" * 5000 + "1", id="5000-decimal-places"),
    ],
)
def test_extreme_numbers_are_refused_without_arithmetic(value: Any) -> None:
    with pytest.raises(InvalidNumber, match=r"out of range|decimal places"):
        to_decimal(value)


@pytest.mark.parametrize(
    "value",
    [
        "1_000",
        "1_0.5",
        "\uff15",
        "\u0663",
        "1.\uff15",
        " 5",
        "5 ",
        "5\n",
        "0x10",
        "1e",
        "e5",
        ".",
        "+-1",
        "1,5",
        "NaN",
        "-nan",
        "sNaN",
        "Infinity",
        "inf",
        "",
        "\u00bd",
    ],
)
def test_only_plain_ascii_notation_is_a_number(value: str) -> None:
    with pytest.raises(InvalidNumber, match="plain decimal notation"):
        to_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60123.5", D("60123.5")),
        ("-0.5", D("-0.5")),
        ("+3", D(3)),
        (".5", D("0.5")),
        ("1.", D(1)),
        ("1E-4", D("0.0001")),
        ("1e+3", D(1000)),
        ("0.00010", D("0.0001")),
        ("999999999999999", D("999999999999999")),
        ("1e-18", D("1e-18")),
        (7, D(7)),
        (D("2.5"), D("2.5")),
        ("0e999999999", D(0)),
        ("-0", D(0)),
    ],
)
def test_plain_numbers_are_parsed_exactly(value: Any, expected: Decimal) -> None:
    assert to_decimal(value) == expected


def test_zero_with_any_exponent_is_plain_zero() -> None:
    assert to_decimal("0e999999999").as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("value", "places"),
    [("1.1234567", 7), ("1.50", 1), ("100", 0), ("1E+5", 0), ("0", 0), ("1e-18", 18)],
)
def test_decimal_places_are_read_from_the_digits(value: str, places: int) -> None:
    assert decimal_places(D(value)) == places


def test_json_numbers_no_field_can_take_stay_text_and_are_refused() -> None:
    for literal in ("1e999999999", "-1E1000001", "1e-999999999", "1." + "0" * 1000):
        parsed = json_number(literal)
        assert isinstance(parsed, OutOfRangeLiteral)
        with pytest.raises(InvalidNumber, match="out of range"):
            to_decimal(parsed)
    assert json_number("0e999999999") == 0
    assert json_number("60123.5") == D("60123.5")
    assert json_integer("9" * 1000) == int("9" * 1000)
    assert isinstance(json_integer("9" * 1001), OutOfRangeLiteral)


class Body(BaseModel):
    amount: MoneyIn | None = None
    size: DecimalIn | None = None
    at: MomentIn | None = None


def refusal(**fields: Any) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate(fields)
    (error,) = caught.value.errors()
    return str(error["loc"][0]), str(error["msg"])


def test_money_takes_six_decimal_places_and_no_more() -> None:
    assert Body(amount="250.123456").amount == D("250.123456")  # type: ignore[arg-type]
    assert Body(amount="250.1234560").amount == D("250.123456")  # type: ignore[arg-type]
    field, message = refusal(amount="250.1234567")
    assert field == "amount"
    assert "more than 6 decimal places" in message


def test_a_decimal_field_refuses_an_overflowing_exponent_naming_itself() -> None:
    assert refusal(size="1e999999999")[0] == "size"


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_moment_outside_the_calendar_in_utc_is_refused(text: str) -> None:
    field, message = refusal(at=text)
    assert field == "at"
    assert "out of range in UTC" in message


def test_a_moment_is_kept_in_utc_and_needs_a_timezone() -> None:
    assert Body(at="2026-03-03T12:00:00+02:00").at == datetime(2026, 3, 3, 10, tzinfo=UTC)  # type: ignore[arg-type]
    assert refusal(at="2026-03-03T12:00:00")[0] == "at"


@pytest.mark.parametrize(
    ("text", "why"),
    [("\ud800", "U+D800"), ("a\udfffb", "U+DFFF"), ("x\x00", "NUL")],
)
def test_lone_surrogates_and_nul_are_not_text(text: str, why: str) -> None:
    problem = text_problem(text)
    assert problem is not None
    assert why in problem


def test_real_text_of_any_script_passes() -> None:
    for text in ("ada", "名前", "😀", "\U0010ffff", "tab\tand\nnewline", ""):
        assert text_problem(text) is None


def test_every_bad_string_of_a_body_is_found_with_its_path() -> None:
    body = {"a": ["ok", {"b": "\ud800"}], "\x00": 1, "c": "\udc00", "n": 5}
    found = dict(text_problems(body))
    assert set(found) == {("a", 1, "b"), ("'\\x00'",), ("c",)}
