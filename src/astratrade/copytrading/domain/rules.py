"""Copy trading's figures (docs/copytrading.md), kept together so they are configuration,
and the market facts sizing needs, passed in as plain values.

Contexts never import each other (import-linter's independence contract), so trading's
`Market` is not imported here: whoever wires copy trading copies the few facts sizing uses
(step, minimum size, risk tiers) into a `MarketRules` from trading's published market list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType

from astratrade.shared.errors import ValidationFailed
from astratrade.shared.money import ZERO, plain


@dataclass(frozen=True, slots=True)
class LeverageTier:
    """Max leverage while a position's notional is at most `up_to` (None: no bound)."""

    max_leverage: Decimal
    up_to: Decimal | None


@dataclass(frozen=True, slots=True)
class MarketRules:
    """What copy sizing needs of a market: its size grid and its leverage tiers."""

    market: str
    step: Decimal
    min_size: Decimal
    tiers: tuple[LeverageTier, ...]

    def tier_cap(self, notional: Decimal) -> Decimal:
        """The max leverage of the tier a position of this notional is in."""
        for tier in self.tiers:
            if tier.up_to is None or notional <= tier.up_to:
                return tier.max_leverage
        return self.tiers[-1].max_leverage


_SLOTS: Mapping[str, int] = MappingProxyType({"free": 0, "pro": 3, "elite": 10})


@dataclass(frozen=True, slots=True)
class CopyRules:
    # Leaders (SPEC 12): level >= 3, >= 20 closed positions, no liquidation in 7 days.
    leader_min_level: int = 3
    leader_min_closed_positions: int = 20
    leader_liquidation_cooldown: timedelta = timedelta(days=7)
    leader_account_kind: str = "practice"
    max_copiers_per_leader: int = 500
    # Profit share as a fraction of the profit above the high-water mark: 0-20 %, 10 % default.
    profit_share_max: Decimal = Decimal("0.20")
    profit_share_default: Decimal = Decimal("0.10")
    # Copies: allocation at least 100; concurrent copies by plan; stop-loss 10-90 %, 50 %.
    min_allocation: Decimal = Decimal(100)
    copy_slots: Mapping[str, int] = field(default_factory=lambda: _SLOTS)
    max_loss_min: Decimal = Decimal("0.10")
    max_loss_max: Decimal = Decimal("0.90")
    max_loss_default: Decimal = Decimal("0.50")
    # Slippage guard on openings and increases: how far the mark may have moved against the
    # copier from the leader's fill price; the majors are deep, the others get more room.
    slippage_guard_majors: Decimal = Decimal("0.005")
    slippage_guard_others: Decimal = Decimal("0.015")
    major_markets: frozenset[str] = frozenset({"BTC-USD", "ETH-USD"})

    def slots_for(self, plan: str) -> int:
        """Concurrent copies the plan allows; a plan this table does not know allows none."""
        return self.copy_slots.get(plan, 0)

    def slippage_guard(self, market: str) -> Decimal:
        if market in self.major_markets:
            return self.slippage_guard_majors
        return self.slippage_guard_others

    def check_profit_share(self, rate: Decimal) -> Decimal:
        """'A leader sets a profit share of 0-20 %': a fraction from 0 to 0.20."""
        if not ZERO <= rate <= self.profit_share_max:
            raise ValidationFailed(
                "profit_share",
                f"profit share was {plain(rate)}, it must be from 0"
                f" to {plain(self.profit_share_max)}",
            )
        return rate

    def check_max_loss(self, max_loss: Decimal) -> Decimal:
        """'A maximum loss of 10-90 % of the allocation': a fraction from 0.10 to 0.90."""
        if not self.max_loss_min <= max_loss <= self.max_loss_max:
            raise ValidationFailed(
                "max_loss",
                f"max loss was {plain(max_loss)}, it must be from {plain(self.max_loss_min)}"
                f" to {plain(self.max_loss_max)}",
            )
        return max_loss


DEFAULT_RULES = CopyRules()
