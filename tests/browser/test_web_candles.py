"""The trade screen's candle chart against the candles route: after some ticks its latest
bar (open, high, low, close) and its number of bars are the API's, the bar being formed
follows the ticks live, and another interval reloads both."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, eventually, make_client, unique_name

from .conftest import screenshot, sign_up
from .test_web_trade_screen import price_text

OHLC = ("open", "high", "low", "close")


def api_bars(client: httpx.Client, interval: str) -> list[dict[str, Any]]:
    response = client.get("/markets/BTC-USD/candles", params={"interval": interval})
    assert response.status_code == 200, response.text
    return list(response.json()["candles"])


def expect_shown(page: Page, bar: dict[str, Any], count: int, interval: str) -> None:
    chart = page.get_by_test_id("candle-chart")
    expect(chart).to_have_attribute("data-interval", interval)
    expect(chart).to_have_attribute("data-bars", str(count))
    for name in OHLC:
        expect(page.get_by_test_id(f"ohlc-{name}")).to_have_text(price_text(bar[name]))


def test_the_candles_shown_are_the_apis_live_and_per_interval(
    page: Page, server: Server, admin: Admin
) -> None:
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    minute = (now + timedelta(minutes=2)).replace(second=0, microsecond=0)

    def tick(second: int, mark: str) -> None:
        admin.clock(now=(minute + timedelta(seconds=second)).isoformat())
        admin.set_price("BTC-USD", mark)

    for second, mark in [(5, "60000"), (20, "60150.5"), (40, "59900"), (65, "60010")]:
        tick(second, mark)
    sign_up(page, server, unique_name("candles"))
    page.get_by_role("button", name="Skip guide").click()
    page.wait_for_selector(".candle-chart .chart canvas")

    with make_client(server) as anonymous:
        bars = eventually(
            lambda: api_bars(anonymous, "1m"), lambda b: b and b[-1]["close"] == "60010"
        )
        page.reload()  # the history as written
        expect_shown(page, bars[-1], len(bars), "1m")
        assert [b["close"] for b in bars[-2:]] == ["59900", "60010"]

        tick(70, "60200.5")  # the forming bar, live
        tick(80, "59800")
        expect(page.get_by_test_id("ohlc-high")).to_have_text(price_text("60200.5"))
        expect(page.get_by_test_id("ohlc-close")).to_have_text(price_text("59800"))
        bars = eventually(
            lambda: api_bars(anonymous, "1m"), lambda b: b and b[-1]["close"] == "59800"
        )
        expect_shown(page, bars[-1], len(bars), "1m")  # no bar added: the same one formed
        screenshot(page, "candles-1m-360")

        intervals = page.get_by_role("group", name="Chart interval")
        intervals.get_by_role("button", name="5m", exact=True).click()
        expect(intervals.get_by_role("button", name="5m", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        five = api_bars(anonymous, "5m")
        expect_shown(page, five[-1], len(five), "5m")
        assert float(five[-1]["high"]) >= 60200.5  # both minutes' marks are in the 5m bar

        tick(90, "60300")  # live on the new interval's channel
        expect(page.get_by_test_id("ohlc-close")).to_have_text(price_text("60300"))
        five = eventually(
            lambda: api_bars(anonymous, "5m"), lambda b: b and b[-1]["close"] == "60300"
        )
        expect_shown(page, five[-1], len(five), "5m")
