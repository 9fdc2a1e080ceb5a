"""A trader's journey over HTTP against a real server: figures checked by the trading rules.

Every test resets the market prices first (tests of this module share one server), and
uses traders of its own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

import httpx
import pytest

from .conftest import (
    BTC_FIRST_TIER_MMR,
    BTC_TICK,
    LIQUIDATION_FEE,
    PASSWORD,
    START_PRICES,
    STARTING_BALANCE,
    D,
    assert_error,
    funding_rate,
    money,
    register,
    taker_fee,
    taker_price,
    unique_name,
)

BTC = "BTC-USD"
FIVE = Decimal(5)


@pytest.fixture(autouse=True)
def _reset_prices(admin: Any) -> None:
    admin.reset_prices()


def assert_account(
    account: dict[str, Any],
    *,
    collateral: Decimal,
    positions: list[tuple[Decimal, Decimal, Decimal]],
    leverage: Decimal = FIVE,
    order_margin: Decimal = Decimal(0),
) -> None:
    """Check GET /accounts/{id} by the trading rules; positions are (signed size, entry, mark)."""
    upnl = sum((size * (mark - entry) for size, entry, mark in positions), Decimal(0))
    initial = sum((abs(size) * mark / leverage for size, _, mark in positions), Decimal(0))
    maintenance = sum(
        (abs(size) * mark * BTC_FIRST_TIER_MMR for size, _, mark in positions), Decimal(0)
    )
    equity = collateral + upnl
    expected = {
        "collateral": collateral,
        "unrealized_pnl": upnl,
        "equity": equity,
        "initial_margin": initial,
        "maintenance_margin": maintenance,
        "order_margin": order_margin,
        "available": equity - initial - order_margin,
    }
    actual = {name: D(account[name]) for name in expected}
    assert actual == {name: money(value) for name, value in expected.items()}, account
    if maintenance and equity > 0:
        assert abs(D(account["margin_ratio"]) - maintenance / equity) < Decimal("0.000001")


def test_journey_register_trade_stop_loss_and_liquidation(http: httpx.Client, admin, new_trader):
    # Register and log in by hand once: the helpers do the same for the other tests.
    username = unique_name("journey")
    user_id = register(http, username)
    login = http.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    me = http.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200, me.text
    profile = me.json()
    assert profile["user_id"] == user_id
    assert profile["username"] == username
    assert profile["email"] == f"{username}@e2e.example.com"
    assert profile["level"] == 1
    assert profile["xp"] == 0
    assert profile["max_leverage"] == "10"
    assert profile["kyc"] is False

    trader = new_trader()
    account = trader.account()
    assert account["kind"] == "practice"
    assert account["leverage"][BTC] == "5"
    assert_account(account, collateral=STARTING_BALANCE, positions=[])

    # A 5x long of 0.5 BTC at mark 60000: fills at mark * (1 + 1bp + 0.3bp), rounded up.
    size = Decimal("0.5")
    order = trader.market("buy", "0.5")
    entry = taker_price("buy", size, Decimal(60000))
    assert entry == Decimal("60007.8")
    fee = taker_fee(size, entry)
    assert fee == Decimal("7.500975")
    assert order["status"] == "filled"
    assert order["time_in_force"] == "ioc"
    assert D(order["filled_size"]) == size
    assert D(order["average_price"]) == entry
    [fill] = order["fills"]
    assert (D(fill["size"]), D(fill["price"]), D(fill["fee"])) == (size, entry, fee)
    assert fill["liquidity"] == "taker"
    assert D(fill["realized_pnl"]) == 0
    collateral = STARTING_BALANCE - fee
    assert_account(
        trader.account(), collateral=collateral, positions=[(size, entry, Decimal(60000))]
    )

    [position] = trader.positions()
    assert position["market"] == BTC
    assert position["side"] == "long"
    assert D(position["size"]) == size
    assert D(position["entry_price"]) == entry
    assert D(position["leverage"]) == FIVE

    # The price moves: equity, unrealized P&L and margins follow the mark.
    admin.set_price(BTC, "61000")
    assert_account(
        trader.account(), collateral=collateral, positions=[(size, entry, Decimal(61000))]
    )
    [position] = trader.positions()
    assert D(position["unrealized_pnl"]) == Decimal("496.1")
    assert D(position["mark_price"]) == Decimal(61000)

    # A stop-loss rests (holding no margin) and is hit when the mark falls to its trigger.
    stop = trader.order_ok(side="sell", type="stop_loss", size="0.5", trigger_price="59000")
    assert stop["status"] == "open"
    assert stop["reduce_only"] is True
    assert stop["fills"] == []
    assert_account(
        trader.account(), collateral=collateral, positions=[(size, entry, Decimal(61000))]
    )
    admin.set_price(BTC, "59000.1")
    assert trader.order(stop["order_id"])["status"] == "open"
    admin.set_price(BTC, "58900")
    stopped = trader.order(stop["order_id"])
    assert stopped["status"] == "filled"
    exit_price = taker_price("sell", size, Decimal(58900))
    assert exit_price == Decimal("58892.3")
    [fill] = stopped["fills"]
    realized = size * (exit_price - entry)
    exit_fee = taker_fee(size, exit_price)
    assert (D(fill["price"]), D(fill["fee"]), D(fill["realized_pnl"])) == (
        exit_price,
        exit_fee,
        money(realized),
    )
    assert fill["liquidity"] == "taker"
    assert trader.positions() == []
    collateral = collateral + realized - exit_fee
    assert_account(trader.account(), collateral=collateral, positions=[])
    assert trader.orders(status="open") == []

    # Open again, and a crash takes more than the whole collateral: liquidated, and the
    # trader never owes more than the account held — collateral is exactly 0.
    admin.set_price(BTC, "60000")
    trader.market("buy", "0.5")
    entry = taker_price("buy", size, Decimal(60000))
    collateral -= taker_fee(size, entry)
    loss_at_40000 = size * (Decimal(40000) - entry)
    assert -loss_at_40000 > collateral  # the loss exceeds what the account holds
    admin.set_price(BTC, "40000")
    assert trader.positions() == []
    account = trader.account()
    assert account["collateral"] == "0", account
    assert_account(account, collateral=Decimal(0), positions=[])
    assert trader.orders(status="open") == []
    # The shortfall was covered by the insurance fund (no public route shows the fund: the
    # observable part is a collateral of exactly 0, never negative).

    # With nothing left, an order that adds exposure is refused; the account stays at 0.
    refused = trader.place(side="buy", type="market", size="0.01")
    assert_error(refused, 400)
    assert trader.account()["collateral"] == "0"


def test_liquidation_happens_exactly_when_equity_reaches_maintenance(admin, trader):
    size = Decimal("0.5")
    trader.market("buy", "0.5")
    entry = taker_price("buy", size, Decimal(60000))
    collateral = STARTING_BALANCE - taker_fee(size, entry)
    # equity(m) = collateral + size * (m - entry) <= size * m * MMR  <=>  m <= m*
    threshold = (size * entry - collateral) / (size * (1 - BTC_FIRST_TIER_MMR))
    above = (threshold / BTC_TICK).to_integral_value(rounding=ROUND_CEILING) * BTC_TICK
    if above == threshold:
        above += BTC_TICK
    below = above - BTC_TICK
    # The position says where that is: the highest tick that liquidates.
    assert D(trader.position(BTC)["liquidation_price"]) == below  # type: ignore[index]

    admin.set_price(BTC, above)
    assert len(trader.positions()) == 1
    account = trader.account()
    assert_account(account, collateral=collateral, positions=[(size, entry, above)])
    assert D(account["equity"]) > D(account["maintenance_margin"])

    admin.set_price(BTC, below)
    assert trader.positions() == []
    # Closed at mark; the 1% liquidation fee is capped at the equity left, which is less
    # than 1% of the notional here, so the account ends at exactly 0.
    equity_left = collateral + size * (below - entry)
    assert 0 < equity_left < size * below * LIQUIDATION_FEE
    assert trader.account()["collateral"] == "0"
    assert trader.orders(status="open") == []


def test_limit_order_rests_then_fills_as_maker_when_the_mark_crosses(admin, trader):
    order = trader.order_ok(side="buy", type="limit", size="0.5", price="59000")
    assert order["status"] == "open"
    assert order["time_in_force"] == "gtc"
    assert order["fills"] == []
    reserved = Decimal("0.5") * Decimal(59000) / FIVE
    assert_account(
        trader.account(), collateral=STARTING_BALANCE, positions=[], order_margin=reserved
    )

    admin.set_price(BTC, "59000.1")  # not crossed yet
    assert trader.order(order["order_id"])["status"] == "open"
    assert trader.positions() == []

    admin.set_price(BTC, "58990")  # crossed: fills at its limit price, as a maker
    filled = trader.order(order["order_id"])
    assert filled["status"] == "filled"
    [fill] = filled["fills"]
    assert D(fill["price"]) == Decimal(59000)
    assert D(fill["fee"]) == 0
    assert fill["liquidity"] == "maker"
    [position] = trader.positions()
    assert D(position["entry_price"]) == Decimal(59000)
    assert_account(
        trader.account(),
        collateral=STARTING_BALANCE,
        positions=[(Decimal("0.5"), Decimal(59000), Decimal(58990))],
    )


def test_sell_limit_fills_as_maker_when_the_mark_rises_to_it(admin, trader):
    order = trader.order_ok(side="sell", type="limit", size="0.2", price="60500")
    assert order["status"] == "open"
    admin.set_price(BTC, "60600")
    [fill] = trader.order(order["order_id"])["fills"]
    assert (D(fill["price"]), D(fill["fee"]), fill["liquidity"]) == (Decimal(60500), 0, "maker")
    [position] = trader.positions()
    assert position["side"] == "short"
    assert D(position["size"]) == Decimal("0.2")
    assert_account(
        trader.account(),
        collateral=STARTING_BALANCE,
        positions=[(Decimal("-0.2"), Decimal(60500), Decimal(60600))],
    )


def test_cancel_an_open_order(admin, trader):
    order = trader.order_ok(side="buy", type="limit", size="0.1", price="55000")
    assert D(trader.account()["order_margin"]) == Decimal("0.1") * 55000 / FIVE

    cancelled = trader.delete(f"/orders/{order['order_id']}")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["order_id"] == order["order_id"]
    assert trader.order(order["order_id"])["status"] == "cancelled"
    assert_account(trader.account(), collateral=STARTING_BALANCE, positions=[])

    # A cancelled order never fills, and cannot be cancelled twice.
    admin.set_price(BTC, "54000")
    assert trader.order(order["order_id"])["fills"] == []
    assert trader.positions() == []
    assert_error(trader.delete(f"/orders/{order['order_id']}"), 409)
    assert_account(trader.account(), collateral=STARTING_BALANCE, positions=[])


def test_close_a_position(admin, trader):
    size = Decimal("0.5")
    trader.market("buy", "0.5")
    entry = taker_price("buy", size, Decimal(60000))
    admin.set_price(BTC, "61000")

    response = trader.post(f"/positions/{BTC}/close", json={"account_id": trader.account_id})
    assert response.status_code == 200, response.text
    closing = response.json()
    assert (closing["side"], closing["type"], closing["reduce_only"]) == ("sell", "market", True)
    assert closing["status"] == "filled"
    exit_price = taker_price("sell", size, Decimal(61000))
    [fill] = closing["fills"]
    realized = size * (exit_price - entry)
    assert (D(fill["price"]), D(fill["realized_pnl"])) == (exit_price, money(realized))
    assert D(fill["fee"]) == taker_fee(size, exit_price)

    assert trader.positions() == []
    collateral = STARTING_BALANCE - taker_fee(size, entry) + realized - taker_fee(size, exit_price)
    assert_account(trader.account(), collateral=collateral, positions=[])
    # Nothing left to close.
    again = trader.post(f"/positions/{BTC}/close", json={"account_id": trader.account_id})
    assert_error(again, 404)
    assert_account(trader.account(), collateral=collateral, positions=[])


def test_client_order_id_makes_retries_idempotent(admin, new_trader):
    trader = new_trader()
    request = {"side": "buy", "type": "market", "size": "0.1", "client_order_id": "retry-1"}
    first = trader.place(**request)
    second = trader.place(**request)
    assert first.status_code == 201, first.text
    assert second.status_code in (200, 201), second.text
    assert second.json()["order_id"] == first.json()["order_id"]
    assert second.json()["status"] == "filled"

    orders = trader.orders()
    assert [o["order_id"] for o in orders] == [first.json()["order_id"]]
    assert len(orders[0]["fills"]) == 1
    [position] = trader.positions()
    assert D(position["size"]) == Decimal("0.1")
    entry = taker_price("buy", Decimal("0.1"), Decimal(60000))
    collateral = STARTING_BALANCE - taker_fee(Decimal("0.1"), entry)  # charged once
    assert trader.collateral() == collateral

    # The same id again with another body still answers the original and does nothing else.
    changed = trader.place(side="sell", type="market", size="0.2", client_order_id="retry-1")
    assert changed.json()["order_id"] == first.json()["order_id"]
    assert len(trader.orders()) == 1
    assert trader.collateral() == collateral

    # client_order_id is unique per account: another trader's "retry-1" is its own order.
    other = new_trader()
    theirs = other.place(**request)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["order_id"] != first.json()["order_id"]
    assert len(trader.orders()) == 1


def test_idempotent_retry_answers_the_original_order_with_its_fills(admin, trader):
    request = {"side": "buy", "type": "market", "size": "0.1", "client_order_id": "retry-2"}
    first = trader.place(**request).json()
    second = trader.place(**request).json()
    assert len(first["fills"]) == 1
    assert second == first
    assert second == trader.order(first["order_id"])


def test_resting_order_retry_is_idempotent(admin, trader):
    request = {
        "side": "buy",
        "type": "limit",
        "size": "0.1",
        "price": "50000",
        "client_order_id": "rest-1",
    }
    first = trader.place(**request).json()
    second = trader.place(**request).json()
    assert second["order_id"] == first["order_id"]
    assert second["status"] == "open"
    assert len(trader.orders(status="open")) == 1
    assert D(trader.account()["order_margin"]) == Decimal("0.1") * 50000 / FIVE


def test_funding_on_the_hour_from_the_mean_premium(admin, new_trader):
    """Funding by the manual clock: rate = clamp(mean premium / 8, +-0.1%), payment =
    size * mark * rate; longs pay and shorts receive when the rate is positive."""
    admin.set_price(BTC, "60060", "60000")  # premium 0.001
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    # Past the next hour boundary: the hour before is settled (these traders do not exist
    # yet) and the first premium of the new hour is sampled: 0.001.
    admin.clock(now=(hour + timedelta(seconds=30)).isoformat())
    admin.login()  # the clock may have moved past the token's 15 minutes

    long, short = new_trader("long"), new_trader("short")
    long.market("buy", "0.5")
    short.market("sell", "0.5")
    admin.set_price(BTC, "60180", "60000")  # premium 0.003
    admin.clock(advance_seconds=60)  # a second sample: 0.003
    long_before, short_before = long.collateral(), short.collateral()
    market = long.get(f"/markets/{BTC}").json()
    assert D(market["predicted_funding_rate"]) == funding_rate([D("0.001"), D("0.003")])
    assert market["next_funding_at"] == (hour + timedelta(hours=1)).isoformat().replace(
        "+00:00", "Z"
    )

    admin.clock(now=(hour + timedelta(hours=1, seconds=30)).isoformat())
    for user in (admin, long, short):
        user.login()
    rate = funding_rate([Decimal("0.001"), Decimal("0.003")])
    assert rate == Decimal("0.00025")
    payment = money(Decimal("0.5") * Decimal(60180) * rate)
    assert payment == Decimal("7.5225")
    assert long.collateral() == long_before - payment
    assert short.collateral() == short_before + payment
    assert D(long.position(BTC)["funding_paid"]) == payment  # type: ignore[index]
    assert D(short.position(BTC)["funding_paid"]) == -payment  # type: ignore[index]
    market = long.get(f"/markets/{BTC}").json()
    assert (D(market["last_funding_rate"]), market["last_funding_at"]) == (
        rate,
        (hour + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    )

    # Paid once per hour: more time inside the same hour pays nothing more.
    admin.clock(advance_seconds=600)
    assert long.collateral() == long_before - payment
    assert short.collateral() == short_before + payment

    # A premium far above the cap: the rate is clamped to 0.1%.
    admin.set_price(BTC, "63000", "60000")  # premium 0.05
    admin.clock(advance_seconds=60)
    long_before, short_before = long.collateral(), short.collateral()
    admin.clock(now=(hour + timedelta(hours=2, seconds=30)).isoformat())
    for user in (admin, long, short):
        user.login()
    # This hour's samples: 0.003 on the hour and ten minutes later, then 0.05.
    mean_rate = funding_rate([Decimal("0.003"), Decimal("0.003"), Decimal("0.05")])
    assert mean_rate == Decimal("0.001")  # clamped
    payment = money(Decimal("0.5") * Decimal(63000) * Decimal("0.001"))
    assert payment == Decimal("31.5")
    assert long.collateral() == long_before - payment
    assert short.collateral() == short_before + payment


def test_list_orders_with_filters(admin, new_trader):
    trader = new_trader()
    filled = trader.market("buy", "0.1")
    resting = trader.order_ok(side="buy", type="limit", size="0.1", price="50000")
    cancelled = trader.order_ok(side="buy", type="limit", size="0.1", price="51000")
    assert trader.delete(f"/orders/{cancelled['order_id']}").status_code == 200
    expired = trader.order_ok(
        side="buy", type="limit", size="0.1", price="50500", time_in_force="ioc"
    )
    assert expired["status"] == "expired"

    every = {o["order_id"]: o["status"] for o in trader.orders()}
    assert every == {
        filled["order_id"]: "filled",
        resting["order_id"]: "open",
        cancelled["order_id"]: "cancelled",
        expired["order_id"]: "expired",
    }
    for status, order in (
        ("open", resting),
        ("filled", filled),
        ("cancelled", cancelled),
        ("expired", expired),
    ):
        assert [o["order_id"] for o in trader.orders(status=status)] == [order["order_id"]]
    assert len(trader.orders(limit=2)) == 2

    # Without account_id: all of the caller's accounts, and nobody else's.
    other = new_trader()
    other.market("sell", "0.1")
    response = trader.get("/orders")
    assert response.status_code == 200, response.text
    assert {o["order_id"] for o in response.json()} == set(every)
    assert all(o["account_id"] == trader.account_id for o in response.json())


def test_markets_show_the_rules_and_the_mark(http: httpx.Client, admin):
    response = http.get("/markets")  # public
    assert response.status_code == 200, response.text
    markets = {m["market"]: m for m in response.json()}
    assert set(markets) == set(START_PRICES)
    btc = markets[BTC]
    assert (btc["tick_size"], btc["step_size"], btc["min_size"]) == ("0.1", "0.00001", "0.0001")
    assert btc["max_market_order_value"] == "1000000"
    assert btc["max_limit_order_value"] == "5000000"
    assert [(t["max_leverage"], t["up_to_notional"]) for t in btc["risk_tiers"]] == [
        ("100", "200000"),
        ("50", "1000000"),
        ("20", "5000000"),
        ("10", None),
    ]
    for market, price in START_PRICES.items():
        assert D(markets[market]["mark_price"]) == price
    assert (btc["maker_fee_rate"], btc["taker_fee_rate"]) == ("0", "0.00025")

    admin.set_price("ETH-USD", "3100.55", "3099.01")
    eth = http.get("/markets/ETH-USD")
    assert eth.status_code == 200, eth.text
    assert (eth.json()["mark_price"], eth.json()["index_price"]) == ("3100.55", "3099.01")
    listed = {m["market"]: m for m in http.get("/markets").json()}
    assert listed["ETH-USD"]["mark_price"] == "3100.55"
    assert_error(http.get("/markets/DOGE-USD"), 404)


def test_take_profit_triggers_when_the_mark_reaches_it(admin, trader):
    size = Decimal("0.5")
    trader.market("buy", "0.5")
    entry = taker_price("buy", size, Decimal(60000))
    take = trader.order_ok(side="sell", type="take_profit", size="0.5", trigger_price="61000")
    assert (take["status"], take["reduce_only"]) == ("open", True)
    admin.set_price(BTC, "60999.9")
    assert trader.order(take["order_id"])["status"] == "open"
    admin.set_price(BTC, "61000")
    done = trader.order(take["order_id"])
    assert done["status"] == "filled"
    exit_price = taker_price("sell", size, Decimal(61000))
    [fill] = done["fills"]
    assert (D(fill["price"]), fill["liquidity"]) == (exit_price, "taker")
    assert trader.positions() == []
    collateral = (
        STARTING_BALANCE
        - taker_fee(size, entry)
        + size * (exit_price - entry)
        - taker_fee(size, exit_price)
    )
    assert_account(trader.account(), collateral=collateral, positions=[])


def test_entry_is_averaged_and_a_reduction_realizes_pnl(admin, trader):
    tenth = Decimal("0.1")
    trader.market("buy", "0.1")
    first = taker_price("buy", tenth, Decimal(60000))
    admin.set_price(BTC, "61000")
    trader.market("buy", "0.1")
    second = taker_price("buy", tenth, Decimal(61000))
    entry = (first + second) / 2
    [position] = trader.positions()
    assert (D(position["size"]), D(position["entry_price"])) == (2 * tenth, entry)

    trader.market("sell", "0.1")
    exit_price = taker_price("sell", tenth, Decimal(61000))
    realized = tenth * (exit_price - entry)
    [position] = trader.positions()
    assert (D(position["size"]), D(position["entry_price"])) == (tenth, entry)
    assert D(position["realized_pnl"]) == money(realized)
    fees = taker_fee(tenth, first) + taker_fee(tenth, second) + taker_fee(tenth, exit_price)
    collateral = STARTING_BALANCE - fees + money(realized)
    assert_account(
        trader.account(), collateral=collateral, positions=[(tenth, entry, Decimal(61000))]
    )


def test_a_fill_larger_than_the_position_flips_it(admin, trader):
    half, one = Decimal("0.5"), Decimal(1)
    trader.market("buy", "0.5")
    entry = taker_price("buy", half, Decimal(60000))
    order = trader.market("sell", "1")
    exit_price = taker_price("sell", one, Decimal(60000))
    [fill] = order["fills"]
    realized = half * (exit_price - entry)
    assert (D(fill["price"]), D(fill["realized_pnl"])) == (exit_price, money(realized))
    [position] = trader.positions()
    assert (position["side"], D(position["size"])) == ("short", half)
    assert D(position["entry_price"]) == exit_price  # the remainder opened at the fill
    collateral = STARTING_BALANCE - taker_fee(half, entry) + realized - taker_fee(one, exit_price)
    assert_account(
        trader.account(), collateral=collateral, positions=[(-half, exit_price, Decimal(60000))]
    )


def test_a_short_is_liquidated_by_a_rally_and_never_owes(admin, trader):
    trader.market("sell", "0.5")
    admin.set_price(BTC, "85000")  # a loss of about $12.5k on about $10k of collateral
    assert trader.positions() == []
    account = trader.account()
    assert account["collateral"] == "0", account
    assert_account(account, collateral=Decimal(0), positions=[])


def test_leverage_changes_the_initial_margin(admin, trader):
    size = Decimal("0.5")
    trader.market("buy", "0.5")
    entry = taker_price("buy", size, Decimal(60000))
    collateral = STARTING_BALANCE - taker_fee(size, entry)
    url = f"/accounts/{trader.account_id}/leverage"

    response = trader.put(url, json={"market": BTC, "leverage": 10})
    assert response.status_code == 200, response.text
    assert response.json() == {"account_id": trader.account_id, "market": BTC, "leverage": "10"}
    account = trader.account()
    assert account["leverage"][BTC] == "10"
    assert_account(
        account, collateral=collateral, positions=[(size, entry, Decimal(60000))], leverage=10
    )
    [position] = trader.positions()
    assert D(position["leverage"]) == 10
    assert D(position["initial_margin"]) == Decimal(3000)

    # 1x would need $30k of initial margin: refused, and the account keeps 10x.
    refused = trader.put(url, json={"market": BTC, "leverage": 1})
    assert_error(refused, 422, "leverage")
    assert trader.account()["leverage"][BTC] == "10"


def test_reducing_orders_are_accepted_even_with_no_margin_available(admin, trader):
    trader.market("buy", "0.5")
    admin.set_price(BTC, "50000")  # equity < initial margin, yet above maintenance
    account = trader.account()
    assert D(account["available"]) < 0 < D(account["equity"]) - D(account["maintenance_margin"])

    # Adding exposure is refused, and changes nothing.
    before = trader.account()
    assert_error(trader.place(side="buy", type="market", size="0.01"), 400)
    assert trader.account() == before

    # Reducing is always accepted: a resting sell limit, and a market sell.
    resting = trader.order_ok(side="sell", type="limit", size="0.1", price="55000")
    assert resting["status"] == "open"
    reduced = trader.market("sell", "0.1")
    assert reduced["status"] == "filled"
    [position] = trader.positions()
    assert D(position["size"]) == Decimal("0.4")


def test_concurrent_retries_with_one_client_order_id_make_one_order(admin, trader):
    request = {"side": "buy", "type": "market", "size": "0.1", "client_order_id": "burst-1"}
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: trader.place(**request), range(6)))
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert len({r.json()["order_id"] for r in responses}) == 1
    [order] = trader.orders()
    assert len(order["fills"]) == 1
    [position] = trader.positions()
    assert D(position["size"]) == Decimal("0.1")
