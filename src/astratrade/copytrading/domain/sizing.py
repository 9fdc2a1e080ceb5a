"""The arithmetic of a copy order: proportional size, leverage, the slippage guard and the
size of a proportional reduction. Every rounding leaves the copier with less exposure than
the exact proportion, never more."""

from __future__ import annotations

from decimal import Decimal

from astratrade.copytrading.domain.rules import MarketRules
from astratrade.shared.money import ZERO, round_to


def proportional_size(
    leader_size: Decimal, copy_equity: Decimal, leader_equity: Decimal, market: MarketRules
) -> Decimal:
    """SPEC: "copy size = leader fill size x (copy equity / leader equity), rounded down to the
    market's step". Zero when either equity is not positive."""
    if copy_equity <= 0 or leader_equity <= 0:
        return ZERO
    return round_to(abs(leader_size) * copy_equity / leader_equity, market.step, up=False)


def copy_leverage(
    leader_leverage: Decimal, unlocked: Decimal, market: MarketRules, notional: Decimal
) -> Decimal:
    """SPEC: "Leverage = min(leader's leverage, copier's unlocked, tier cap)"; the tier is the one
    the copy's position is in after the order (its notional at the mark it fills at)."""
    return min(leader_leverage, unlocked, market.tier_cap(notional))


def adverse_move(side: str, leader_price: Decimal, mark: Decimal) -> Decimal:
    """How far the mark has moved against a copier who buys (up) or sells (down), as a
    fraction of the leader's fill price; negative when it moved in the copier's favour."""
    move = (mark - leader_price) / leader_price
    return move if side == "buy" else -move


def slippage_exceeded(side: str, leader_price: Decimal, mark: Decimal, guard: Decimal) -> bool:
    """SPEC: "Opening or increasing is skipped when the mark has moved more than 0.5 % (BTC, ETH)
    or 1.5 % (others) against the copier from the leader's fill price"."""
    return adverse_move(side, leader_price, mark) > guard


def reduction_size(
    copy_position: Decimal,
    leader_before: Decimal,
    leader_closed: Decimal,
    market: MarketRules,
) -> Decimal:
    """SPEC: "A leader's partial close closes the same fraction of the copy's position": the
    fraction rounded UP to the step (toward less exposure), and raised to the minimum size
    so the order is one the venue takes; the whole position when the leader closes fully or
    when what would be left is below the minimum size (a remainder no order could close)."""
    held = abs(copy_position)
    if abs(leader_closed) >= abs(leader_before):
        return held
    exact = held * abs(leader_closed) / abs(leader_before)
    size = max(round_to(exact, market.step, up=True), market.min_size)
    if held - size < market.min_size:
        return held
    return size
