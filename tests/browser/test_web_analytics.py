"""The analytics page shows the API's numbers: after a winning BTC long and a losing SOL
long, the headline figures (each with its definition on hover), the per-market table, the
day's calendar cell and the equity curve's points are those of
`GET /analytics/accounts/{id}`; the CSV link downloads the closed trades."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, eventually, unique_name

from .conftest import screenshot, sign_up
from .test_web_trading_journey import _account, signed_in_as


def usd(value: str, signed: bool = False) -> str:
    """The client's dollars: 2 decimals rounded half away from zero, grouped by thousands."""
    cents = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"${abs(cents):,.2f}"
    if cents < 0:
        return "-" + text
    return ("+" + text) if signed and cents > 0 else text


def percent(ratio: str) -> str:
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def round_trip(admin: Admin, api: httpx.Client, account: str, market: str, size: str,
               marks: tuple[str, str]) -> None:  # fmt: skip
    for side, mark in (("buy", marks[0]), ("sell", marks[1])):
        admin.set_price(market, mark)
        body = {"account_id": account, "market": market, "side": side, "type": "market",
                "size": size}  # fmt: skip
        response = api.post("/orders", json=body)
        assert response.status_code == 201, response.text


def test_the_analytics_page_shows_the_apis_numbers(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    sign_up(page, server, unique_name("journal"))
    api = signed_in_as(page)
    account = _account(api)
    round_trip(admin, api, account, "BTC-USD", "0.1", ("60000", "60600"))
    admin.clock(advance_seconds=5)  # closed after the BTC trade, not in the same instant
    round_trip(admin, api, account, "SOL-USD", "10", ("150", "147"))
    report: dict[str, Any] = eventually(
        lambda: api.get(f"/analytics/accounts/{account}").json(),
        lambda r: r["metrics"]["trades"] == 2,
    )
    m = report["metrics"]
    assert (m["wins"], m["losses"]) == (1, 1)

    page.get_by_role("link", name="Portfolio").click()
    page.get_by_test_id("analytics-link").click()
    expect(page).to_have_url(f"{server.base_url}/#/analytics")
    expect(page.get_by_test_id("metric-trades")).to_have_text("2")
    expect(page.get_by_test_id("metric-net_pnl")).to_have_text(usd(m["net_pnl"], signed=True))
    expect(page.get_by_test_id("metric-win_rate")).to_have_text(percent(m["win_rate"]))
    expect(page.get_by_test_id("metric-expectancy")).to_have_text(usd(m["expectancy"], signed=True))
    expect(page.get_by_test_id("metric-average_win")).to_have_text(usd(m["average_win"]))
    expect(page.get_by_test_id("metric-average_loss")).to_have_text(usd(m["average_loss"]))
    expect(page.get_by_test_id("metric-fees")).to_have_text(usd(m["fees"]))
    expect(page.get_by_test_id("metric-win_rate")).to_have_attribute(
        "title", "Wins / (wins + losses): break-evens are counted apart, in neither."
    )
    expect(page.get_by_test_id("metric-max_drawdown")).to_have_attribute(
        "title", "The largest fall of the compounded daily returns from a running peak, over "
        "that peak (deposits and withdrawals left out).",
    )  # fmt: skip

    for market in report["markets"]:
        row = page.get_by_test_id(f"market-row-{market['market']}")
        expect(row.locator("td").nth(0)).to_have_text(str(market["trades"]))
        expect(row.locator("td").nth(2)).to_have_text(usd(market["net_pnl"], signed=True))
    (today,) = report["calendar"]
    cell = page.locator(f"[data-testid=calendar-day][data-day='{today['day']}']")
    expect(cell).to_have_attribute("data-pnl", today["net_pnl"])
    expect(cell).to_have_attribute(
        "title", f"{today['day']}: 2 trades, {usd(today['net_pnl'], signed=True)}"
    )
    points = str(len(report["equity_curve"]))
    expect(page.get_by_test_id("equity-curve")).to_have_attribute("data-points", points)
    expect(page.get_by_test_id("drawdown-chart")).to_have_attribute("data-points", points)
    expect(page.locator("[data-testid=equity-curve] canvas").first).to_be_visible()

    with page.expect_download() as downloaded:
        page.get_by_test_id("download-csv").click()
    text = Path(downloaded.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["market"], r["outcome"]) for r in rows] == [("BTC-USD", "win"), ("SOL-USD", "loss")]

    page.get_by_role("button", name="All").click()
    expect(page.get_by_role("button", name="All")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("metric-trades")).to_have_text("2")
    screenshot(page, "web-analytics")
