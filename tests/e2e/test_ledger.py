"""The ledger over HTTP and from the CLI: a trader reads their own postings (another's
account answers 404), and reconciliation proves every account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .conftest import Admin, Server, Trader, assert_error, eventually


def ledger_after(trader: Trader, postings: int, **params: Any) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        body: dict[str, Any] = trader.get(
            "/ledger", params={"account_id": trader.account_id, **params}
        ).json()
        return body

    return eventually(read, lambda body: len(body["postings"]) >= postings)


def test_a_trader_reads_their_ledger_and_it_proves_their_balance(
    admin: Admin, trader: Trader, new_trader: Any, server: Server
) -> None:
    admin.reset_prices()
    trader.market("buy", "0.1", market="ETH-USD")
    trader.market("sell", "0.1", market="ETH-USD")
    body = ledger_after(trader, 3)  # the grant and two trades
    kinds = [p["kind"] for p in body["postings"]]
    assert kinds == ["trade", "trade", "practice_grant"]  # newest first
    assert sum(Decimal(p["amount"]) for p in body["postings"]) == trader.collateral()

    page = ledger_after(trader, 2, limit=2)
    assert len(page["postings"]) == 2
    older = trader.get(
        "/ledger",
        params={"account_id": trader.account_id, "limit": 2, "before": page["next_before"]},
    ).json()
    assert [p["kind"] for p in older["postings"]] == ["practice_grant"]
    assert older["next_before"] is None

    other = new_trader()
    assert_error(other.get("/ledger", params={"account_id": trader.account_id}), 404)
    assert_error(trader.get("/admin/reconciliation"), 403)
    proof = admin.get("/admin/reconciliation").json()
    assert (proof["proven"], proof["discrepancies"]) == (True, [])

    done = server.cli("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "proven" in done.stdout
