"""A copy's account as `GET /copies/{id}` shows it, against an in-memory trading: the
account as trading holds it while the copy runs, none once the copy is closed (trading
keeps the closed account at 0; it is not asked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from fake_copying import FakeAccounts, FakeUnitOfWork
from test_following import tools_for

from astratrade.copytrading.api.copies import account_of
from astratrade.copytrading.views.copies import CopyView

D = Decimal
RUNNING = CopyView(
    id="c1",
    leader_user_id="ada",
    leader_username="ada",
    copy_account_id="copy-1",
    source_account_id="ben-practice",
    allocation=D(1000),
    max_loss=D("0.5"),
    stop_equity=D(500),
    profit_share=D("0.1"),
    status="active",
    stop_reason=None,
    started_at=datetime(2026, 3, 2, tzinfo=UTC),
    closed_at=None,
    funded=True,
    high_water_mark=D(0),
    profit_share_paid=D(0),
    returned=None,
)


async def test_a_running_copy_shows_its_account_and_a_closed_one_none() -> None:
    accounts = FakeAccounts()
    accounts.hold("copy-1", "1000", position="0.01")
    tools = tools_for(FakeUnitOfWork(), accounts)
    shown = await account_of(tools, RUNNING)
    assert shown is not None
    assert (shown.equity, [p.size for p in shown.positions if p.market == "BTC-USD"]) == (
        D(1000),
        [D("0.01")],
    )
    asked = len(accounts.reads)
    accounts.hold("copy-1", "0")  # trading's closed copy account: it holds 0
    closed = replace(RUNNING, status="closed", stop_reason="by_copier", returned=D(1000))
    assert await account_of(tools, closed) is None
    assert len(accounts.reads) == asked  # trading was not asked
