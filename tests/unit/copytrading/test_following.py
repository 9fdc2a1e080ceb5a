"""The worker's decisions from trading's payloads, against in-memory ports: one batched
read of every copier's account a leader fill, the copies of other leaders or not funded
left alone, the final share and the return adding up to the collateral, and copy account
ids in their source's trading shard."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from copy_support import MARKETS, START, new_copy
from fake_copying import FakeAccounts, FakeUnitOfWork
from hypothesis import given
from hypothesis import strategies as st

from astratrade.copytrading.domain.copies import CopyStatus, StopReason
from astratrade.copytrading.domain.events import CopyClosed, LeaderFillCopied
from astratrade.copytrading.domain.rules import DEFAULT_RULES
from astratrade.copytrading.handlers import following
from astratrade.copytrading.handlers.common import Tools, retrying
from astratrade.shared.clock import ManualClock
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import sequential_ids
from astratrade.shared.messages import Envelope
from astratrade.shared.money import money
from astratrade.shared.shards import shard_of

D = Decimal


def tools_for(uow: FakeUnitOfWork, accounts: FakeAccounts, shards: int = 1) -> Tools:
    return Tools(
        lambda: uow,
        ManualClock(START),
        DEFAULT_RULES,
        accounts,
        MARKETS,
        sequential_ids("x"),
        shards,
    )


def envelope(kind: str, **payload: object) -> Envelope:
    return Envelope(
        event_id="e1",
        type=kind,
        version=1,
        context="trading",
        aggregate_id="a",
        aggregate_version=1,
        occurred_at=datetime(2026, 3, 5, tzinfo=UTC),
        payload={k: str(v) if isinstance(v, Decimal) else v for k, v in payload.items()},
    )


FILL = {
    "fill_id": "f1",
    "account_id": "ada-practice",
    "owner_id": "ada",
    "market": "BTC-USD",
    "side": "buy",
    "size": "0.5",
    "price": "60000",
    "position_before": "0",
    "equity": "120000",
    "leverage": "10",
    "liquidation": False,
}


def copies_of_ada(uow: FakeUnitOfWork, n: int) -> list[str]:
    ids = []
    for i in range(n):
        copy = new_copy()
        copy.id, copy.copy_account_id = f"c{i}", f"copy-{i}"
        copy.pending_events.clear()
        uow.copies.add(copy)
        ids.append(copy.copy_account_id)
    return ids


async def test_a_leader_fill_reads_every_copier_at_once_and_decides_for_each() -> None:
    uow, accounts = FakeUnitOfWork(), FakeAccounts()
    for account in copies_of_ada(uow, 3):
        accounts.hold(account, "1000")
    del accounts.held["copy-2"]  # not funded yet: trading knows no such account
    other = new_copy()
    other.id, other.leader_account_id = "other", "ada-live"  # another account of hers
    other.pending_events.clear()
    uow.copies.add(other)
    decided = await following.on_leader_filled(
        envelope("LeaderFilled", **FILL), uow, tools_for(uow, accounts)
    )
    assert decided == 2
    assert accounts.reads == [(("copy-0", "copy-1", "copy-2"), "BTC-USD")]
    copied = [e for c in uow.copies.rows.values() for e in c.pending_events]
    assert [type(e).__name__ for e in copied] == ["LeaderFillCopied", "LeaderFillCopied"]
    first = copied[0]
    assert isinstance(first, LeaderFillCopied)
    assert (first.size, first.leverage, first.decision_id) == (D("0.00416"), D(10), "d-00000001")
    assert uow.commits == 1


async def test_trading_s_word_on_a_copy_moves_it() -> None:
    uow = FakeUnitOfWork()
    copies_of_ada(uow, 1)
    copy = uow.copies.rows["c0"]
    ids = {"copy_id": "c0", "copy_account_id": "copy-0"}
    await following.on_copy_event(envelope("CopyAccountFunded", **ids, amount="1000"), uow)
    await following.on_copy_event(envelope("CopyAccountFunded", **ids, amount="1000"), uow)
    assert copy.funded
    assert [n[1] for n in uow.copies.notes] == ["funded"]  # told twice, noted once
    refused = {"decision_id": "d1", "market": "BTC-USD", "code": "margin", "message": "no"}
    await following.on_copy_event(envelope("CopyOrderRefused", **ids, **refused), uow)
    assert uow.copies.notes[-1][1] == "refused"
    await following.on_copy_event(envelope("CopyStopLossReached", **ids, equity="500"), uow)
    assert (copy.status, copy.stop_reason) == (CopyStatus.STOPPING, StopReason.STOP_LOSS)
    debited = {"leader_account_id": "ada-practice", "amount": "3.5", "transfer_id": "t"}
    await following.on_copy_event(envelope("ProfitShareDebited", **ids, **debited), uow)
    assert uow.copies.earned == {"c0": D("3.5")}


@given(
    collateral=st.decimals(min_value=0, max_value=100_000, places=6),
    paid=st.decimals(min_value=0, max_value=50, places=6),
)
async def test_the_final_share_and_the_return_add_up_to_the_collateral(
    collateral: Decimal, paid: Decimal
) -> None:
    """For any collateral at the close and shares paid before it: nothing is created or
    lost, the return is never negative, and the shares of the copy's life are 10 % of its
    highest net P&L (collateral - allocation + shares paid), rounded once."""
    uow = FakeUnitOfWork()
    copies_of_ada(uow, 1)
    copy = uow.copies.rows["c0"]
    copy.high_water_mark, copy.profit_share_paid = paid * 10, paid
    copy.stop(StopReason.BY_COPIER, {})
    flattened = {"copy_id": "c0", "copy_account_id": "copy-0", "collateral": collateral}
    await following.on_copy_event(envelope("CopyAccountFlattened", **flattened), uow)
    closed = copy.pending_events[-1]
    assert isinstance(closed, CopyClosed)
    assert closed.returned >= 0
    assert closed.returned + closed.profit_share == collateral
    pnl = collateral - copy.allocation + paid
    if pnl > paid * 10:
        assert copy.profit_share_paid == min(money(pnl * D("0.1")), paid + collateral)
    else:
        assert closed.profit_share == 0


@given(st.integers(min_value=1, max_value=256), st.text(min_size=1, max_size=40))
def test_a_copy_account_is_opened_in_its_source_s_trading_shard(shards: int, source: str) -> None:
    tools = tools_for(FakeUnitOfWork(), FakeAccounts(), shards)
    account = tools.account_id_beside(source)
    assert shard_of(account, shards) == shard_of(source, shards)


async def test_an_event_lost_to_a_race_is_decided_again_unless_its_batch_retries() -> None:
    tries: list[int] = []

    async def attempt() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise Conflict("a copy changed meanwhile")
        return "decided"

    assert await retrying(attempt) == "decided"
    assert len(tries) == 2
    tries.clear()
    with pytest.raises(Conflict):
        await retrying(attempt, alone=False)
