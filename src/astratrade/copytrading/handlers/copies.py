"""Copying: open a copy (every rule of docs/copytrading.md "Opening a copy", in order) and
stop one. Trading moves the money; these record the copy and say so by events."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from astratrade.copytrading.domain.commands import StartCopy, StopCopy
from astratrade.copytrading.domain.copies import Copy, StopReason
from astratrade.copytrading.domain.opening import CopyOpening, check_before_funds
from astratrade.copytrading.handlers.common import Tools
from astratrade.shared.errors import NotFound
from astratrade.shared.money import ZERO


async def start_copy(cmd: StartCopy, tools: Tools) -> Copy:
    uow = tools.new_uow()
    async with uow:
        leader_id = await uow.facts.user_by_username(cmd.leader) or f"unknown:{cmd.leader}"
        leader = await uow.leaders.get(leader_id)
        source = await uow.facts.practice_account(cmd.user_id)
        mine, theirs = await uow.copies.counts(cmd.user_id, leader_id)
        opening = CopyOpening(
            copier_id=cmd.user_id,
            leader_id=leader_id,
            allocation=cmd.allocation,
            max_loss=cmd.max_loss,
            # Without a practice account known yet there is none to fund from.
            source_account_kind="practice" if source is not None else "none",
            available=cmd.allocation,
            plan=await uow.facts.plan(cmd.user_id),
            active_copies=mine,
            leader_leading=leader is not None and leader.active,
            leader_copiers=theirs,
            blocked=await uow.facts.blocked(cmd.user_id, leader_id),
        )
        check_before_funds(opening, tools.rules)  # refused there: no read of trading
        opening = replace(opening, available=await _available(tools, source or ""))
        copy_id = tools.ids()
        copy = Copy.start(
            copy_id,
            opening=opening,
            source_account_id=source or "",
            copy_account_id=tools.account_id_beside(source or copy_id),
            leader_account_id=leader.account_id if leader else "",
            profit_share=leader.profit_share if leader else ZERO,
            at=tools.clock.now(),
            rules=tools.rules,
            decision_ids=tools.ids,
        )
        uow.copies.add(copy)
        await uow.commit()
        return copy


async def _available(tools: Tools, source: str) -> Decimal:
    """The source account's available margin as trading has committed it (0 if unknown)."""
    states = await tools.accounts.states([source], tools.any_market)
    found = states.accounts.get(source)
    return ZERO if found is None else found.available


async def stop_copy(cmd: StopCopy, tools: Tools) -> Copy:
    """The copier stops it: trading closes its positions (CopyStopping), then the copy
    closes when trading says the account is flat. Another user's copy: 404; a copy
    already stopping or closed: 409 copy_not_active."""
    uow = tools.new_uow()
    async with uow:
        copy = await uow.copies.get(cmd.copy_id)
        if copy is None or copy.copier_id != cmd.user_id:
            raise NotFound(f"no copy {cmd.copy_id}")
        copy.stop(StopReason.BY_COPIER, {})
        await uow.commit()
        return copy
