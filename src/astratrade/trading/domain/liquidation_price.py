"""The mark at which a position would be liquidated, the other marks staying where they are.

Cross margin: an account is liquidated when equity ≤ Σ maintenance margin. Moving
one market's mark p, with K = collateral + the other positions' unrealized P&L minus their
maintenance, that is K + s·(p - e) ≤ |s|·p·r, where s is the signed size, e the entry and r
the maintenance rate of the tier |s|·p falls in. Within a tier the boundary is
p = (s·e - K) / (s - |s|·r); where the tier changes, maintenance jumps. So the price is found
among each tier's root and each tier boundary, on the market's tick, checked with the same
arithmetic the liquidation check uses: the nearest such price on the losing side of the mark
at which the account is liquidatable."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from astratrade.shared.money import ZERO, round_to
from astratrade.trading.domain.margin import Markets, equity_and_maintenance
from astratrade.trading.domain.position import Position


def liquidation_price(
    collateral: Decimal,
    positions: Mapping[str, Position],
    marks: Mapping[str, Decimal],
    markets: Markets,
    market_id: str,
) -> Decimal | None:
    """None when no price of this market alone liquidates the account (or it already is)."""
    position = positions[market_id]
    market = markets[market_id]
    size, entry = position.size, position.entry_price
    mark = marks[market_id]
    long = size > ZERO

    def liquidatable(price: Decimal) -> bool:
        equity, maintenance = equity_and_maintenance(
            collateral, positions.values(), {**marks, market_id: price}, markets
        )
        return equity <= maintenance

    if liquidatable(mark):
        return None
    others = [p for m, p in positions.items() if m != market_id]
    equity, maintenance = equity_and_maintenance(collateral, others, marks, markets)
    k = equity - maintenance
    candidates: set[Decimal] = set()
    for tier in market.tiers:
        divisor = size - abs(size) * tier.maintenance_rate
        root = (size * entry - k) / divisor
        candidates.add(round_to(root, market.tick, up=not long))
        if tier.up_to is not None:  # just past the boundary, the next tier's maintenance
            edge = tier.up_to / abs(size)
            candidates.add(round_to(edge, market.tick, up=False) + market.tick)
    if long:
        below = sorted((c for c in candidates if ZERO < c < mark), reverse=True)
        return next((c for c in below if liquidatable(c)), None)
    above = sorted(c for c in candidates if c > mark)
    return next((c for c in above if liquidatable(c)), None)
