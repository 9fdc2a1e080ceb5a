"""What one leader fill becomes in one copy (SPEC 12).

"Only positions the leader opens after the copy starts are copied. Sizing is proportional
to equity at the moment of the leader's fill ... Opening or increasing is skipped when the
mark has moved more than 0.5 % (BTC, ETH) or 1.5 % (others) against the copier from the
leader's fill price; reducing and closing always execute. A leader's partial close closes
the same fraction of the copy's position; a leader's liquidation closes the copy's
position in that market."

A fill is read from the leader's position before it and the fill's signed size: from flat
it opens; the same way it increases; the other way it reduces, closes (to flat) or flips
(past flat: a close, then a new position opened after the copy started)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from astratrade.copytrading.domain.decisions import (
    Action,
    Closed,
    CloseReason,
    Copied,
    Decision,
    Skipped,
    SkipReason,
)
from astratrade.copytrading.domain.rules import DEFAULT_RULES, CopyRules, MarketRules
from astratrade.copytrading.domain.sizing import (
    adverse_move,
    copy_leverage,
    proportional_size,
    reduction_size,
    slippage_exceeded,
)
from astratrade.shared.money import ZERO, plain


class FillEffect(StrEnum):
    """What a fill did to the leader's position."""

    OPEN = "open"  # from flat
    INCREASE = "increase"  # further the same way
    REDUCE = "reduce"  # toward flat, not reaching it
    CLOSE = "close"  # to flat
    FLIP = "flip"  # past flat: a close, then a new position the other way


@dataclass(frozen=True, slots=True)
class LeaderFill:
    """A fill on the leader's account, with the facts sizing reads at that moment."""

    fill_id: str
    market: str
    side: str  # buy or sell
    size: Decimal  # positive
    price: Decimal
    position_before: Decimal  # the leader's signed position in the market before the fill
    leader_equity: Decimal
    leader_leverage: Decimal  # the leader's leverage setting in the market
    liquidation: bool = False

    @property
    def signed_size(self) -> Decimal:
        return self.size if self.side == "buy" else -self.size

    @property
    def position_after(self) -> Decimal:
        return self.position_before + self.signed_size

    @property
    def effect(self) -> FillEffect:
        before, after = self.position_before, self.position_after
        if before == 0:
            return FillEffect.OPEN
        if after == 0:
            return FillEffect.CLOSE
        if (after > 0) != (before > 0):
            return FillEffect.FLIP
        return FillEffect.INCREASE if abs(after) > abs(before) else FillEffect.REDUCE


@dataclass(frozen=True, slots=True)
class CopierState:
    """The copy account as the order would meet it."""

    equity: Decimal
    available: Decimal
    unlocked_leverage: Decimal  # the copier's max leverage from their level
    position: Decimal  # the copy's signed position in the fill's market
    mark: Decimal  # the market's mark now, where the copy's market order will fill


def decide(
    fill: LeaderFill,
    copier: CopierState,
    market: MarketRules,
    *,
    followed: bool,
    rules: CopyRules = DEFAULT_RULES,
) -> tuple[Decision, ...]:
    """The copy's decisions for one leader fill. `followed`: the leader's position in this
    market was opened after the copy started (only those are copied)."""
    effect = fill.effect
    if fill.liquidation:
        return (_close_all(fill.market, copier.position, CloseReason.LEADER_LIQUIDATED),)
    if effect is FillEffect.OPEN:
        return (_open_or_increase(fill, fill.size, copier, copier.position, market, rules),)
    if not followed and copier.position == 0:
        # The leader's position predates the copy: nothing of it was copied.
        if effect is FillEffect.FLIP:
            return _not_followed(fill), _new_side(fill, copier, market, rules)
        return (_not_followed(fill),)
    if effect is FillEffect.INCREASE:
        return (_open_or_increase(fill, fill.size, copier, copier.position, market, rules),)
    if effect is FillEffect.REDUCE:
        return (_reduce(fill, copier.position, market),)
    closing = _close_all(fill.market, copier.position, CloseReason.LEADER_CLOSED)
    if effect is FillEffect.CLOSE:
        return (closing,)
    return closing, _new_side(fill, copier, market, rules)


def _new_side(
    fill: LeaderFill, copier: CopierState, market: MarketRules, rules: CopyRules
) -> Decision:
    """A flip's position past flat is a new one, opened after the copy started. The close
    just before it frees margin the available figure does not show yet: trading judges."""
    new_side = abs(fill.position_after)
    return _open_or_increase(fill, new_side, copier, ZERO, market, rules, check_margin=False)


def _open_or_increase(
    fill: LeaderFill,
    leader_part: Decimal,
    copier: CopierState,
    held: Decimal,
    market: MarketRules,
    rules: CopyRules,
    *,
    check_margin: bool = True,
) -> Decision:
    if copier.equity <= 0 or fill.leader_equity <= 0:
        return Skipped(
            fill.market,
            SkipReason.NO_EQUITY,
            f"copy equity {plain(copier.equity)}, leader equity {plain(fill.leader_equity)}",
        )
    size = proportional_size(leader_part, copier.equity, fill.leader_equity, market)
    if size < market.min_size:
        return Skipped(
            fill.market,
            SkipReason.BELOW_MIN_SIZE,
            f"{plain(leader_part)} x {plain(copier.equity)} / {plain(fill.leader_equity)}"
            f" is {plain(size)} on the step {plain(market.step)}, below the minimum"
            f" {plain(market.min_size)}",
        )
    guard = rules.slippage_guard(fill.market)
    if slippage_exceeded(fill.side, fill.price, copier.mark, guard):
        moved = adverse_move(fill.side, fill.price, copier.mark)
        return Skipped(
            fill.market,
            SkipReason.SLIPPAGE,
            f"mark {plain(copier.mark)} moved {plain(round(moved * 100, 4))} % against the"
            f" copy from the leader's {plain(fill.price)}, more than {plain(guard * 100)} %",
        )
    notional = (abs(held) + size) * copier.mark
    leverage = copy_leverage(fill.leader_leverage, copier.unlocked_leverage, market, notional)
    margin = size * copier.mark / leverage
    if check_margin and margin > copier.available:
        return Skipped(
            fill.market,
            SkipReason.INSUFFICIENT_MARGIN,
            f"{plain(size)} at {plain(copier.mark)} and {plain(leverage)}x needs"
            f" {plain(round(margin, 6))}, {plain(copier.available)} is available",
        )
    action = Action.OPEN if held == 0 else Action.INCREASE
    return Copied(fill.market, action, fill.side, size, leverage)


def _reduce(fill: LeaderFill, held: Decimal, market: MarketRules) -> Decision:
    if held == 0:
        return Skipped(fill.market, SkipReason.NO_POSITION, "the copy holds no position here")
    size = reduction_size(held, fill.position_before, fill.size, market)
    if size == abs(held):
        return _close_all(fill.market, held, CloseReason.LEADER_CLOSED)
    side = "sell" if held > 0 else "buy"
    return Copied(fill.market, Action.REDUCE, side, size, None)


def _close_all(market: str, held: Decimal, reason: CloseReason) -> Decision:
    if held == 0:
        return Skipped(market, SkipReason.NO_POSITION, "the copy holds no position here")
    return Closed(market, "sell" if held > 0 else "buy", abs(held), reason)


def _not_followed(fill: LeaderFill) -> Skipped:
    return Skipped(
        fill.market,
        SkipReason.NOT_FOLLOWED,
        "the leader opened this position before the copy started",
    )
