"""The trade screen's risk tools against the trading rules: sizes in coin, USD or a share of
what is available with a Max that fits margin and fee, a confirmation before a
high-risk order; a stop-loss and take-profit set from the ticket (risk at the stop as a
share of equity) that protect the position, edited on its row, and the stop's fill
said in a toast with its realized P&L; the row's liquidation price, margin, ROE and funding;
mark beside index and the predicted funding; an order placed with the keyboard alone."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import TAKER_FEE, Admin, Server, eventually, taker_price, unique_name

from .conftest import screenshot, sign_up
from .test_web_trading_journey import _account, signed_in_as, usd

BTC_STEP = Decimal("0.00001")
SLIPPAGE_ALLOWANCE = Decimal("0.0002")  # the ticket leaves room for 2 bp of slippage


def fits(budget: Decimal, mark: Decimal, leverage: int = 5) -> Decimal:
    """The largest size on the step whose margin, taker fee and slippage fit the budget."""
    per_unit = mark / leverage + mark * TAKER_FEE + mark * SLIPPAGE_ALLOWANCE
    return (budget / per_unit).quantize(BTC_STEP, rounding=ROUND_DOWN).normalize()


def price_text(value: str | Decimal, places: int = 1) -> str:
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"


def percent_text(ratio: Decimal, places: int = 2) -> str:
    return f"{(ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}%"


def test_sizes_in_usd_and_share_with_max_and_a_confirmation(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    sign_up(page, server, unique_name("sizes"))
    page.get_by_role("button", name="Skip guide").click()
    size, unit = page.locator("#ticket-size"), page.get_by_label("Size in")

    unit.select_option("usd")
    size.fill("6000")
    expect(page.get_by_test_id("coin-size")).to_have_text("= 0.1 BTC")
    expect(page.get_by_role("button", name=re.compile(r"^Buy 0\.1 BTC"))).to_be_visible()
    unit.select_option("pct")
    size.fill("50")
    half = fits(Decimal(5000), Decimal(60000))
    expect(page.get_by_test_id("coin-size")).to_have_text(f"= {half} BTC")

    page.get_by_test_id("max-size").click()  # all of it: margin, fee and slippage included
    expect(size).to_have_value("100")
    most = fits(Decimal(10000), Decimal(60000))
    expect(page.get_by_test_id("coin-size")).to_have_text(f"= {most} BTC")
    unit.select_option("coin")
    page.get_by_test_id("max-size").click()
    expect(size).to_have_value(str(most))

    page.get_by_role("button", name=re.compile(rf"^Buy {most} BTC")).click()
    dialog = page.get_by_test_id("confirm-dialog")
    margin = most * 60000 / 5
    expect(dialog).to_contain_text(
        f"Margin in use after this order: {usd(margin).lstrip('+')}, "
        f"{percent_text(margin / 10000, 1)} of your $10,000.00 equity"
    )
    expect(dialog.get_by_role("button", name="Send order")).to_be_focused()
    screenshot(page, "ticket-confirm-360")
    page.keyboard.press("Escape")  # nothing sent
    expect(dialog).to_be_hidden()
    with signed_in_as(page) as api:
        assert api.get("/orders", params={"account_id": _account(api)}).json() == []
    page.get_by_role("button", name=re.compile(rf"^Buy {most} BTC")).click()
    dialog.get_by_role("button", name="Send order").click()
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")  # it fitted

    page.get_by_role("button", name="Close BTC-USD position").click()  # the first close:
    with signed_in_as(page) as api:  # FIRST_TRADE's 100 XP make level 2, which unlocks 15x
        eventually(lambda: api.get("/progression/me").json(), lambda p: p["level"] >= 2)
    page.reload()
    page.locator("#ticket-size").fill("0.01")
    slider = page.locator("#ticket-leverage")
    slider.focus()
    page.keyboard.press("End")
    expect(page.get_by_test_id("leverage-value")).to_have_text("15x")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.01 BTC")).click()
    expect(dialog).to_contain_text("Leverage 15x is above 10x: a 6.7% move against you")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


def test_a_stop_loss_from_the_ticket_protects_the_position(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    admin.set_price("BTC-USD", "60000", "59990")
    sign_up(page, server, unique_name("guard"))
    page.get_by_role("button", name="Skip guide").click()
    expect(page.get_by_test_id("mark-price")).to_have_text("60,000.0")
    expect(page.get_by_test_id("index-price")).to_have_text("59,990.0")
    with signed_in_as(page) as api:
        market = api.get("/markets/BTC-USD").json()
    rate = Decimal(market["predicted_funding_rate"])
    expect(page.get_by_test_id("funding-rate")).to_have_text(percent_text(rate, 4))
    expect(page.get_by_test_id("funding-countdown")).to_have_text(
        re.compile(r"^(in (\d+h \d\dm|\d+m \d\ds)|paying now)$")
    )

    page.locator("#ticket-size").fill("0.01")
    page.get_by_label("Stop-loss trigger").fill("59000")
    # Risk at the stop = |entry - stop| x size, here against $10,000 of equity.
    expect(page.get_by_test_id("risk-at-stop")).to_contain_text(
        "Risk at stop $10.00 = 0.10% of equity. At most 2%: this close earns +5 XP"
    )
    page.get_by_label("Take-profit trigger").fill("62000")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.01 BTC")).click()
    entry = taker_price("buy", Decimal("0.01"), Decimal(60000))
    expect(page.get_by_test_id("ticket-message")).to_have_text(
        f"Order filled at {entry:,}. Stop-loss at 59000 and Take-profit at 62000 placed."
    )
    fee = (Decimal("0.01") * entry * TAKER_FEE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    toast = page.get_by_test_id("toast")
    expect(toast.filter(has_text="Bought").locator("p")).to_have_text(
        f"Bought 0.01000 BTC-USD at {entry:,}; realized P&L $0.00, fee ${fee}."
    )

    row = page.get_by_test_id("position-BTC-USD")
    expect(row.get_by_test_id("attached-stop")).to_contain_text("59,000.0")
    expect(row.get_by_test_id("attached-profit")).to_contain_text("62,000.0")
    with signed_in_as(page) as api:
        (held,) = api.get("/positions", params={"account_id": _account(api)}).json()
    expect_position_figures(page, held)

    row.get_by_role("button", name="Stop-loss and take-profit of BTC-USD").click()
    for width in (320, 1440):  # the row with its figures and editor fits
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"position-editor-{width}")
    page.set_viewport_size({"width": 360, "height": 780})
    page.locator("#bracket-BTC-USD-stop").fill("59500")  # moved up
    page.get_by_role("button", name="Save TP/SL").click()
    expect(page.get_by_test_id("close-result")).to_have_text(
        "BTC-USD: stop-loss 59,500.0, take-profit 62,000.0."
    )
    expect(row.get_by_test_id("attached-stop")).to_contain_text("59,500.0")
    row.get_by_role("button", name="Cancel BTC-USD Take-profit").click()
    expect(row.get_by_test_id("attached-profit")).to_have_text("none")
    with signed_in_as(page) as api:
        open_orders = api.get("/orders", params={"account_id": _account(api), "status": "open"})
    assert [(o["type"], o["side"], o["size"], o["trigger_price"]) for o in open_orders.json()] == [
        ("stop_loss", "sell", "0.01", "59500")
    ]
    screenshot(page, "position-guarded-360")

    page.get_by_label("Type").focus()  # the toast must not take the focus from here
    admin.set_price("BTC-USD", "59400")  # the stop fires: the position is closed
    expect(row).to_have_count(0)
    exit_ = taker_price("sell", Decimal("0.01"), Decimal(59400))
    pnl = Decimal("0.01") * (exit_ - entry)  # docs/trading-rules.md: closed size x (exit - entry)
    exit_fee = (Decimal("0.01") * exit_ * TAKER_FEE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    stopped = toast.filter(has_text="Stop-loss triggered")
    expect(stopped.locator("p")).to_have_text(
        f"Stop-loss triggered at mark 59,400.0: sold 0.01000 BTC-USD at {exit_:,}; "
        f"realized P&L {usd(pnl)}, fee ${exit_fee}."
    )
    expect(page.get_by_label("Type")).to_be_focused()
    expect(page.locator(".toast-list")).to_have_attribute("aria-live", "polite")
    stopped.get_by_role("button", name="Dismiss notification").click()
    expect(stopped).to_have_count(0)

    # A resting entry: its stop-loss is placed when it fills.
    page.get_by_label("Type").select_option("limit")
    page.locator("#ticket-size").fill("0.01")
    page.get_by_label("Limit price").fill("59000")
    page.get_by_label("Stop-loss trigger").fill("58000")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.01 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_have_text(
        "Order open. Its stop-loss and take-profit are placed when it fills."
    )
    admin.set_price("BTC-USD", "58900")
    expect(row.get_by_test_id("attached-stop")).to_contain_text("58,000.0")


def test_a_close_and_a_liquidation_raise_receipts(page: Page, server: Server, admin: Admin) -> None:
    """Closes and liquidations reach the trader as toasts from the WebSocket: what was
    closed, at what price, the realized P&L and the fee (a liquidation's closes pay no taker
    fee; its fee to the insurance fund is said on its own, as the ledger books it)."""
    admin.reset_prices()
    sign_up(page, server, unique_name("receipts"))
    page.get_by_role("button", name="Skip guide").click()
    toast = page.get_by_test_id("toast")
    size = page.locator("#ticket-size")

    size.fill("0.1")
    page.get_by_role("button", name=re.compile(r"^Buy 0\.1 BTC")).click()
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")
    admin.set_price("BTC-USD", "61000")
    page.get_by_role("button", name="Close BTC-USD position").click()
    entry = taker_price("buy", Decimal("0.1"), Decimal(60000))
    exit_ = taker_price("sell", Decimal("0.1"), Decimal(61000))
    fee = (Decimal("0.1") * exit_ * TAKER_FEE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expect(toast.filter(has_text="Closed BTC-USD").locator("p")).to_have_text(
        f"Closed BTC-USD: sold 0.10000 BTC-USD at {exit_:,}; "
        f"realized P&L {usd(Decimal('0.1') * (exit_ - entry))}, fee ${fee}."
    )

    expect(page.get_by_test_id("close-result")).to_be_focused()  # the close has its say first

    page.locator("#ticket-leverage").focus()  # 10x (the close's XP may unlock more: not End)
    page.keyboard.press("Home")
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("leverage-value")).to_have_text("10x")
    size.fill("1.5")  # $9,000 of margin: confirmed first
    page.get_by_role("button", name=re.compile(r"^Buy 1\.5 BTC")).click()
    page.get_by_test_id("confirm-dialog").get_by_role("button", name="Send order").click()
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")
    with signed_in_as(page) as api:
        account = _account(api)
        (held,) = api.get("/positions", params={"account_id": account}).json()
    liquidation = Decimal(held["liquidation_price"])
    admin.set_price("BTC-USD", str(liquidation))  # the nearest mark that liquidates
    expect(page.get_by_test_id("position-BTC-USD")).to_have_count(0)

    pnl = Decimal("1.5") * (liquidation - Decimal(held["entry_price"]))  # closed at the mark
    expect(toast.filter(has_text="Liquidation:").locator("p")).to_have_text(
        f"Liquidation: sold 1.50000 BTC-USD at {price_text(liquidation)}; "
        f"realized P&L {usd(pnl)}, fee $0.00."
    )
    with signed_in_as(page) as api:
        (booked,) = eventually(
            lambda: [
                p
                for p in api.get("/ledger", params={"account_id": account}).json()["postings"]
                if p["kind"] == "liquidation_fee"
            ],
            bool,
        )
    fee_booked = -Decimal(booked["amount"])
    expect(toast.filter(has_text="Liquidated").locator("p")).to_have_text(
        f"Liquidated: BTC-USD closed at the mark; liquidation fee ${fee_booked:,.2f}."
    )


def expect_position_figures(page: Page, held: dict[str, Any]) -> None:
    """The row shows the API's liquidation price, margin and funding, and ROE = unrealized
    P&L / initial margin."""
    row = page.get_by_test_id("position-BTC-USD")
    liquidation = held["liquidation_price"]
    expect(row.get_by_test_id("liquidation-price")).to_have_text(
        "none" if liquidation is None else price_text(liquidation)
    )
    expect(row.get_by_test_id("position-margin")).to_have_text(
        usd(Decimal(held["initial_margin"])).lstrip("+")
    )
    roe = Decimal(held["unrealized_pnl"]) / Decimal(held["initial_margin"])
    expect(row.get_by_test_id("roe")).to_have_text(percent_text(roe))
    expect(row.get_by_test_id("funding-paid")).to_have_text("$0.00")


@pytest.mark.parametrize("width", [320, 390, 1440])
def test_an_order_with_the_keyboard_alone(
    page: Page, server: Server, admin: Admin, width: int
) -> None:
    """From the top of the page to a filled order with Tab, Enter and Escape alone, every
    control the keyboard reaches visibly focused (the page's own outline, not the mouse's)."""
    admin.reset_prices()
    page.set_viewport_size({"width": width, "height": 800})
    sign_up(page, server, unique_name("keys"))
    page.get_by_role("button", name="Skip guide").click()
    page.locator("body").focus()
    unfocused: list[str] = []

    def tab_to(reached: str, most: int) -> None:
        """Tab until the focused element matches `reached` (a test id, id or glossary term),
        noting every stop on the way that shows no focus outline."""
        for _ in range(most):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused["outline"] != "solid":
                unfocused.append(focused["name"])
            if reached in (focused["name"], focused["term"]):
                return
        raise AssertionError(f"{reached} not reached in {most} tabs at {width} px")

    tab_to("market-ETH-USD", 80)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("market-ETH-USD")).to_have_attribute("aria-pressed", "true")

    tab_to("mark", 30)  # the glossary's Mark: Enter opens it, Escape closes it
    page.keyboard.press("Enter")
    expect(page.locator(".term-tip:popover-open")).to_contain_text("Mark price: the fair price")
    page.keyboard.press("Escape")
    expect(page.locator(".term-tip:popover-open")).to_have_count(0)

    tab_to("ticket-size", 40)
    expect(page.locator("#ticket-size")).to_be_focused()
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")  # submits the ticket
    expect(page.get_by_test_id("ticket-message")).to_contain_text("Order filled")
    expect(page.get_by_test_id("position-ETH-USD")).to_contain_text("long")
    tab_to("Close ETH-USD position", 40)  # on to the new position's close
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("position-ETH-USD")).to_have_count(0)
    expect(page.get_by_test_id("close-result")).to_be_focused()
    assert unfocused == [], unfocused


# The focused element's name (test id, id, accessible label or text), its glossary term,
# and its outline style.
FOCUSED = """() => { const e = document.activeElement;
    return {name: e.dataset.testid || e.id || e.getAttribute("aria-label")
                  || e.textContent.trim().slice(0, 20),
            term: e.dataset.term || null, outline: getComputedStyle(e).outlineStyle}; }"""
