"""Trading rules: practice fill prices (slippage rounded against the trader), fees, funding rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fakes import MARKETS

from astratrade.trading.domain.orders import Side
from astratrade.trading.domain.pricing import fee, funding_rate, slippage_rate, taker_price
from astratrade.trading.domain.rules import TradingRules

D = Decimal
RULES = TradingRules()


@pytest.mark.parametrize(
    ("notional", "rate"),
    [
        ("0", "0.0001"),  # 1 bp
        ("3000", "0.000103"),
        ("100000", "0.0002"),  # + 1 bp per $100k
        ("250000", "0.00035"),
        ("1000000", "0.0011"),
        ("4900000", "0.005"),  # reaches the 50 bp cap
        ("4900001", "0.005"),
        ("50000000", "0.005"),
    ],
)
def test_slippage_is_1bp_plus_1bp_per_100k_capped_at_50bp(notional: str, rate: str) -> None:
    assert slippage_rate(D(notional), RULES) == D(rate)


@pytest.mark.parametrize(
    ("market", "side", "size", "mark", "price"),
    [
        # 60000 * (1 +/- 0.00016): on tick already.
        ("BTC-USD", Side.BUY, "1", "60000", "60009.6"),
        ("BTC-USD", Side.SELL, "1", "60000", "59990.4"),
        # 3000 * 1.000103 = 3000.309 -> up to 3000.31; 3000 * 0.999897 = 2999.691 -> 2999.69
        ("ETH-USD", Side.BUY, "1", "3000", "3000.31"),
        ("ETH-USD", Side.SELL, "1", "3000", "2999.69"),
        # 150 * 1.0001015 = 150.015225 -> 150.016 (tick 0.001); sell 149.984775 -> 149.984
        ("SOL-USD", Side.BUY, "10", "150", "150.016"),
        ("SOL-USD", Side.SELL, "10", "150", "149.984"),
        # 0.5 * 1.0001005 = 0.50005025 -> 0.50006; sell 0.49994975 -> 0.49994
        ("STRK-USD", Side.BUY, "1000", "0.5", "0.50006"),
        ("STRK-USD", Side.SELL, "1000", "0.5", "0.49994"),
        # 6M notional: capped at 50 bp.
        ("BTC-USD", Side.BUY, "100", "60000", "60300"),
        ("BTC-USD", Side.SELL, "100", "60000", "59700"),
    ],
)
def test_taker_price_rounds_to_tick_against_the_trader(
    market: str, side: Side, size: str, mark: str, price: str
) -> None:
    got = taker_price(MARKETS[market], side, D(size), D(mark), RULES)
    assert got == D(price)
    assert got % MARKETS[market].tick == 0


def test_taker_sell_price_never_below_one_tick() -> None:
    assert taker_price(MARKETS["STRK-USD"], Side.SELL, D(10), D("0.00001"), RULES) == D("0.00001")


def test_taker_fee_is_0_025_percent_rounded_half_even_and_maker_is_zero() -> None:
    assert RULES.taker_fee_rate == D("0.00025")
    assert RULES.maker_fee_rate == D(0)
    assert fee(D(60000), RULES.taker_fee_rate) == D(15)
    # 3000.31 * 0.00025 = 0.7500775 -> 0.750078 (half-even, 7 is odd: up)
    assert fee(D("3000.31"), RULES.taker_fee_rate) == D("0.750078")
    # 1599.81 * 0.00025 = 0.3999525 -> 0.399952 (half-even, 2 is even: stays)
    assert fee(D("1599.81"), RULES.taker_fee_rate) == D("0.399952")
    assert fee(D(60000), RULES.maker_fee_rate) == D(0)
    assert str(fee(D(60000), RULES.taker_fee_rate)) == "15.000000"


@pytest.mark.parametrize(
    ("premiums", "rate"),
    [
        ([], "0"),
        (["0.001", "0.003"], "0.00025"),  # mean 0.002 / 8
        (["-0.0004"], "-0.00005"),
        (["0.008"], "0.001"),  # exactly the cap
        (["0.01", "0.002"], "0.00075"),  # 0.006 / 8 = 0.00075: below the cap
        (["0.02"], "0.001"),  # 0.0025 clamped to +0.1%
        (["-0.02", "-0.01"], "-0.001"),  # clamped to -0.1%
    ],
)
def test_funding_rate_is_clamped_mean_premium_over_8(premiums: list[str], rate: str) -> None:
    assert funding_rate([D(p) for p in premiums], RULES) == D(rate)
