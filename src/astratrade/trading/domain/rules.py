"""The trading figures of docs/trading-rules.md, kept together so they are configuration."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TradingRules:
    taker_fee_rate: Decimal = Decimal("0.00025")
    maker_fee_rate: Decimal = Decimal(0)
    # Practice fills: 1 bp + 1 bp per $100k of notional, capped at 50 bp.
    slippage_base: Decimal = Decimal("0.0001")
    slippage_per_notional: Decimal = Decimal("0.0001")
    slippage_notional_unit: Decimal = Decimal(100_000)
    slippage_cap: Decimal = Decimal("0.005")
    default_leverage: Decimal = Decimal(5)
    max_open_orders: int = 200
    liquidation_fee_rate: Decimal = Decimal("0.01")
    # Funding: clamp(mean premium over the hour / 8, -0.1%, +0.1%), sampled once a minute.
    funding_divisor: Decimal = Decimal(8)
    funding_cap: Decimal = Decimal("0.001")
    funding_interval_seconds: int = 3600
    funding_sample_seconds: int = 60
    # After a clock jump, the hour boundaries settled one by one (each recorded). Only the
    # first can have samples; the hours past this many pay nothing and are skipped, so a
    # jump of years costs what a jump of a day does.
    funding_catch_up_hours: int = 24
