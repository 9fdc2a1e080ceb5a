"""Bad input over HTTP against a real server: each is answered with the spec's error format
and the right status, and leaves every account exactly as it was.

The module's `owner` holds a BTC position, a resting limit order and a stop-loss, so
"nothing changed" is checked against a non-trivial state.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import jwt
import pytest

from .conftest import (
    JWT_SECRET,
    Admin,
    Server,
    Trader,
    assert_error,
    create_trader,
    make_client,
)

BTC = "BTC-USD"


@pytest.fixture(scope="module")
def owner_setup(server: Server) -> Iterator[dict[str, Any]]:
    trader = create_trader(server, "owner")
    trader.market("buy", "0.1")
    resting = trader.order_ok(
        side="buy", type="limit", size="0.1", price="50000", client_order_id="owner-rest"
    )
    stop = trader.order_ok(side="sell", type="stop_loss", size="0.1", trigger_price="55000")
    yield {"trader": trader, "resting": resting, "stop": stop}
    trader.close()


@pytest.fixture
def owner(owner_setup: dict[str, Any]) -> Trader:
    """The module's owner, logged in afresh (a test may move the manual clock)."""
    trader: Trader = owner_setup["trader"]
    trader.login()
    return trader


@pytest.fixture
def owner_order(owner_setup: dict[str, Any]) -> dict[str, Any]:
    order: dict[str, Any] = owner_setup["resting"]
    return order


@pytest.fixture(scope="module")
def intruder_setup(server: Server) -> Iterator[Trader]:
    trader = create_trader(server, "intruder")
    yield trader
    trader.close()


@pytest.fixture
def intruder(intruder_setup: Trader) -> Trader:
    intruder_setup.login()
    return intruder_setup


@contextmanager
def unchanged(*traders: Trader) -> Iterator[None]:
    """Account, positions and orders (with their fills) identical before and after."""
    before = [trader.snapshot() for trader in traders]
    yield
    after = [trader.snapshot() for trader in traders]
    assert after == before


def order_body(trader: Trader, **fields: Any) -> dict[str, Any]:
    body = {
        "account_id": trader.account_id,
        "market": BTC,
        "side": "buy",
        "type": "market",
        "size": "0.01",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not MISSING}


MISSING = object()


def post_raw(trader: Trader, content: bytes) -> httpx.Response:
    return trader.post("/orders", content=content, headers={"content-type": "application/json"})


# -- sizes ------------------------------------------------------------------------------

BAD_SIZES = [
    pytest.param("-1", id="negative"),
    pytest.param(-0.5, id="negative-number"),
    pytest.param("0", id="zero"),
    pytest.param(0, id="zero-number"),
    pytest.param("0.00000", id="zero-with-decimals"),
    pytest.param("NaN", id="nan"),
    pytest.param("-nan", id="negative-nan"),
    pytest.param("sNaN", id="signalling-nan"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("-Infinity", id="minus-infinity"),
    pytest.param("inf", id="inf"),
    pytest.param("1234567890.123456789", id="19-significant-digits"),
    pytest.param("0.1000000000000000001", id="19-significant-digits-small"),
    pytest.param("99999999999999999999", id="20-digit-integer"),
    pytest.param("100", id="over-max-market-order-value"),
    pytest.param("1000000000", id="huge-over-max-order-value"),
    pytest.param("1e22", id="huge-exponent-1e22"),
    pytest.param("1e30", id="huge-exponent-1e30"),
    pytest.param("1E+23", id="huge-exponent-1e23"),
    pytest.param("0.000015", id="off-step"),
    pytest.param("0.123456", id="off-step-2"),
    pytest.param("0.00005", id="below-min-size"),
    pytest.param("1e-30", id="tiny-exponent"),
    pytest.param("abc", id="not-a-number"),
    pytest.param("", id="empty-string"),
    pytest.param("0x10", id="hex"),
    pytest.param(True, id="boolean"),
    pytest.param(None, id="null"),
    pytest.param([], id="list"),
    pytest.param({"value": "1"}, id="object"),
]


@pytest.mark.parametrize("size", BAD_SIZES)
def test_bad_size_is_refused_naming_the_field(owner: Trader, size: Any):
    with unchanged(owner):
        response = owner.post("/orders", json=order_body(owner, size=size))
        assert_error(response, 422, "size")


@pytest.mark.parametrize(
    "literal",
    [
        pytest.param(b"NaN", id="nan"),
        pytest.param(b"Infinity", id="infinity"),
        pytest.param(b"-Infinity", id="minus-infinity"),
        pytest.param(b"0.10000000000000000001", id="21-significant-digits"),
        pytest.param(b"-0.5", id="negative"),
        pytest.param(b"1e400", id="huge-exponent"),
    ],
)
def test_bad_size_as_a_raw_json_number_is_refused(owner: Trader, literal: bytes):
    body = json.dumps(order_body(owner, size="SIZE")).encode().replace(b'"SIZE"', literal)
    with unchanged(owner):
        assert_error(post_raw(owner, body), 422, "size")


def test_limit_order_over_the_max_limit_order_value(owner: Trader):
    # 90 BTC at 60000 = $5.4M > $5M.
    with unchanged(owner):
        response = owner.place(side="buy", type="limit", size="90", price="60000")
        assert_error(response, 422, "size")


def test_good_sizes_as_strings_or_numbers_are_accepted(new_trader):
    # The control for the cases above: the same route takes valid sizes in every form.
    trader = new_trader()
    for size in ("0.0001", 0.0001, "1E-4", "0.00010"):
        response = trader.place(side="buy", type="market", size=size)
        assert response.status_code == 201, (size, response.text)
        assert response.json()["size"] == "0.0001"


# -- markets, leverage, prices ----------------------------------------------------------


@pytest.mark.parametrize("market", ["DOGE-USD", "btc-usd", "BTC-USDC", "BTC-USD "])
def test_unknown_market_is_refused_naming_it(owner: Trader, market: str):
    with unchanged(owner):
        error = assert_error(owner.post("/orders", json=order_body(owner, market=market)), 422)
        assert error.get("field") == "market", error
        assert market.strip() in error["message"], error


def test_unknown_market_on_leverage_is_refused(owner: Trader):
    with unchanged(owner):
        response = owner.put(
            f"/accounts/{owner.account_id}/leverage", json={"market": "DOGE-USD", "leverage": 2}
        )
        error = assert_error(response, 422, "market")
        assert "DOGE-USD" in error["message"]


@pytest.mark.parametrize(
    "leverage", [25, "25", 11, "10.5", "2.5", 0, -1, "NaN", "Infinity", "abc", None, "1e30"]
)
def test_bad_leverage_is_refused(owner: Trader, leverage: Any):
    with unchanged(owner):
        response = owner.put(
            f"/accounts/{owner.account_id}/leverage", json={"market": BTC, "leverage": leverage}
        )
        assert_error(response, 422, "leverage")
    assert owner.account()["leverage"][BTC] == "5"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"type": "limit", "price": "60000.05"}, "price", id="price-off-tick"),
        pytest.param({"type": "limit", "price": "59999.99"}, "price", id="price-off-tick-2"),
        pytest.param({"type": "limit", "price": "0"}, "price", id="price-zero"),
        pytest.param({"type": "limit", "price": "-60000"}, "price", id="price-negative"),
        pytest.param({"type": "limit", "price": "NaN"}, "price", id="price-nan"),
        pytest.param({"type": "limit", "price": "Infinity"}, "price", id="price-infinity"),
        pytest.param({"type": "limit"}, "price", id="limit-without-price"),
        pytest.param({"type": "market", "price": "60000"}, "price", id="price-on-market"),
        pytest.param({"type": "limit", "price": "1e30"}, "price", id="price-huge"),
        pytest.param(
            {"side": "sell", "type": "stop_loss", "size": "0.1", "trigger_price": "55000.05"},
            "trigger_price",
            id="trigger-off-tick",
        ),
        pytest.param(
            {"side": "sell", "type": "stop_loss", "size": "0.1"},
            "trigger_price",
            id="stop-without-trigger",
        ),
        pytest.param(
            {"side": "sell", "type": "stop_loss", "size": "0.1", "trigger_price": "-1"},
            "trigger_price",
            id="trigger-negative",
        ),
        pytest.param(
            {"side": "sell", "type": "stop_loss", "size": "0.1", "trigger_price": "1e30"},
            "trigger_price",
            id="trigger-huge",
        ),
    ],
)
def test_bad_prices_are_refused_naming_the_field(owner: Trader, fields: dict[str, Any], field):
    with unchanged(owner):
        assert_error(owner.post("/orders", json=order_body(owner, **fields)), 422, field)


# -- missing fields and wrong types -----------------------------------------------------


@pytest.mark.parametrize("missing", ["account_id", "market", "side", "type", "size"])
def test_missing_field_is_named(owner: Trader, missing: str):
    with unchanged(owner):
        response = owner.post("/orders", json=order_body(owner, **{missing: MISSING}))
        assert_error(response, 422, missing)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("side", "hold"),
        ("side", "BUY "),
        ("type", "fok"),
        ("type", 1),
        ("reduce_only", "maybe"),
        ("time_in_force", "fok"),
        ("client_order_id", ""),
        ("client_order_id", "x" * 65),
        ("client_order_id", 12),
        ("account_id", 123),
        ("account_id", ""),
        ("market", 5),
        ("market", ""),
        ("bogus_extra_field", "1"),
    ],
)
def test_wrong_type_is_named(owner: Trader, field: str, value: Any):
    with unchanged(owner):
        response = owner.post("/orders", json=order_body(owner, **{field: value}))
        assert_error(response, 422, field)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"{not json", id="malformed"),
        pytest.param(b"", id="empty"),
        pytest.param(b"[]", id="list"),
        pytest.param(b'"order"', id="string"),
        pytest.param(b"null", id="null"),
    ],
)
def test_body_that_is_not_an_order_is_refused(owner: Trader, content: bytes):
    with unchanged(owner):
        response = post_raw(owner, content)
        assert response.status_code in (400, 422), response.text
        assert_error(response, response.status_code)


def test_orders_the_account_cannot_take_are_rejected(owner: Trader):
    with unchanged(owner):
        # 2 BTC at 5x needs $24k of margin; the account has about $10k.
        assert_error(owner.place(side="buy", type="market", size="2"), 400)
        # reduce_only that would add to the long.
        assert_error(owner.place(side="buy", type="market", size="0.1", reduce_only=True), 400)
        # reduce_only in a market with no position.
        response = owner.post(
            "/orders",
            json=order_body(owner, market="ETH-USD", side="sell", size="1", reduce_only=True),
        )
        assert_error(response, 400)


def test_bad_query_parameters(owner: Trader):
    with unchanged(owner):
        assert_error(owner.get("/orders", params={"status": "bogus"}), 422, "status")
        assert_error(owner.get("/orders", params={"limit": 0}), 422, "limit")
        assert_error(owner.get("/orders", params={"limit": "many"}), 422, "limit")
        assert_error(owner.get("/positions"), 422, "account_id")


# -- other users' resources -------------------------------------------------------------


def assert_not_found_like_a_missing_one(
    response: httpx.Response, missing: httpx.Response, real_id: str, fake_id: str, owner: Trader
) -> None:
    """404 in the error format, telling nothing a missing id would not."""
    error = assert_error(response, 404)
    other = assert_error(missing, 404)
    assert error["code"] == other["code"]
    assert error["message"].replace(real_id, "ID") == other["message"].replace(fake_id, "ID")
    text = response.text.replace(real_id, "ID")
    for secret in (owner.user_id, owner.username, "collateral", "entry_price", "60000", "50000"):
        assert secret not in text, text


def test_another_users_account_is_not_found(owner: Trader, intruder: Trader):
    fake = str(uuid.uuid4())
    with unchanged(owner, intruder):
        assert_not_found_like_a_missing_one(
            intruder.get(f"/accounts/{owner.account_id}"),
            intruder.get(f"/accounts/{fake}"),
            owner.account_id,
            fake,
            owner,
        )
        assert_not_found_like_a_missing_one(
            intruder.get("/positions", params={"account_id": owner.account_id}),
            intruder.get("/positions", params={"account_id": fake}),
            owner.account_id,
            fake,
            owner,
        )
        assert_not_found_like_a_missing_one(
            intruder.get("/orders", params={"account_id": owner.account_id}),
            intruder.get("/orders", params={"account_id": fake}),
            owner.account_id,
            fake,
            owner,
        )
        assert_not_found_like_a_missing_one(
            intruder.put(
                f"/accounts/{owner.account_id}/leverage", json={"market": BTC, "leverage": 2}
            ),
            intruder.put(f"/accounts/{fake}/leverage", json={"market": BTC, "leverage": 2}),
            owner.account_id,
            fake,
            owner,
        )
    assert [a["account_id"] for a in intruder.get("/accounts").json()] == [intruder.account_id]


def test_orders_on_another_users_account_are_not_found(owner: Trader, intruder: Trader):
    fake = str(uuid.uuid4())
    with unchanged(owner, intruder):
        for fields in (
            {"side": "sell", "type": "market", "size": "0.1"},  # would close their position
            {"side": "buy", "type": "limit", "size": "0.1", "price": "40000"},
            {
                "side": "buy",
                "type": "limit",
                "size": "0.1",
                "price": "50000",
                "client_order_id": "owner-rest",
            },  # their client id: must not echo their order
        ):
            theirs = intruder.post("/orders", json=order_body(owner, **fields))
            missing = intruder.post(
                "/orders", json={**order_body(owner, **fields), "account_id": fake}
            )
            assert_not_found_like_a_missing_one(theirs, missing, owner.account_id, fake, owner)
        closing = intruder.post(f"/positions/{BTC}/close", json={"account_id": owner.account_id})
        assert_not_found_like_a_missing_one(
            closing,
            intruder.post(f"/positions/{BTC}/close", json={"account_id": fake}),
            owner.account_id,
            fake,
            owner,
        )


def test_another_users_order_is_not_found(
    owner: Trader, intruder: Trader, owner_order: dict[str, Any]
):
    order_id = owner_order["order_id"]
    fake = str(uuid.uuid4())
    with unchanged(owner, intruder):
        assert_not_found_like_a_missing_one(
            intruder.get(f"/orders/{order_id}"),
            intruder.get(f"/orders/{fake}"),
            order_id,
            fake,
            owner,
        )
        assert order_id not in intruder.get("/orders").text
        # Cancelling it is refused too (whatever the message says, see the next test).
        assert_error(intruder.delete(f"/orders/{order_id}"), 404)
    assert owner.order(order_id)["status"] == "open"


def test_cancelling_another_users_order_tells_nothing(
    owner: Trader, intruder: Trader, owner_order: dict[str, Any]
):
    order_id = owner_order["order_id"]
    fake = str(uuid.uuid4())
    with unchanged(owner, intruder):
        theirs = intruder.delete(f"/orders/{order_id}")
        assert owner.account_id not in theirs.text, theirs.text
        assert_not_found_like_a_missing_one(
            theirs, intruder.delete(f"/orders/{fake}"), order_id, fake, owner
        )
    assert owner.order(order_id)["status"] == "open"


# -- authentication and authorization --------------------------------------------------


def claims_for(user_id: str, role: str = "trader", kind: str = "access") -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": user_id,
        "role": role,
        "typ": kind,
        "jti": str(uuid.uuid4()),
        "iss": "astratrade",
        "iat": now,
        "exp": now + 30 * 24 * 3600,  # far ahead of the manual clock, whatever tests did
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_missing_or_malformed_token_is_401(http: httpx.Client, owner: Trader):
    with unchanged(owner):
        for headers in (
            {},
            {"Authorization": ""},
            {"Authorization": "Bearer"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Bearer a.b.c"},
        ):
            assert_error(http.get("/me", headers=headers), 401)
            assert_error(http.get(f"/accounts/{owner.account_id}", headers=headers), 401)
            assert_error(http.post("/orders", json=order_body(owner), headers=headers), 401)


def test_forged_tokens_are_401(http: httpx.Client, owner: Trader, admin: Admin):
    # Control: the same claims signed with the server's secret are accepted...
    genuine = jwt.encode(claims_for(owner.user_id), JWT_SECRET, algorithm="HS256")
    assert http.get("/me", headers=bearer(genuine)).status_code == 200

    forged = [
        jwt.encode(claims_for(owner.user_id), "another-secret-" * 4, algorithm="HS256"),
        jwt.encode(claims_for(owner.user_id, "admin"), "another-secret-" * 4, algorithm="HS256"),
        jwt.encode(claims_for(owner.user_id, "admin"), JWT_SECRET, algorithm="HS384"),
        jwt.encode(claims_for(owner.user_id), None, algorithm="none"),
    ]
    # ...and a real token whose payload is edited (role, then subject) keeps its old signature.
    header, payload, signature = owner.access_token.split(".")
    claims = json.loads(unb64(payload))
    for change in ({"role": "admin"}, {"sub": admin.user_id}, {"exp": claims["exp"] + 3600}):
        edited = b64(json.dumps({**claims, **change}).encode())
        forged.append(f"{header}.{edited}.{signature}")
    forged.append(f"{header}.{payload}.{b64(b'not the signature')}")
    forged.append(f"{header}.{payload}.")

    with unchanged(owner):
        for token in forged:
            assert_error(http.get("/me", headers=bearer(token)), 401)
            assert_error(http.get(f"/accounts/{owner.account_id}", headers=bearer(token)), 401)
            assert_error(http.post("/orders", json=order_body(owner), headers=bearer(token)), 401)
            response = http.post(
                f"/admin/markets/{BTC}/price", json={"mark": "1"}, headers=bearer(token)
            )
            assert_error(response, 401)
    assert http.get(f"/markets/{BTC}").json()["mark_price"] == "60000"


def test_token_kinds_are_not_interchangeable(http: httpx.Client, owner: Trader):
    assert_error(http.get("/me", headers=bearer(owner.refresh_token)), 401)
    assert_error(http.post("/auth/refresh", json={"refresh_token": owner.access_token}), 401)
    forged_refresh = jwt.encode(
        claims_for(owner.user_id, kind="refresh"), "another-secret-" * 4, algorithm="HS256"
    )
    assert_error(http.post("/auth/refresh", json={"refresh_token": forged_refresh}), 401)
    unknown_refresh = jwt.encode(claims_for(owner.user_id, kind="refresh"), JWT_SECRET)
    assert_error(http.post("/auth/refresh", json={"refresh_token": unknown_refresh}), 401)


def test_refresh_token_works_once(http: httpx.Client, new_trader):
    trader = new_trader()
    old = trader.refresh_token
    first = http.post("/auth/refresh", json={"refresh_token": old})
    assert first.status_code == 200, first.text
    pair = first.json()
    assert http.get("/me", headers=bearer(pair["access_token"])).status_code == 200

    # A second use means the token leaked: the whole family is revoked, the new one too.
    assert_error(http.post("/auth/refresh", json={"refresh_token": old}), 401)
    assert_error(http.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401)
    trader.login()  # a new login is a new family
    again = http.post("/auth/refresh", json={"refresh_token": trader.refresh_token})
    assert again.status_code == 200, again.text
    rotated = again.json()["refresh_token"]
    assert http.post("/auth/refresh", json={"refresh_token": rotated}).status_code == 200


def test_non_admin_on_admin_routes_is_403(owner: Trader, http: httpx.Client):
    before = http.get(f"/markets/{BTC}").json()
    with unchanged(owner):
        response = owner.post(f"/admin/markets/{BTC}/price", json={"mark": "1000"})
        assert_error(response, 403)
        assert_error(owner.post("/admin/clock", json={"advance_seconds": 3600}), 403)
        assert_error(http.post(f"/admin/markets/{BTC}/price", json={"mark": "1000"}), 401)
        assert_error(http.post("/admin/clock", json={"advance_seconds": 3600}), 401)
    assert http.get(f"/markets/{BTC}").json() == before


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        (f"/admin/markets/{BTC}/price", {"mark": "60000.05"}, 422, "mark"),
        (f"/admin/markets/{BTC}/price", {"mark": "60000", "index": "1.01"}, 422, "index"),
        (f"/admin/markets/{BTC}/price", {"mark": "-1"}, 422, "mark"),
        (f"/admin/markets/{BTC}/price", {"mark": "0"}, 422, "mark"),
        (f"/admin/markets/{BTC}/price", {"mark": "NaN"}, 422, "mark"),
        (f"/admin/markets/{BTC}/price", {}, 422, "mark"),
        ("/admin/markets/DOGE-USD/price", {"mark": "1"}, 404, None),
        pytest.param(f"/admin/markets/{BTC}/price", {"mark": "1e30"}, 422, "mark"),
        ("/admin/clock", {}, 422, None),
        ("/admin/clock", {"advance_seconds": -5}, 422, "advance_seconds"),
        ("/admin/clock", {"advance_seconds": "NaN"}, 422, "advance_seconds"),
        ("/admin/clock", {"now": "2000-01-01T00:00:00Z"}, 422, "now"),
        ("/admin/clock", {"now": "2100-01-01T00:00:00"}, 422, "now"),
        ("/admin/clock", {"now": "yesterday"}, 422, "now"),
        pytest.param("/admin/clock", {"advance_seconds": "1e30"}, 422, "advance_seconds"),
    ],
)
def test_bad_admin_input(
    admin: Admin, http: httpx.Client, path: str, body: dict[str, Any], status: int, field
):
    market_before = http.get(f"/markets/{BTC}").json()
    clock_before = admin.clock(advance_seconds=0)
    assert_error(admin.post(path, json=body), status, field)
    assert http.get(f"/markets/{BTC}").json() == market_before
    assert admin.clock(advance_seconds=0) == clock_before


def test_expired_access_token_is_401(server: Server, admin: Admin, owner: Trader):
    """Moves the manual clock 16 minutes ahead (the other tests log in afresh)."""
    with unchanged(owner):
        token = owner.access_token
        assert owner.get("/me").status_code == 200
        admin.clock(advance_seconds=16 * 60)
        with make_client(server) as client:
            error = assert_error(client.get("/me", headers=bearer(token)), 401)
            assert "expired" in error["message"]
            assert_error(client.post("/orders", json=order_body(owner), headers=bearer(token)), 401)
            # The refresh token lives 30 days: it still gives a fresh, working pair.
            refreshed = client.post("/auth/refresh", json={"refresh_token": owner.refresh_token})
            assert refreshed.status_code == 200, refreshed.text
            fresh = refreshed.json()["access_token"]
            assert client.get("/me", headers=bearer(fresh)).status_code == 200
        owner.login()
    # The admin's own token of before the move has expired too.
    assert_error(admin.post("/admin/clock", json={"advance_seconds": 0}), 401)
