"""Practice fill prices, fees and funding rates."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from astratrade.shared.money import ONE, clamp, money, round_to
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import Side
from astratrade.trading.domain.rules import TradingRules


def slippage_rate(notional: Decimal, rules: TradingRules) -> Decimal:
    rate = rules.slippage_base + rules.slippage_per_notional * (
        notional / rules.slippage_notional_unit
    )
    return min(rate, rules.slippage_cap)


def taker_price(
    market: Market, side: Side, size: Decimal, mark: Decimal, rules: TradingRules
) -> Decimal:
    """mark * (1 +/- slippage), rounded to the tick against the trader."""
    rate = slippage_rate(size * mark, rules)
    if side is Side.BUY:
        return round_to(mark * (ONE + rate), market.tick, up=True)
    return max(round_to(mark * (ONE - rate), market.tick, up=False), market.tick)


def fee(notional: Decimal, rate: Decimal) -> Decimal:
    return money(notional * rate)


def funding_rate(premiums: Sequence[Decimal], rules: TradingRules) -> Decimal:
    """clamp(mean premium / 8, -cap, +cap); no samples means no funding."""
    if not premiums:
        return Decimal(0)
    mean = sum(premiums, Decimal(0)) / len(premiums)
    return clamp(mean / rules.funding_divisor, -rules.funding_cap, rules.funding_cap)
