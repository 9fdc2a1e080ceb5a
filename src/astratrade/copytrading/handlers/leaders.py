"""Leading: opt in (or change the profit share while leading), and stop leading."""

from __future__ import annotations

from astratrade.copytrading.domain.commands import OptInAsLeader, StopLeading
from astratrade.copytrading.domain.copies import StopReason
from astratrade.copytrading.domain.leaders import Leader
from astratrade.copytrading.handlers.common import Tools
from astratrade.shared.errors import NotFound


async def lead(cmd: OptInAsLeader, tools: Tools) -> Leader:
    """Opt in from the practice account, checked against the read models of the trader's
    level, closes and liquidations; a leader already leading sets their profit share
    instead (a share sent again, or none sent, changes nothing)."""
    uow = tools.new_uow()
    async with uow:
        leader = await uow.leaders.get(cmd.user_id)
        if leader is not None and leader.active:
            if cmd.profit_share is not None:
                leader.set_profit_share(cmd.profit_share, tools.rules)
            await uow.commit()
            return leader
        account_id = await uow.facts.practice_account(cmd.user_id)
        if account_id is None:
            # Trading opens it from the sign-up event, a moment after the sign-up.
            raise NotFound("your practice account is not ready yet; try again in a moment")
        if leader is None:
            leader = Leader(cmd.user_id)
            uow.leaders.add(leader)
        leader.opt_in(
            account_id=account_id,
            record=await uow.facts.record(cmd.user_id, account_id),
            at=tools.clock.now(),
            profit_share=cmd.profit_share,
            rules=tools.rules,
        )
        await uow.commit()
        return leader


async def stop_leading(cmd: StopLeading, tools: Tools) -> Leader:
    """Stop leading (not leading now: 404); every active copy of this leader stops with it,
    in the same transaction (reason leader_stopped; trading closes their positions)."""
    uow = tools.new_uow()
    async with uow:
        leader = await uow.leaders.get(cmd.user_id)
        if leader is None or not leader.active:
            raise NotFound("you are not leading")
        leader.stop()
        for copy in await uow.copies.active_of_leader(cmd.user_id):
            copy.stop(StopReason.LEADER_STOPPED, {})
        await uow.commit()
        return leader
