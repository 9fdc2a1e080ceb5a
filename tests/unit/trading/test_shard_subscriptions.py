"""Each shard's consumer group acts on its own accounts' events only: every event reaches
exactly one shard's writer, whichever replicas run the groups."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters.held_shards import HeldShards
from astratrade.trading.domain.commands import ApplyTransfer, OpenPracticeAccount
from astratrade.trading.domain.copy_commands import CreditProfitShare, MarkLeading
from astratrade.trading.domain.shards import Shards
from astratrade.trading.subscriptions import shard_consumer, subscriptions
from astratrade.trading.wiring import consumer_gates


def envelope(event_type: str, payload: dict[str, Any]) -> Envelope:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return Envelope(
        event_id="e-1",
        type=event_type,
        version=1,
        context="source",
        aggregate_id="aggregate",
        aggregate_version=1,
        occurred_at=at,
        payload=payload,
    )


async def deliver_to_every_group(shards: Shards, event: Envelope) -> list[tuple[str, Any]]:
    ran: list[tuple[str, Any]] = []

    async def execute(command: Any, delivery: Delivery) -> None:
        ran.append((delivery.consumer, command))

    for subscription in subscriptions(execute, shards):
        if subscription.event_type == event.type:
            delivery = Delivery(subscription.consumer, event.event_id, "stream", "1-0")
            await subscription.handler(event, delivery)
    return ran


def test_each_shard_has_a_group_of_its_own_for_every_event_type() -> None:
    async def execute(_command: Any, _delivery: Delivery) -> None:
        return None

    found = subscriptions(execute, Shards(3))
    groups = {s.consumer for s in found}
    assert groups == {"trading", "trading.shard-1", "trading.shard-2"}
    for group in groups:
        assert sorted(s.event_type for s in found if s.consumer == group) == [
            "CopyClosed",
            "CopyPositionClosed",
            "CopyStarted",
            "CopyStopping",
            "LeaderFillCopied",
            "LeaderOptedIn",
            "LeaderStopped",
            "LeverageUnlocked",
            "ProfitShareCharged",
            "ProfitShareDebited",
            "TournamentJoined",
            "TransferRequested",
            "UserRegistered",
        ]
    assert shard_consumer(0) == "trading"  # shard 0 keeps the group trading always had


@given(user_id=st.uuids().map(str), count=st.integers(1, 8))
async def test_a_registration_opens_the_account_in_the_owners_shard_only(
    user_id: str, count: int
) -> None:
    shards = Shards(count)
    ran = await deliver_to_every_group(shards, envelope("UserRegistered", {"user_id": user_id}))
    opened = OpenPracticeAccount(owner_id=user_id)
    assert ran == [(shard_consumer(shards.owner_shard(user_id)), opened)]


@given(account_id=st.uuids().map(str), count=st.integers(1, 8))
async def test_a_transfer_applies_in_its_accounts_shard_only(account_id: str, count: int) -> None:
    shards = Shards(count)
    payload = {"transfer_id": "t", "account_id": account_id, "kind": "deposit", "amount": "5"}
    ran = await deliver_to_every_group(shards, envelope("TransferRequested", payload))
    command = ApplyTransfer(
        transfer_id="t", account_id=account_id, kind="deposit", amount=Decimal(5)
    )
    assert ran == [(shard_consumer(shards.of(account_id)), command)]


@given(
    copy_account=st.uuids().map(str), leader_account=st.uuids().map(str), count=st.integers(1, 8)
)
async def test_a_profit_share_is_debited_in_the_copy_s_shard_and_credited_in_the_leader_s(
    copy_account: str, leader_account: str, count: int
) -> None:
    shards = Shards(count)
    charged = {
        "copy_id": "c",
        "copy_account_id": copy_account,
        "leader_account_id": leader_account,
        "amount": "5",
        "period": "weekly",
    }
    debit = await deliver_to_every_group(shards, envelope("ProfitShareCharged", charged))
    assert [group for group, _ in debit] == [shard_consumer(shards.of(copy_account))]
    final = await deliver_to_every_group(
        shards, envelope("ProfitShareCharged", {**charged, "period": "final"})
    )
    assert final == []  # CopyClosed carries the final share
    debited = {**charged, "transfer_id": "t"}
    credit = await deliver_to_every_group(shards, envelope("ProfitShareDebited", debited))
    assert credit == [
        (
            shard_consumer(shards.of(leader_account)),
            CreditProfitShare(leader_account_id=leader_account, amount=Decimal(5), transfer_id="t"),
        )
    ]


@given(leader=st.uuids().map(str), count=st.integers(1, 8))
async def test_an_older_leader_stopped_goes_to_the_leader_s_own_shard(
    leader: str, count: int
) -> None:
    shards = Shards(count)
    ran = await deliver_to_every_group(shards, envelope("LeaderStopped", {"leader_id": leader}))
    stop = MarkLeading(owner_id=leader, account_id=None, leading=False)
    assert ran == [(shard_consumer(shards.owner_shard(leader)), stop)]


def test_each_group_works_where_its_shard_is_held_and_the_read_models_spread() -> None:
    shards = Shards(2)
    held = HeldShards(shards)
    gates = consumer_gates(held, shards)

    assert not any(gate() for gate in gates.values()), "nothing held, nothing works here"
    held.tokens[1] = 7  # this replica holds shard 1 only
    working = sorted(name for name, gate in gates.items() if gate())
    assert working == ["trading.account_activity", "trading.plan_limits", "trading.shard-1"]
    held.tokens[0] = 8
    assert all(gate() for gate in gates.values()), "one replica holding every shard runs all"
