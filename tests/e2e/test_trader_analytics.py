"""Trader analytics over HTTP against a real server with the manual feed and clock, on
SQLite and PostgreSQL: three scripted days of trades (a long with a stop that wins, a short
that loses, a SOL long) give the metrics worked out here by hand from the spec's price,
fee and return formulas; the CSV holds the trades; another trader's account is not found;
a bad period is a 422 naming `period`."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any

import pytest

from .conftest import (
    DATABASES,
    STARTING_BALANCE,
    Admin,
    Server,
    Trader,
    assert_error,
    create_trader,
    eventually,
    make_client,
    module_server,
    money,
    new_admin,
    taker_fee,
    taker_price,
)

SOL_TICK = Decimal("0.001")
R6 = Decimal("0.000001")


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    yield from module_server(tmp_path_factory, request, request.param)


def six(value: Decimal) -> str:
    """A ratio as the API reports it: 6 decimals, half-even, then its plain text."""
    text = format(value.quantize(R6).normalize(), "f")
    return "0" if text in ("-0", "") else text


def plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class Trade:
    """One round trip at market, its prices and fees by the spec's formulas."""

    def __init__(self, side: str, size: str, entry_mark: str, exit_mark: str, tick: Decimal):
        self.side, self.size = side, Decimal(size)
        back = "sell" if side == "buy" else "buy"
        self.entry = taker_price(side, self.size, Decimal(entry_mark), tick)
        self.exit = taker_price(back, self.size, Decimal(exit_mark), tick)
        self.fees = taker_fee(self.size, self.entry) + taker_fee(self.size, self.exit)
        sign = 1 if side == "buy" else -1
        self.realized = money(self.size * (self.exit - self.entry) * sign)
        self.net = self.realized - self.fees


def trade_a_day(
    admin: Admin, trader: Trader, market: str, trade: Trade, marks: tuple[str, str], **stop: str
) -> None:
    admin.set_price(market, marks[0])
    trader.market(trade.side, plain(trade.size), market=market)
    if stop:
        back = "sell" if trade.side == "buy" else "buy"
        trader.order_ok(market=market, side=back, type="stop_loss", size=plain(trade.size), **stop)
    admin.clock(advance_seconds=600)  # held ten minutes, within the hour: no funding due
    admin.set_price(market, marks[1])
    trader.market("sell" if trade.side == "buy" else "buy", plain(trade.size), market=market)


def analytics(trader: Trader, period: str) -> dict[str, Any]:
    response = trader.get(f"/analytics/accounts/{trader.account_id}", params={"period": period})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_scripted_few_days_give_the_metrics_worked_by_hand(server: Server) -> None:
    admin = Admin(server, new_admin(server), "")
    trader = create_trader(server, "journal")
    opened = datetime.fromisoformat(admin.clock(advance_seconds=0))
    day0 = opened.date()
    a = Trade("buy", "0.1", "60000", "60600", Decimal("0.1"))
    b = Trade("sell", "0.1", "60000", "60300", Decimal("0.1"))
    c = Trade("buy", "10", "150", "153", SOL_TICK)
    for offset, market, trade, marks, stop in [
        (1, "BTC-USD", a, ("60000", "60600"), {"trigger_price": "59000"}),
        (2, "BTC-USD", b, ("60000", "60300"), {}),
        (3, "SOL-USD", c, ("150", "153"), {}),
    ]:
        start = datetime.combine(day0 + timedelta(days=offset), datetime.min.time(), opened.tzinfo)
        admin.clock(now=(start + timedelta(hours=10)).isoformat())
        admin.login()  # the clock moved past the tokens' lifetime
        trader.login()
        trade_a_day(admin, trader, market, trade, marks, **stop)
    assert a.net > 0 > b.net
    assert c.net > 0

    body = eventually(lambda: analytics(trader, "all"), lambda x: x["metrics"]["trades"] == 3)
    m = body["metrics"]
    assert (body["kind"], body["first_day"], body["last_day"]) == (
        "practice",
        day0.isoformat(),
        (day0 + timedelta(days=3)).isoformat(),
    )
    assert (m["wins"], m["losses"], m["break_evens"]) == (2, 1, 0)
    assert m["win_rate"] == six(Decimal(2) / 3)
    assert m["gross_profit"] == plain(a.net + c.net)
    assert m["gross_loss"] == plain(b.net)
    assert m["profit_factor"] == six((a.net + c.net) / -b.net)
    assert m["expectancy"] == six((a.net + b.net + c.net) / 3)
    assert m["average_win"] == six((a.net + c.net) / 2)
    assert m["average_loss"] == six(b.net)
    assert m["trades_with_stop"] == 1
    assert m["average_r"] == six(a.net / ((a.entry - 59000) * a.size))
    assert m["average_hold_seconds"] == "600"
    assert m["fees"] == plain(a.fees + b.fees + c.fees)
    assert m["funding"] == "0"
    assert (body["long"]["trades"], body["short"]["trades"]) == (2, 1)
    assert body["short"]["net_pnl"] == plain(b.net)
    assert [(x["market"], x["trades"], x["net_pnl"]) for x in body["markets"]] == [
        ("BTC-USD", 2, plain(a.net + b.net)),
        ("SOL-USD", 1, plain(c.net)),
    ]
    assert [(x["day"], x["trades"], x["net_pnl"]) for x in body["calendar"]] == [
        ((day0 + timedelta(days=i + 1)).isoformat(), 1, plain(t.net))
        for i, t in enumerate((a, b, c))
    ]

    # The curve: the grant arrives on day 0 as a flow (no return), then each day's trade.
    equities = [STARTING_BALANCE]
    for t in (a, b, c):
        equities.append(equities[-1] + t.net)
    curve = body["equity_curve"]
    assert [(p["equity"], p["flows"]) for p in curve] == [
        (plain(e), plain(STARTING_BALANCE if i == 0 else Decimal(0)))
        for i, e in enumerate(equities)
    ]
    returns = [Decimal(0)] + [t.net / equities[i] for i, t in enumerate((a, b, c))]
    assert [p["daily_return"] for p in curve] == [plain(r) for r in returns]
    with localcontext() as exact:
        exact.prec = 40
        mean = sum(returns) / 4
        deviation = (sum((r - mean) ** 2 for r in returns) / 3).sqrt()
        downside = (sum(min(r, Decimal(0)) ** 2 for r in returns) / 4).sqrt()
        year = Decimal(365).sqrt()
        assert body["sharpe"] == six(mean / deviation * year)
        assert body["sortino"] == six(mean / downside * year)
        peak = 1 + returns[1]  # the index after day 1: the fall is day 2's loss
        assert body["max_drawdown"] == six((peak - peak * (1 + returns[2])) / peak)

    # The last 7 and 30 days hold every trade, from the account's first day.
    assert analytics(trader, "7d")["metrics"] == m
    assert analytics(trader, "30d")["first_day"] == day0.isoformat()

    response = trader.get(f"/analytics/accounts/{trader.account_id}/trades.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["market"], r["side"], r["net_pnl"], r["outcome"]) for r in rows] == [
        ("BTC-USD", "long", plain(a.net), "win"),
        ("BTC-USD", "short", plain(b.net), "loss"),
        ("SOL-USD", "long", plain(c.net), "win"),
    ]
    assert rows[0]["risk_at_stop"] == plain((a.entry - 59000) * a.size)
    assert rows[1]["risk_at_stop"] == ""
    last = trader.get(f"/analytics/accounts/{trader.account_id}/trades.csv", params={"limit": 1})
    assert [r["market"] for r in csv.DictReader(io.StringIO(last.text))] == ["SOL-USD"]


def test_only_the_owner_sees_an_account(server: Server) -> None:
    owner, other = create_trader(server, "own"), create_trader(server, "peek")
    eventually(
        lambda: owner.get(f"/analytics/accounts/{owner.account_id}").status_code,
        lambda status: status == 200,
    )
    for url in ("", "/trades.csv"):
        assert_error(other.get(f"/analytics/accounts/{owner.account_id}{url}"), 404)
        assert_error(other.get(f"/analytics/accounts/no-such-account{url}"), 404)
    with make_client(server) as anonymous:
        assert_error(anonymous.get(f"/analytics/accounts/{owner.account_id}"), 401)


def test_bad_input_names_the_field(server: Server) -> None:
    trader = create_trader(server, "badperiod")
    url = f"/analytics/accounts/{trader.account_id}"
    for period in ("1y", "7", "", "ALL"):
        assert_error(trader.get(url, params={"period": period}), 422, "period")
    for limit in ("0", "10001", "many"):
        assert_error(trader.get(f"{url}/trades.csv", params={"limit": limit}), 422, "limit")
