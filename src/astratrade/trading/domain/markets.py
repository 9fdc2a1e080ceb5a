"""Markets and their rules: tick, size step, minimum size, risk tiers, order value limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from astratrade.shared.money import is_multiple, plain
from astratrade.trading.domain.errors import InvalidOrder


@dataclass(frozen=True, slots=True)
class RiskTier:
    """Max leverage allowed while a position's notional is at most `up_to` (None: no bound)."""

    max_leverage: Decimal
    up_to: Decimal | None
    # MMR = 0.5 / max leverage of the tier: maintenance is half the tightest initial margin.
    maintenance_rate: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "maintenance_rate", Decimal("0.5") / self.max_leverage)


@dataclass(frozen=True, slots=True)
class Market:
    id: str
    tick: Decimal
    step: Decimal
    min_size: Decimal
    start_price: Decimal
    tiers: tuple[RiskTier, ...]
    max_market_order_value: Decimal = Decimal(1_000_000)
    max_limit_order_value: Decimal = Decimal(5_000_000)

    def tier_for(self, notional: Decimal) -> RiskTier:
        for tier in self.tiers:
            if tier.up_to is None or notional <= tier.up_to:
                return tier
        return self.tiers[-1]

    @property
    def top_leverage(self) -> Decimal:
        return self.tiers[0].max_leverage

    def check_size(self, size: Decimal, name: str = "size", *, closes: bool = False) -> None:
        """On the step and at least the minimum; `closes`: the order is for the whole
        position the other way, which may be below the minimum (partial closes rounded to
        the step can leave one there, and it must still close)."""
        if size <= 0:
            raise InvalidOrder(name, f"{name} must be positive, was {plain(size)}")
        if not is_multiple(size, self.step):
            raise InvalidOrder(
                name, f"{name} {plain(size)} is not a multiple of the {self.id} step {self.step}"
            )
        if size < self.min_size and not closes:
            raise InvalidOrder(
                name, f"{name} {plain(size)} is below the {self.id} minimum of {self.min_size}"
            )

    def check_price(self, price: Decimal, name: str = "price") -> None:
        if price <= 0:
            raise InvalidOrder(name, f"{name} must be positive, was {plain(price)}")
        if not is_multiple(price, self.tick):
            raise InvalidOrder(
                name, f"{name} {plain(price)} is not a multiple of the {self.id} tick {self.tick}"
            )


def _tiers(*pairs: tuple[int, int | None]) -> tuple[RiskTier, ...]:
    return tuple(
        RiskTier(Decimal(lev), None if cap is None else Decimal(cap)) for lev, cap in pairs
    )


# The practice catalogue of docs/trading-rules.md, modelled on Extended's market rules.
DEFAULT_MARKETS: tuple[Market, ...] = (
    Market(
        "BTC-USD",
        Decimal("0.1"),
        Decimal("0.00001"),
        Decimal("0.0001"),
        Decimal(60_000),
        _tiers((100, 200_000), (50, 1_000_000), (20, 5_000_000), (10, None)),
    ),
    Market(
        "ETH-USD",
        Decimal("0.01"),
        Decimal("0.0001"),
        Decimal("0.001"),
        Decimal(3_000),
        _tiers((100, 100_000), (50, 500_000), (20, 2_000_000), (10, None)),
    ),
    Market(
        "SOL-USD",
        Decimal("0.001"),
        Decimal("0.01"),
        Decimal("0.1"),
        Decimal(150),
        _tiers((50, 100_000), (20, 500_000), (10, None)),
    ),
    Market(
        "STRK-USD",
        Decimal("0.00001"),
        Decimal(1),
        Decimal(10),
        Decimal("0.5"),
        _tiers((20, 50_000), (10, 200_000), (5, None)),
    ),
)
