"""The worker: what copy trading does with trading's events about leaders and copies
(contract "Trading -> copy trading"), and with a block. Each event's effects commit in one
unit of work with its tracking row, so a redelivery has none."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from astratrade.copytrading.domain.copies import Copy, CopyStatus, StopReason
from astratrade.copytrading.domain.deciding import CopierState, LeaderFill
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.ports import MAX_STATES, CopyTradingUnitOfWork
from astratrade.shared.messages import Envelope


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def leader_fill(data: Mapping[str, Any]) -> LeaderFill:
    return LeaderFill(
        fill_id=str(data["fill_id"]),
        market=str(data["market"]),
        side=str(data["side"]),
        size=_d(data["size"]),
        price=_d(data["price"]),
        position_before=_d(data["position_before"]),
        leader_equity=_d(data["equity"]),
        leader_leverage=_d(data["leverage"]),
        liquidation=bool(data.get("liquidation", False)),
    )


async def on_leader_filled(envelope: Envelope, uow: CopyTradingUnitOfWork, tools: Tools) -> int:
    """Decide for every active copy of the leader: their copy accounts read from trading in
    one batched call, every decision recorded in this one unit of work. How many copies
    decided."""
    data = envelope.payload
    fill = leader_fill(data)
    market = tools.markets.get(fill.market)
    async with uow:
        following = [
            copy
            for copy in await uow.copies.active_of_leader(str(data["owner_id"]))
            if copy.leader_account_id == str(data["account_id"])
        ]
        decided = 0
        if following and market is not None:
            ids = [copy.copy_account_id for copy in following]
            for start in range(0, len(ids), MAX_STATES):  # 500 copiers a leader: one read
                states = await tools.accounts.states(ids[start : start + MAX_STATES], fill.market)
                for copy in following[start : start + MAX_STATES]:
                    state = states.accounts.get(copy.copy_account_id)
                    if state is None:
                        continue  # not funded yet: trading knows no such account
                    copier = CopierState(
                        state.equity,
                        state.available,
                        state.unlocked_leverage,
                        state.position,
                        states.mark,
                    )
                    copy.follow_fill(fill, copier, market, tools.rules)
                    decided += 1
        await uow.commit()
        return decided


async def on_copy_event(envelope: Envelope, uow: CopyTradingUnitOfWork) -> None:
    """Trading's word on one copy's account."""
    data = envelope.payload
    async with uow:
        copy = await uow.copies.get(str(data["copy_id"]))
        if copy is not None:
            _apply(envelope, copy, uow)
        await uow.commit()


def trading_note(kind: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The history line trading's event about a copy adds that is no event of copy
    trading's own (funded, refused), named after that event (the live channel, seeing the
    same event, names it alike)."""
    if kind == "CopyAccountFunded":
        return {"kind": "funded", "size": _d(data["amount"])}
    if kind == "CopyOrderRefused":
        return {
            "kind": "refused",
            "market": str(data["market"]),
            "reason": str(data["code"])[:40],
            "detail": f"{data['message']} (decision {data['decision_id']})"[:400],
        }
    return None


def _apply(envelope: Envelope, copy: Copy, uow: CopyTradingUnitOfWork) -> None:
    kind, data, at = envelope.type, envelope.payload, envelope.occurred_at
    note = trading_note(kind, data)
    if note is not None and (kind != "CopyAccountFunded" or copy.mark_funded()):
        uow.copies.note(copy.id, decision_id=envelope.event_id, **{"at": at, **note})
    elif kind == "CopyFundingRefused":
        copy.funding_refused(at)
    elif kind == "CopyStopLossReached":
        # Trading has closed the positions already: nothing to close here.
        if copy.status is CopyStatus.ACTIVE:
            copy.stop(StopReason.STOP_LOSS, {})
    elif kind == "CopyAccountFlattened":
        if copy.status is CopyStatus.STOPPING:
            collateral = _d(data["collateral"])
            copy.close(net_pnl(copy, collateral), collateral, at)
    elif kind == "ProfitShareDebited":
        uow.copies.credit_earned(copy.id, _d(data["amount"]))


def net_pnl(copy: Copy, collateral: Decimal) -> Decimal:
    """The copy's cumulative net P&L from its account's collateral: what it holds less the
    allocation, plus the shares already paid out of it (they are no loss of trading)."""
    return collateral - copy.allocation + copy.profit_share_paid


async def on_block(envelope: Envelope, uow: CopyTradingUnitOfWork) -> None:
    """A block between copier and leader, either way, stops their copies (reason blocked)."""
    data = envelope.payload
    async with uow:
        for copy in await uow.copies.active_between(
            str(data["blocker_id"]), str(data["blocked_id"])
        ):
            copy.stop(StopReason.BLOCKED, {})
        await uow.commit()


COPY_EVENTS = (
    "CopyAccountFunded",
    "CopyFundingRefused",
    "CopyOrderRefused",
    "CopyStopLossReached",
    "CopyAccountFlattened",
    "ProfitShareDebited",
)
