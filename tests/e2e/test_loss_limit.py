"""The daily loss limit over HTTP: set it, lose through it, be refused new exposure until
the next UTC day (driven by the manual clock), and be unable to loosen it meanwhile."""

from __future__ import annotations

from decimal import Decimal

from .conftest import Admin, Trader, assert_error

ETH = "ETH-USD"


def test_a_daily_loss_limit_stops_new_exposure_until_the_next_day(
    admin: Admin, trader: Trader
) -> None:
    admin.reset_prices()
    url = f"/accounts/{trader.account_id}/loss-limit"
    assert_error(trader.put(url, json={"daily_loss_limit": "0"}), 422, "daily_loss_limit")
    assert_error(trader.put(url, json={"daily_loss_limit": "ten"}), 422, "daily_loss_limit")
    response = trader.put(url, json={"daily_loss_limit": "100"})
    assert response.status_code == 200, response.text
    assert (response.json()["daily_loss_limit"], response.json()["loss_today"]) == ("100", "0")

    trader.market("buy", "1", market=ETH)
    admin.set_price(ETH, "2890")
    trader.market("sell", "1", market=ETH)
    account = trader.account()
    assert Decimal(account["loss_today"]) > 100

    refused = trader.place(
        account_id=trader.account_id, market="BTC-USD", side="buy", type="market", size="0.01"
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "daily_loss_limit_reached"
    loosen = trader.put(url, json={"daily_loss_limit": None})
    assert loosen.status_code == 409, loosen.text
    assert trader.account()["daily_loss_limit"] == "100"

    admin.clock(advance_seconds=86400)
    admin.login()  # tokens expire on the moved clock
    trader.login()
    assert trader.account()["loss_today"] == "0"
    trader.market("buy", "0.01", market="BTC-USD")
    trader.market("sell", "0.01", market="BTC-USD")
    admin.reset_prices()


def test_another_traders_account_answers_404(trader: Trader, new_trader: object) -> None:
    other = new_trader()  # type: ignore[operator]
    response = other.put(f"/accounts/{trader.account_id}/loss-limit", json={"daily_loss_limit": 5})
    assert_error(response, 404)
