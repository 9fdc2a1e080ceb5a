"""Edges of the financial rules: legs of one movement summed per account, the faucet at
exactly its cap, what a transfer request announces, the revenue report's counts, journal
entries' identity and reconciliation's naming of gaps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from astratrade.financial.domain.events import TransferRequested
from astratrade.financial.domain.ledger import HOUSE, INSURANCE, JournalEntry, Unbalanced, merge
from astratrade.financial.domain.reconciliation import reconcile
from astratrade.financial.domain.revenue import revenue_report
from astratrade.financial.domain.subscriptions import Plan
from astratrade.financial.domain.trading_facts import entry_for
from astratrade.financial.domain.transfers import (
    FAUCET_CAP,
    FaucetAtCap,
    Funds,
    Transfer,
    TransferKind,
    faucet_amount,
    withdrawal_amount,
)
from astratrade.shared.errors import DomainError


def test_legs_of_one_movement_sum_per_account() -> None:
    legs = merge({"a": D(5), "house": D(-5)}, {"a": D("-1.5"), "fund": D("1.5")}, {})
    assert legs == {"a": D("3.5"), "house": D(-5), "fund": D("1.5")}
    assert merge() == {}


def test_the_faucet_refuses_an_account_exactly_at_its_cap() -> None:
    with pytest.raises(FaucetAtCap, match="100,000"):
        faucet_amount(D(1), Funds("practice", FAUCET_CAP, FAUCET_CAP), used_today=False)
    just_below = Funds("practice", FAUCET_CAP - D("0.000001"), D(0))
    assert faucet_amount(D(5), just_below, used_today=False) == D("0.000001")


def test_a_transfer_request_announces_who_asked_what_and_what_moves() -> None:
    transfer = Transfer.request("t-9", "acct-1", "ann", TransferKind.FAUCET, D(90), D(250))
    assert transfer.id == "t-9"
    (event,) = transfer.pending_events
    assert event == TransferRequested(
        transfer_id="t-9",
        account_id="acct-1",
        owner_id="ann",
        kind="faucet",
        amount=D(90),
        requested=D(250),
    )


def test_the_revenue_report_counts_subscribers_per_paid_plan_and_churn() -> None:
    report = revenue_report({Plan.PRO: 4}, churned=2, started=1)
    assert (report.subscribers, report.churned, report.at_window_start) == (
        {"pro": 4, "elite": 0},
        2,
        5,
    )
    assert report.churn_rate == D("0.4")
    newcomers_only = revenue_report({Plan.ELITE: 3}, churned=0, started=5)
    assert (newcomers_only.at_window_start, newcomers_only.churn_rate) == (0, 0)


def test_an_entry_keeps_the_facts_id_and_time_and_an_unbalanced_one_says_by_how_much() -> None:
    at = datetime(2026, 12, 1, 8, tzinfo=UTC)
    payload = {"account_id": "a", "amount": "50", "source": HOUSE, "reason": "faucet"}
    entry = entry_for("CollateralDeposited", "e-41", at, payload)
    assert (entry.entry_id, entry.kind, entry.at) == ("e-41", "faucet", at)
    assert JournalEntry.of("e-42", "grant", at, {"a": D(1), HOUSE: D(-1)}).entry_id == "e-42"
    with pytest.raises(Unbalanced, match=r"grant e-43 is off by 0\.5"):
        JournalEntry.of("e-43", "grant", at, {"a": D(1), HOUSE: D("-0.5")})


def test_reconciliation_names_a_ledger_account_trading_lacks_and_goes_on() -> None:
    ledger = {"a": D(7), "b": D(0), "c": D(3), HOUSE: D(-10)}
    gaps = reconcile(ledger, {HOUSE: D(-10), "d": D(2)})
    assert [(g.account, g.ledger, g.trading) for g in gaps] == [
        ("a", D(7), None),
        ("c", D(3), None),  # "b" holds nothing in the ledger: no gap, and the check goes on
        ("d", D(0), D(2)),
    ]
    (total,) = reconcile({"a": D(1)}, {"a": D(1)})
    assert (total.ledger, total.trading) == (D(1), None)


def test_only_house_and_fund_names_with_a_shard_number_are_the_house_and_the_fund() -> None:
    for name in ("7", f"{HOUSE}-x1"):  # a gap there is named as it is, not as the house's
        (gap,) = reconcile({name: D(5), HOUSE: D(-5)}, {name: D(4), HOUSE: D(-5)})
        assert (gap.account, gap.ledger, gap.trading) == (name, D(5), D(4))
    sharded = {f"{HOUSE}-3": D(-6), "7": D(5), f"{INSURANCE}-12": D(1)}
    assert reconcile({HOUSE: D(-6), "7": D(5), INSURANCE: D(1)}, sharded) == []


def refusal(call: Callable[[], object]) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.message, refused.value.field


def test_transfer_refusals_say_why() -> None:
    practice = Funds("practice", D(100), D(40))
    assert refusal(lambda: faucet_amount(D(0), practice, used_today=False)) == (
        "amount must be greater than 0",
        "amount",
    )
    assert refusal(lambda: withdrawal_amount(D("0.0000001"), practice)) == (
        "amount 1E-7 has more than 6 decimal places",
        "amount",
    )
    assert refusal(lambda: faucet_amount(D(1), Funds("live", D(0), D(0)), used_today=False))[0] == (
        "the faucet tops up practice accounts only"
    )
    assert refusal(lambda: faucet_amount(D(1), practice, used_today=True))[0] == (
        "the faucet tops an account up once per UTC day; it opens again at 00:00 UTC"
    )
    assert refusal(lambda: withdrawal_amount(D(1), Funds("tournament", D(9), D(9))))[0] == (
        "tournament accounts hold their starting capital; nothing leaves them"
    )
    assert refusal(lambda: withdrawal_amount(D(1), Funds("copy", D(9), D(9))))[0] == (
        "a copy account's money goes back to its source when the copy stops"
    )
    assert refusal(lambda: withdrawal_amount(D(41), practice))[0] == (
        "at most 40 is available to withdraw now"
    )
    underwater = Funds("practice", D(100), D(-3))
    assert refusal(lambda: withdrawal_amount(D(1), underwater))[0] == (
        "at most 0 is available to withdraw now"
    )
