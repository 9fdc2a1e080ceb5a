"""Over HTTP, the probe's margin bypass: a sell limit admitted because it only reduced the
long must not outlive the long as an unchecked short, and a sale that only reduces is
accepted whatever rests beside it (docs/trading-rules.md, "Exposure is judged whenever an
order can add some")."""

from __future__ import annotations

from decimal import Decimal

from .conftest import Admin, Trader

BTC = "BTC-USD"


def set_leverage(trader: Trader, leverage: int) -> None:
    response = trader.put(
        f"/accounts/{trader.account_id}/leverage", json={"market": BTC, "leverage": leverage}
    )
    assert response.status_code == 200, response.text


def test_a_reducing_limit_left_behind_by_a_close_is_cancelled_not_filled(
    admin: Admin, trader: Trader
) -> None:
    admin.reset_prices()
    set_leverage(trader, 10)
    trader.market("buy", "1.5")  # $90,000 at 10x: $9,000 of margin
    sell = trader.order_ok(side="sell", type="limit", size="1.5", price="90000")
    assert sell["status"] == "open"
    closed = trader.post(f"/positions/{BTC}/close", json={"account_id": trader.account_id})
    assert closed.status_code == 200, closed.text
    # Alone the sell would open a $135,000 short: $13,500 of margin on ~$9,950 of equity.
    cancelled = trader.order(sell["order_id"])
    assert cancelled["status"] == "cancelled", cancelled
    assert Decimal(trader.account()["available"]) > 0
    admin.set_price(BTC, "90000")
    assert trader.position(BTC) is None
    admin.reset_prices()


def test_a_market_sale_that_only_reduces_is_accepted_beside_a_resting_sell(
    admin: Admin, trader: Trader
) -> None:
    admin.reset_prices()
    set_leverage(trader, 10)
    trader.market("buy", "1.6")
    resting = trader.order_ok(side="sell", type="limit", size="1.6", price="90000")
    reduced = trader.place(side="sell", type="market", size="1.5")
    assert reduced.status_code == 201, reduced.text
    assert Decimal(trader.position(BTC)["size"]) == Decimal("0.1")  # type: ignore[index]
    assert trader.order(resting["order_id"])["status"] == "cancelled"
    assert Decimal(trader.account()["available"]) > 0
    trader.post(f"/positions/{BTC}/close", json={"account_id": trader.account_id})
