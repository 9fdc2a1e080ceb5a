"""What trading does with copy trading's events (and with its own ProfitShareDebited, whose
credit is the leader account's shard's to make): each becomes one of trading's commands,
routed to the shard of the account it names (docs/copytrading.md "Copies in trading")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from astratrade.shared.messages import Envelope
from astratrade.trading.domain.copy_commands import (
    CloseCopyAccount,
    CloseCopyPosition,
    CreditProfitShare,
    DebitProfitShare,
    FlattenCopyAccount,
    MarkLeading,
    OpenCopyAccount,
    PlaceCopyOrder,
)
from astratrade.trading.domain.orders import Side
from astratrade.trading.domain.shards import Shards

CommandOf = Callable[[Envelope], Any]
ShardOf = Callable[[dict[str, Any]], int]
Reaction = tuple[str, str, ShardOf, CommandOf]  # (event type, its context, shard, command)
COPYTRADING = "copytrading"
# A leader fill's copies: hundreds of orders on as many copy accounts, delivered together.
# Handed over a batch at a time (in process), they are decided one after the other on
# trading's engine and their commits grouped (adapters/group_commit.py), instead of each
# waiting for its own commit before the next is decided.
TOGETHER = frozenset({"LeaderFillCopied", "CopyPositionClosed"})
# Which (account id, client order id) pairs have an order written (one read for a batch).
Written = Callable[[list[tuple[str, str]]], Awaitable[set[tuple[str, str]]]]


async def looked_up(commands: list[Any], written: Written) -> list[Any]:
    """A batch's copy orders, each told whether an order of its decision is written
    already: one read for all, instead of one each on trading's engine. A decision met a
    second time in the batch is left to look for itself (the first may be written by
    then)."""
    pairs = [(c.copy_account_id, c.decision_id) for c in commands if isinstance(c, PlaceCopyOrder)]
    if not pairs:
        return commands
    found = await written(pairs)
    seen: set[tuple[str, str]] = set()
    told: list[Any] = []
    for command in commands:
        if isinstance(command, PlaceCopyOrder):
            pair = (command.copy_account_id, command.decision_id)
            if pair not in seen:
                command = replace(command, placed_before=pair in found)
            seen.add(pair)
        told.append(command)
    return told


def copy_reactions(shards: Shards) -> tuple[Reaction, ...]:
    def named(field: str) -> ShardOf:
        return lambda payload: shards.of(str(payload[field]))

    def leader(payload: dict[str, Any]) -> int:
        # A leader's practice account is opened in its owner's shard; an older
        # LeaderStopped names no account, so the owner is what routes it.
        account_id = payload.get("account_id")
        if account_id is None:
            return shards.owner_shard(str(payload["leader_id"]))
        return shards.of(str(account_id))

    copy_account = named("copy_account_id")
    return (
        ("LeaderOptedIn", COPYTRADING, leader, start_leading),
        ("LeaderStopped", COPYTRADING, leader, stop_leading),
        ("CopyStarted", COPYTRADING, named("source_account_id"), open_copy_account),
        ("LeaderFillCopied", COPYTRADING, copy_account, place_copy_order),
        ("CopyPositionClosed", COPYTRADING, copy_account, close_copy_position),
        ("CopyStopping", COPYTRADING, copy_account, flatten_copy_account),
        ("ProfitShareCharged", COPYTRADING, copy_account, debit_profit_share),
        ("CopyClosed", COPYTRADING, copy_account, close_copy_account),
        ("ProfitShareDebited", "trading", named("leader_account_id"), credit_profit_share),
    )


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def start_leading(event: Envelope) -> MarkLeading:
    p = event.payload
    return MarkLeading(owner_id=str(p["leader_id"]), account_id=str(p["account_id"]), leading=True)


def stop_leading(event: Envelope) -> MarkLeading:
    p = event.payload
    account_id = p.get("account_id")
    return MarkLeading(
        owner_id=str(p["leader_id"]),
        account_id=None if account_id is None else str(account_id),
        leading=False,
    )


def open_copy_account(event: Envelope) -> OpenCopyAccount:
    p = event.payload
    return OpenCopyAccount(
        copy_id=str(p["copy_id"]),
        copy_account_id=str(p["copy_account_id"]),
        source_account_id=str(p["source_account_id"]),
        owner_id=str(p["copier_id"]),
        allocation=_d(p["allocation"]),
        max_loss=_d(p["max_loss"]),
    )


def place_copy_order(event: Envelope) -> PlaceCopyOrder:
    p = event.payload
    leverage = p.get("leverage")
    return PlaceCopyOrder(
        copy_account_id=str(p["copy_account_id"]),
        decision_id=_decision_id(event),
        market=str(p["market"]),
        side=Side(p["side"]),
        size=_d(p["size"]),
        leverage=None if leverage is None else _d(leverage),
        reduce_only=bool(p["reduce_only"]),
    )


def close_copy_position(event: Envelope) -> CloseCopyPosition:
    p = event.payload
    return CloseCopyPosition(
        copy_account_id=str(p["copy_account_id"]),
        decision_id=_decision_id(event),
        market=str(p["market"]),
    )


def _decision_id(event: Envelope) -> str:
    # The event's own id stands in for a decision id copy trading did not give.
    return str(event.payload.get("decision_id") or event.event_id)


def flatten_copy_account(event: Envelope) -> FlattenCopyAccount:
    return FlattenCopyAccount(copy_account_id=str(event.payload["copy_account_id"]))


def debit_profit_share(event: Envelope) -> DebitProfitShare | None:
    p = event.payload
    if p["period"] == "final":  # CopyClosed carries the final share
        return None
    return DebitProfitShare(
        copy_account_id=str(p["copy_account_id"]),
        leader_account_id=str(p["leader_account_id"]),
        amount=_d(p["amount"]),
        transfer_id=event.event_id,
    )


def close_copy_account(event: Envelope) -> CloseCopyAccount:
    p = event.payload
    leader_account_id = p.get("leader_account_id")
    return CloseCopyAccount(
        copy_account_id=str(p["copy_account_id"]),
        source_account_id=str(p["source_account_id"]),
        leader_account_id=None if leader_account_id is None else str(leader_account_id),
        profit_share=_d(p.get("profit_share", 0)),
        transfer_id=event.event_id,
    )


def credit_profit_share(event: Envelope) -> CreditProfitShare:
    p = event.payload
    return CreditProfitShare(
        leader_account_id=str(p["leader_account_id"]),
        amount=_d(p["amount"]),
        transfer_id=str(p["transfer_id"]),
    )
