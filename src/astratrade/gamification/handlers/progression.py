"""Gamification's use cases: progression from trading's closed positions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from astratrade.gamification.domain.closes import ACCOUNT_KINDS, ClosedPosition
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import ProgressionRules
from astratrade.gamification.ports import GamificationUnitOfWork
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope, correlation


def closed_position(envelope: Envelope, rules: ProgressionRules) -> ClosedPosition | None:
    """The facts of trading's PositionClosed, or None for accounts no trader owns."""
    data = envelope.payload
    kind = data["account_kind"]
    if data.get("owner_id") is None or kind not in ACCOUNT_KINDS:
        return None  # the venue's house and insurance accounts
    risk = data.get("risk_at_stop")
    return ClosedPosition(
        position_id=envelope.event_id,
        account_kind=kind,
        market=str(data["market"]),
        opened_at=moment(data["opened_at"]),
        closed_at=envelope.occurred_at,
        realized_pnl=Decimal(str(data["realized_pnl"])),
        liquidated=bool(data["liquidated"]),
        stop_protected=_protected(risk, Decimal(str(data["unprotected_seconds"])), rules),
        risk_at_stop=None if risk is None else Decimal(str(risk)),
        equity_at_open=Decimal(str(data["equity_at_open"])),
    )


async def record_close(
    user_id: str, close: ClosedPosition, uow: GamificationUnitOfWork, rules: ProgressionRules
) -> Trader:
    async with uow:
        trader = await uow.traders.get(user_id)
        if trader is None:
            trader = Trader.start(user_id, rules)
            uow.traders.add(trader)
        trader.close_position(close, rules)
        await uow.commit()
        return trader


async def record_closes(
    closes: list[tuple[Envelope, ClosedPosition]],
    uow: GamificationUnitOfWork,
    rules: ProgressionRules,
) -> None:
    """`record_close` for each of trading's PositionClosed (with its facts) in order, in
    one commit: the traders read in one query. Each trader ends as closing them one at a
    time leaves it, and each close's events are numbered as it is applied, carrying its
    event's correlation id, as they would be one commit at a time."""
    async with uow:
        owners = [str(envelope.payload["owner_id"]) for envelope, _ in closes]
        traders = await uow.traders.get_many(owners)
        for (envelope, close), user_id in zip(closes, owners, strict=True):
            trader = traders.get(user_id)
            if trader is None:
                trader = traders[user_id] = Trader.start(user_id, rules)
                uow.traders.add(trader)
            request = correlation.set(envelope.correlation_id)
            try:
                trader.close_position(close, rules)
                uow.seal()
            finally:
                correlation.reset(request)
        await uow.commit()


def _protected(risk_at_stop: Any, unprotected_seconds: Decimal, rules: ProgressionRules) -> bool:
    """Guarded by a stop-loss for its whole life: it had one (so a risk at the stop), and
    never went longer than the grace without one. A position opened and closed within the
    grace but never guarded is not protected."""
    return risk_at_stop is not None and unprotected_seconds <= rules.stop_grace_seconds
