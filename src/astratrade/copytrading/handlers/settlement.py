"""The weekly profit share: at Monday 00:00 UTC (the platform's clock) every active copy
settles on its account's collateral. A copy's last settlement is kept with it, in the
transaction that records the share, so a week settles once per copy across restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from astratrade.copytrading.domain.profit_share import week_start
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.handlers.following import net_pnl
from astratrade.copytrading.ports import MAX_STATES, CopyTradingUnitOfWork

BATCH = 200  # copies a transaction: a short one, the rest at the next run


async def settle_due(new_uow: Callable[[], CopyTradingUnitOfWork], tools: Tools) -> int:
    """Settle up to BATCH copies whose week has turned; how many were."""
    now: datetime = tools.clock.now()
    uow = new_uow()
    async with uow:
        due = await uow.copies.due_for_settlement(week_start(now), min(BATCH, MAX_STATES))
        if not due:
            return 0
        ids = [copy.copy_account_id for copy in due]
        states = await tools.accounts.states(ids, tools.any_market)
        for copy in due:
            state = states.accounts.get(copy.copy_account_id)
            if state is None:  # not funded (yet): no P&L, no share, the week still turns
                copy.settle_week(copy.high_water_mark, copy.allocation, now)
                continue
            copy.settle_week(net_pnl(copy, state.collateral), state.collateral, now)
        await uow.commit()
        return len(due)
