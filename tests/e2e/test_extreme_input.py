"""Extreme and malformed input over HTTP, as an outside probe sent it: every one is a 4xx in
the error format naming the field, never a 500 or a dead server.

- numbers whose exponent overflows Decimal's context (1e999999999), numbers in other
  notations (1_000, full-width digits) and money with 7 decimal places;
- strings that are not Unicode text: a lone surrogate (the JSON escape \\ud800) or NUL;
- a manual clock moved to the year 9999, and times that do not exist in UTC;
- a ledger cursor past 64 bits."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, Admin, Trader, assert_error

HUGE = ["1e999999999", "1e1000000", "-1e999999999", "1e-999999999"]
NOT_PLAIN = ["1_000", "\uff15", "1.\uff15", " 5"]  # full-width five


def raw(client: httpx.Client, method: str, url: str, body: str) -> httpx.Response:
    """Send `body` as it is: json= would escape what we want the server to parse."""
    return client.request(
        method, url, content=body.encode(), headers={"content-type": "application/json"}
    )


def with_literal(body: dict[str, Any], field: str, literal: str) -> str:
    """The JSON of `body` with `field` set to a raw JSON literal (a number, an escape)."""
    return json.dumps({**body, field: "@@"}).replace('"@@"', literal)


# -- numbers ----------------------------------------------------------------------------


def order(trader: Trader, **fields: Any) -> dict[str, Any]:
    return {
        "account_id": trader.account_id,
        "market": "BTC-USD",
        "side": "buy",
        "type": "market",
        "size": "0.01",
        **fields,
    }


@pytest.mark.parametrize("value", HUGE + NOT_PLAIN)
def test_order_sizes_and_prices_out_of_any_range_or_notation_are_422(
    trader: Trader, value: str
) -> None:
    assert_error(trader.post("/orders", json=order(trader, size=value)), 422, "size")
    limit = order(trader, type="limit", price=value)
    assert_error(trader.post("/orders", json=limit), 422, "price")
    stop = order(trader, side="sell", type="stop_loss", trigger_price=value)
    assert_error(trader.post("/orders", json=stop), 422, "trigger_price")


@pytest.mark.parametrize("literal", ["1e999999999", "1E1000000", "-1e999999999"])
def test_a_huge_raw_json_number_is_422(trader: Trader, literal: str) -> None:
    body = with_literal(order(trader), "size", literal)
    assert_error(raw(trader.client, "POST", "/orders", body), 422, "size")


@pytest.mark.parametrize("value", HUGE + NOT_PLAIN)
def test_leverage_and_loss_limit_out_of_any_range_or_notation_are_422(
    trader: Trader, value: str
) -> None:
    url = f"/accounts/{trader.account_id}"
    leverage = trader.put(f"{url}/leverage", json={"market": "BTC-USD", "leverage": value})
    assert_error(leverage, 422, "leverage")
    limit = trader.put(f"{url}/loss-limit", json={"daily_loss_limit": value})
    assert_error(limit, 422, "daily_loss_limit")


@pytest.mark.parametrize("value", [*HUGE, *NOT_PLAIN, "10.1234567"])
def test_transfer_amounts_out_of_range_notation_or_precision_are_422(
    new_trader: Any, value: str
) -> None:
    trader = new_trader()  # the faucet's rate limit counts per trader
    for path in ("faucet", "withdrawals"):
        response = trader.post(f"/accounts/{trader.account_id}/{path}", json={"amount": value})
        assert_error(response, 422, "amount")


def test_a_loss_limit_takes_money_precision_only(trader: Trader) -> None:
    url = f"/accounts/{trader.account_id}/loss-limit"
    error = assert_error(trader.put(url, json={"daily_loss_limit": "1.1234567"}), 422)
    assert error["field"] == "daily_loss_limit"
    assert "6 decimal places" in error["message"]
    assert trader.account()["daily_loss_limit"] is None
    accepted = trader.put(url, json={"daily_loss_limit": "1.123456"})
    assert accepted.status_code == 200, accepted.text


@pytest.mark.parametrize("value", HUGE + NOT_PLAIN)
def test_admin_prices_and_clock_steps_out_of_range_are_422(admin: Admin, value: str) -> None:
    price = admin.post("/admin/markets/BTC-USD/price", json={"mark": value})
    assert_error(price, 422, "mark")
    clock = admin.post("/admin/clock", json={"advance_seconds": value})
    assert_error(clock, 422, "advance_seconds")


def test_a_ledger_cursor_past_64_bits_is_422(trader: Trader) -> None:
    params = {"account_id": trader.account_id, "before": str(2**64)}
    assert_error(trader.get("/ledger", params=params), 422, "before")


# -- the manual clock -------------------------------------------------------------------


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "3000-01-01T00:00:00Z"]
)
def test_the_clock_moves_at_most_a_year_per_call_by_now_too(admin: Admin, now: str) -> None:
    before = admin.get("/markets/BTC-USD").status_code
    error = assert_error(admin.post("/admin/clock", json={"now": now}), 422, "now")
    assert "now" in error["message"]
    assert admin.get("/markets/BTC-USD").status_code == before == 200  # alive, not killed


def test_now_past_a_year_ahead_is_422_and_a_year_is_accepted(admin: Admin) -> None:
    current = datetime.fromisoformat(admin.clock(advance_seconds=0))
    too_far = (current + timedelta(days=366, seconds=1)).isoformat()
    error = assert_error(admin.post("/admin/clock", json={"now": too_far}), 422, "now")
    assert too_far in error["message"]
    assert datetime.fromisoformat(admin.clock(advance_seconds=0)) == current
    a_year = (current + timedelta(days=366)).isoformat()
    assert datetime.fromisoformat(admin.clock(now=a_year)) == current + timedelta(days=366)


@pytest.mark.parametrize(
    ("field", "literal"),
    [
        ("max_entrants", "1e999999999"),
        ("min_level", "-1E999999999"),
        ("max_entrants", "9" * 5000),
        ("starting_capital", "1" * 5000),
    ],
)
def test_a_raw_number_no_field_can_take_is_422_at_once(
    admin: Admin, field: str, literal: str
) -> None:
    """int(Decimal("1e999999999")) would build a billion digits; 5,000 digits are past what
    Python turns into an int."""
    body = {
        "name": "huge",
        "markets": ["BTC-USD"],
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-01-02T00:00:00Z",
    }
    started = time.monotonic()
    response = raw(admin.client, "POST", "/tournaments", with_literal(body, field, literal))
    assert_error(response, 422, field)
    assert time.monotonic() - started < 2


def test_tournament_times_outside_the_calendar_in_utc_are_422(admin: Admin) -> None:
    body = {
        "name": "far",
        "markets": ["BTC-USD"],
        "starts_at": "0001-01-01T00:00:00+01:00",
        "ends_at": "9999-12-31T23:59:59-01:00",
    }
    assert_error(admin.post("/tournaments", json=body), 422, "starts_at")


# -- strings that are not text ----------------------------------------------------------


SURROGATE = '"\\ud800"'
NUL = '"a\\u0000b"'


@pytest.mark.parametrize("literal", [SURROGATE, '"x\\udfff"', NUL])
@pytest.mark.parametrize("field", ["username", "email", "password"])
def test_login_with_a_string_that_is_not_text_is_422(
    http: httpx.Client, field: str, literal: str
) -> None:
    body = {"username": "someone", "password": "x"} if field != "email" else {"password": "x"}
    response = raw(http, "POST", "/auth/login", with_literal(body, field, literal))
    assert_error(response, 422, field)


@pytest.mark.parametrize("field", ["email", "username", "password"])
def test_register_with_a_lone_surrogate_is_422(http: httpx.Client, field: str) -> None:
    body = {"email": "s@example.com", "username": "surrogate", "password": PASSWORD}
    assert_error(
        raw(http, "POST", "/auth/register", with_literal(body, field, SURROGATE)), 422, field
    )


def test_refresh_logout_and_password_change_with_a_lone_surrogate_are_422(
    http: httpx.Client, trader: Trader
) -> None:
    refresh = raw(http, "POST", "/auth/refresh", with_literal({}, "refresh_token", SURROGATE))
    assert_error(refresh, 422, "refresh_token")
    logout = raw(
        trader.client, "POST", "/auth/logout", with_literal({}, "refresh_token", SURROGATE)
    )
    assert_error(logout, 422, "refresh_token")
    for field in ("current_password", "new_password"):
        body = {"current_password": PASSWORD, "new_password": "another-long-password"}
        change = raw(trader.client, "POST", "/auth/password", with_literal(body, field, SURROGATE))
        assert_error(change, 422, field)
    assert trader.get("/me").status_code == 200  # the session is untouched


def test_order_and_tournament_strings_that_are_not_text_are_422(
    trader: Trader, admin: Admin
) -> None:
    for field in ("client_order_id", "market", "account_id"):
        body = with_literal(order(trader), field, SURROGATE)
        assert_error(raw(trader.client, "POST", "/orders", body), 422, field)
    tournament = {
        "name": "x",
        "markets": ["BTC-USD"],
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-01-02T00:00:00Z",
    }
    body = with_literal(tournament, "name", SURROGATE)
    assert_error(raw(admin.client, "POST", "/tournaments", body), 422, "name")
    markets = json.dumps(tournament).replace('["BTC-USD"]', f'["BTC-USD", {SURROGATE}]')
    assert_error(raw(admin.client, "POST", "/tournaments", markets), 422, "markets.1")


def test_nul_in_a_path_or_query_parameter_is_422(trader: Trader) -> None:
    assert_error(trader.get("/orders/a%00b"), 422, "order_id")
    assert_error(trader.get("/orders", params={"account_id": "a\x00b"}), 422, "account_id")


@pytest.mark.parametrize("depth", [500, 30_000])
def test_a_lone_surrogate_nested_deep_is_a_4xx(http: httpx.Client, depth: int) -> None:
    """As deep as the JSON parser goes (past it, the body is malformed: 400)."""
    nested = "[" * depth + SURROGATE + "]" * depth
    body = with_literal({"password": "x"}, "username", nested)
    response = raw(http, "POST", "/auth/login", body)
    assert response.status_code in (400, 422), response.text
    error = assert_error(response, response.status_code)
    if response.status_code == 422:
        assert error["field"].startswith("username.0.0")


def test_a_valid_surrogate_pair_is_text(http: httpx.Client) -> None:
    body = with_literal({"password": "x"}, "username", '"\\ud83d\\ude00"')  # an emoji
    assert_error(raw(http, "POST", "/auth/login", body), 401)
