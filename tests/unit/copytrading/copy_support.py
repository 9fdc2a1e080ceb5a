"""Shared figures for copy trading's unit tests: the practice markets as sizing sees them
(taken from trading's catalogue, so the two never drift apart), a copy, a leader fill."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from astratrade.copytrading.domain.copies import Copy
from astratrade.copytrading.domain.deciding import CopierState, LeaderFill
from astratrade.copytrading.domain.opening import CopyOpening
from astratrade.copytrading.domain.rules import LeverageTier, MarketRules
from astratrade.shared.ids import sequential_ids
from astratrade.trading.domain.markets import DEFAULT_MARKETS

START = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
MARKETS = {
    m.id: MarketRules(
        m.id, m.step, m.min_size, tuple(LeverageTier(t.max_leverage, t.up_to) for t in m.tiers)
    )
    for m in DEFAULT_MARKETS
}
BTC, ETH, SOL, STRK = (MARKETS[name] for name in ("BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD"))


def D(text: str | int) -> Decimal:
    return Decimal(text)


def opening(**changes: object) -> CopyOpening:
    facts: dict[str, object] = {
        "copier_id": "ben",
        "leader_id": "ada",
        "allocation": D(1000),
        "max_loss": None,
        "source_account_kind": "practice",
        "available": D(10_000),
        "plan": "pro",
        "active_copies": 0,
        "leader_leading": True,
        "leader_copiers": 0,
        "blocked": False,
    }
    facts.update(changes)
    return CopyOpening(**facts)  # type: ignore[arg-type]


def new_copy(allocation: str | int = 1000, max_loss: str | None = None, rate: str = "0.1") -> Copy:
    return Copy.start(
        "c1",
        opening=opening(
            allocation=D(allocation), max_loss=None if max_loss is None else D(max_loss)
        ),
        source_account_id="ben-practice",
        copy_account_id="ben-copy-1",
        leader_account_id="ada-practice",
        profit_share=D(rate),
        at=START,
        decision_ids=sequential_ids("d"),
    )


def fill(
    side: str,
    size: str,
    *,
    before: str = "0",
    market: str = "BTC-USD",
    price: str = "60000",
    leader_equity: str = "120000",
    leverage: str = "20",
    liquidation: bool = False,
    fill_id: str = "f1",
) -> LeaderFill:
    return LeaderFill(
        fill_id=fill_id,
        market=market,
        side=side,
        size=D(size),
        price=D(price),
        position_before=D(before),
        leader_equity=D(leader_equity),
        leader_leverage=D(leverage),
        liquidation=liquidation,
    )


def copier(
    *,
    equity: str = "1000",
    available: str = "1000",
    unlocked: str = "15",
    position: str = "0",
    mark: str = "60000",
) -> CopierState:
    return CopierState(
        equity=D(equity),
        available=D(available),
        unlocked_leverage=D(unlocked),
        position=D(position),
        mark=D(mark),
    )


def event_types(aggregate: object) -> list[str]:
    return [type(e).__name__ for e in aggregate.pending_events]  # type: ignore[attr-defined]
