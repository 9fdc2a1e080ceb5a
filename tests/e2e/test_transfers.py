"""Faucet top-ups and withdrawals over HTTP: financial decides, trading applies, the ledger
posts, reconciliation proves it; bad input and another trader's account change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from .conftest import Admin, D, Trader, assert_error, eventually

DAY = 86_400


def transfers(trader: Trader, settled: int) -> list[dict[str, Any]]:
    def read() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = trader.get(f"/accounts/{trader.account_id}/transfers").json()[
            "transfers"
        ]
        return found

    return eventually(read, lambda found: sum(t["status"] != "pending" for t in found) >= settled)


def ask(trader: Trader, kind: str, amount: Any) -> Any:
    path = "faucet" if kind == "faucet" else "withdrawals"
    return trader.post(f"/accounts/{trader.account_id}/{path}", json={"amount": amount})


def test_the_faucet_tops_up_once_a_day_to_the_cap(admin: Admin, trader: Trader) -> None:
    accepted = ask(trader, "faucet", "5000")
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert (body["kind"], D(body["amount"]), body["status"]) == ("faucet", 5000, "pending")
    (done,) = transfers(trader, 1)
    assert (done["transfer_id"], done["status"]) == (body["transfer_id"], "completed")
    assert trader.collateral() == Decimal(15_000)

    again = assert_error(ask(trader, "faucet", "1"), 409)
    assert again["code"] == "faucet_used_today"
    assert trader.collateral() == Decimal(15_000)

    admin.clock(advance_seconds=DAY)
    admin.login()  # their access tokens expired with the day
    trader.login()
    cut = ask(trader, "faucet", "500000").json()
    assert (D(cut["amount"]), D(cut["requested"])) == (85_000, 500_000)  # to the cap
    transfers(trader, 2)
    assert trader.collateral() == Decimal(100_000)

    admin.clock(advance_seconds=DAY)
    trader.login()
    admin.login()
    assert assert_error(ask(trader, "faucet", "1"), 409)["code"] == "faucet_at_cap"

    kinds = [
        p["kind"]
        for p in trader.get("/ledger", params={"account_id": trader.account_id}).json()["postings"]
    ]
    assert kinds == ["faucet", "faucet", "practice_grant"]


def test_withdrawals_take_at_most_what_margin_leaves(admin: Admin, trader: Trader) -> None:
    admin.reset_prices()
    trader.market("buy", "0.5")  # BTC at 10x: margin holds about 3,000
    available = D(trader.account()["available"])
    collateral = trader.collateral()
    refused = assert_error(ask(trader, "withdrawal", str(available + 1)), 409)
    assert refused["code"] == "insufficient_available"
    assert trader.collateral() == collateral

    accepted = ask(trader, "withdrawal", str(available - 100))
    assert accepted.status_code == 202, accepted.text
    (done,) = transfers(trader, 1)
    assert done["status"] == "completed"
    assert trader.collateral() == collateral - (available - 100)
    assert D(trader.account()["available"]) == Decimal(100)

    proof = admin.get("/admin/reconciliation").json()
    assert (proof["proven"], proof["discrepancies"]) == (True, [])


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "0.0000001", None, "NaN", True])
def test_bad_amounts_answer_422_naming_the_field(trader: Trader, amount: Any) -> None:
    for kind in ("faucet", "withdrawal"):
        assert_error(ask(trader, kind, amount), 422, field="amount")
    assert trader.collateral() == Decimal(10_000)
    assert trader.get(f"/accounts/{trader.account_id}/transfers").json()["transfers"] == []


def test_another_traders_account_answers_404(trader: Trader, new_trader: Any) -> None:
    other = new_trader()
    for kind in ("faucet", "withdrawal"):
        path = "faucet" if kind == "faucet" else "withdrawals"
        assert_error(other.post(f"/accounts/{trader.account_id}/{path}", json={"amount": "1"}), 404)
    assert_error(other.get(f"/accounts/{trader.account_id}/transfers"), 404)
    assert trader.collateral() == Decimal(10_000)
