"""The order ticket and the trading lists against the specification: estimates recomputed
when the market changes (docs/trading-rules.md, computed here), the margin shortfall named
before and after sending, stops pre-filled as the position's close, figures on the
market's tick and step, a close that says what it realized, and price history that
survives a reload."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import TAKER_FEE, Admin, Server, taker_price, unique_name

from .conftest import sign_up
from .test_web_trading_journey import _account, signed_in_as, usd

EQUITY = Decimal(10000)
LEVERAGE = 5  # the default leverage (docs/trading-rules.md)
ETH_TIERS = [
    (Decimal(100), Decimal(100_000)),
    (Decimal(50), Decimal(500_000)),
    (Decimal(20), Decimal(2_000_000)),
    (Decimal(10), None),
]
STRK_TIERS = [(Decimal(20), Decimal(50_000)), (Decimal(10), Decimal(200_000)), (Decimal(5), None)]


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dollars(amount: Decimal) -> str:
    return f"${cents(amount):,}"


Tiers = list[tuple[Decimal, Decimal | None]]


def long_estimate(size: str, mark: str, tiers: Tiers) -> dict[str, Decimal | None]:
    """Trading rules: notional, taker fee, initial margin, and the price where equity meets the new
    position's maintenance margin: s·p - (E - fee) = s·P·(1 - mmr) solved for P."""
    s, p = Decimal(size), Decimal(mark)
    notional = s * p
    tier_max = next(m for m, up_to in tiers if up_to is None or notional <= up_to)
    mmr = Decimal("0.5") / tier_max
    fee = notional * TAKER_FEE
    liquidation = (notional - (EQUITY - fee)) / (s * (1 - mmr))
    return {
        "notional": notional,
        "fee": fee,
        "margin": notional / LEVERAGE,
        "liquidation": liquidation if liquidation > 0 else None,
    }


def expect_estimate(page: Page, figures: dict[str, Decimal | None], decimals: int) -> None:
    for name in ("notional", "fee", "margin"):
        value = figures[name]
        assert value is not None
        expect(page.get_by_test_id(f"estimate-{name}")).to_have_text(dollars(value))
    liquidation = figures["liquidation"]
    shown = (
        "none"
        if liquidation is None
        else (f"{liquidation.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):,}")
    )
    expect(page.get_by_test_id("estimate-liquidation")).to_have_text(shown)


@pytest.mark.parametrize("width", [320, 390, 1440])
def test_switching_markets_recomputes_the_ticket(
    page: Page, server: Server, admin: Admin, width: int
) -> None:
    admin.reset_prices()
    page.set_viewport_size({"width": width, "height": 800})
    sign_up(page, server, unique_name("switch"))
    size = page.locator("#ticket-size")
    page.get_by_test_id("market-ETH-USD").click()
    size.fill("5")
    expect_estimate(page, long_estimate("5", "3000", ETH_TIERS), decimals=2)  # tick 0.01

    page.get_by_test_id("market-STRK-USD").click()
    expect(size).to_have_value("")  # a size belongs to its market
    size.fill("1000")
    expect_estimate(page, long_estimate("1000", "0.5", STRK_TIERS), decimals=5)
    expect(page.get_by_test_id("leverage-cap")).to_have_text(
        "Capped at 10x: the leverage your level 1 unlocks. Level 2 unlocks 15x."
    )
    page.get_by_label("Type").select_option("limit")
    expect(page.get_by_label("Limit price")).to_have_attribute("placeholder", "0.5")


def test_the_margin_shortfall_is_named_before_and_after_sending(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    sign_up(page, server, unique_name("short"))
    size = Decimal(10)
    page.locator("#ticket-size").fill(str(size))
    # Before sending: 600,000 / 5 of margin and 150 of fee against $10,000.
    expect(page.get_by_test_id("margin-warning")).to_have_text(
        "Not enough margin: this order needs about $120,150.00 (margin and fee); "
        "$10,000.00 is available."
    )
    page.get_by_role("button", name=re.compile(r"^Buy 10 BTC")).click()
    # After: the fill at the taker price, its fee and its loss to the mark count too.
    fill = taker_price("buy", size, Decimal(60000))
    after = EQUITY - size * fill * TAKER_FEE + size * (Decimal(60000) - fill) - size * 60000 / 5
    whole = lambda d: f"{d.quantize(Decimal(1), rounding=ROUND_HALF_EVEN):,}"  # noqa: E731
    expect(page.get_by_test_id("ticket-message")).to_have_text(  # the API's figures, in plain words
        f"Not enough margin: this order needs ${whole(EQUITY - after)} of margin and fee, "
        f"${whole(-after)} more than the $10,000 available. Lower the size or the price, or "
        "raise the leverage."
    )


def test_stops_close_the_position_and_lists_show_tick_and_step(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    sign_up(page, server, unique_name("stops"))
    size = page.locator("#ticket-size")
    size.fill("0.01")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.01 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")

    for kind, trigger, colour in (
        ("stop_loss", "55000", "rgb(245, 185, 66)"),
        ("take_profit", "65000", "rgb(46, 204, 113)"),
    ):
        page.get_by_label("Type").select_option(kind)
        expect(page.get_by_role("button", name="Sell / Short")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(size).to_have_value("0.01")
        page.get_by_label("Trigger price").fill(trigger)
        page.get_by_role("button", name=re.compile(r"^Sell 0\.01 BTC")).click()
        expect(page.get_by_test_id("ticket-message")).to_have_text("Order open.")
        row = page.get_by_test_id("open-order").filter(has_text=kind.replace("_", " "))
        expect(row.get_by_test_id("order-figures")).to_have_text(
            f"0.01000 trigger {int(trigger):,}.0"
        )
        expect(row.locator(".tag")).to_have_css("color", colour)

    page.get_by_label("Type").select_option("limit")
    page.get_by_role("button", name="Buy / Long").click()
    size.fill("0.05")
    page.get_by_label("Limit price").fill("60010")  # at or above the mark: fills at once
    expect(page.get_by_text("Fee (taker 0.025%: fills at once)")).to_be_visible()
    expect(page.get_by_test_id("estimate-fee")).to_have_text(dollars(Decimal("3000.5") * TAKER_FEE))
    page.get_by_label("Limit price").fill("59202.5")
    expect(page.get_by_test_id("estimate-fee")).to_have_text("$0.00")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.05 BTC")).click()
    expect(
        page.get_by_test_id("open-order").filter(has_text="limit").get_by_test_id("order-figures")
    ).to_have_text("0.05000 @ 59,202.5")

    with signed_in_as(page) as api:  # a stop larger than the position: 422 naming both
        refused = api.post(
            "/orders",
            json={
                "account_id": _account(api),
                "market": "BTC-USD",
                "side": "sell",
                "type": "stop_loss",
                "size": "1",
                "trigger_price": "50000",
            },
        )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "size"
    assert "size 1 is larger than your BTC-USD long of 0.01" in refused.json()["error"]["message"]

    admin.set_price("BTC-USD", "61000")
    page.get_by_role("button", name="Close BTC-USD position").click()
    entry = taker_price("buy", Decimal("0.01"), Decimal(60000))
    exit_ = taker_price("sell", Decimal("0.01"), Decimal(61000))
    pnl = Decimal("0.01") * (exit_ - entry)
    fee = cents(Decimal("0.01") * exit_ * TAKER_FEE)
    result = page.get_by_test_id("close-result")
    expect(result).to_have_text(
        f"Closed BTC-USD long at {exit_:,}: realized P&L {usd(pnl)} (fee ${fee})."
    )
    expect(result).to_be_focused()

    # A stop with nothing under it: the API says which position it would protect.
    page.get_by_label("Type").select_option("stop_loss")
    expect(page.get_by_test_id("trigger-hint")).to_have_text(
        "You have no BTC-USD position: a stop-loss or take-profit only closes one."
    )
    page.get_by_role("button", name="Sell / Short").click()
    size.fill("0.01")
    page.get_by_label("Trigger price").fill("55000")
    page.get_by_role("button", name=re.compile(r"^Sell 0\.01 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_have_text(
        "The order was not accepted: a sell stop_loss protects a long; "
        "you have no long BTC-USD position."
    )


def test_price_history_survives_a_reload(page: Page, server: Server, admin: Admin) -> None:
    admin.reset_prices()
    sign_up(page, server, unique_name("history"))
    mark = page.get_by_test_id("mark-BTC-USD")
    for step in range(1, 13):  # a tick every 0.2 s: a debounce restarted by each never saves
        admin.set_price("BTC-USD", str(60000 + 100 * step))
        page.wait_for_timeout(200)
    expect(mark).to_have_text("61,200.0")
    stored = page.evaluate("JSON.parse(localStorage.getItem('astratrade.h.price.BTC-USD') || '[]')")
    assert stored[0]["v"] == "60000", stored
    assert len(stored) >= 2, stored
    page.reload()
    expect(mark).to_have_text("61,200.0")
    expect(page.get_by_test_id("market-BTC-USD").locator(".change")).to_have_text("2.00%")
