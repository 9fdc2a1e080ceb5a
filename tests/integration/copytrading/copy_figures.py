"""The figures of a copy worked from the specification's formulas (SPEC 4, 5 and 12,
docs/trading-rules.md), written here apart from the code they check: a practice market
order's fill price and fee, a copy's size, the profit share."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

D = Decimal
TAKER = D("0.00025")
TICKS = {"BTC-USD": D("0.1"), "ETH-USD": D("0.01"), "SOL-USD": D("0.001"), "STRK-USD": D("0.00001")}
STEPS = {"BTC-USD": D("0.00001"), "ETH-USD": D("0.0001"), "SOL-USD": D("0.01"), "STRK-USD": D(1)}
LIQUIDATION_FEE = D("0.01")


def cents(amount: Decimal) -> Decimal:
    """Money where it changes hands: 6 decimals, half-even."""
    return amount.quantize(D("0.000001"), rounding=ROUND_HALF_EVEN)


def fill_price(market: str, side: str, size: str | Decimal, mark: str | Decimal) -> Decimal:
    """A market order: mark x (1 +/- (1 bp + 1 bp per $100k of notional, at most 50 bp)),
    on the tick against the trader."""
    mark = D(mark)
    slippage = min(D("0.0001") + D("0.0001") * (D(size) * mark / D(100_000)), D("0.005"))
    tick = TICKS[market]
    if side == "buy":
        return (mark * (1 + slippage) / tick).to_integral_value(ROUND_CEILING) * tick
    return (mark * (1 - slippage) / tick).to_integral_value(ROUND_FLOOR) * tick


def taker_fee(size: str | Decimal, price: Decimal) -> Decimal:
    return cents(D(size) * price * TAKER)


def copy_size(
    market: str, leader_size: str | Decimal, copy_equity: Decimal, leader_equity: Decimal
) -> Decimal:
    """Leader fill size x copy equity / leader equity, rounded down to the step."""
    step = STEPS[market]
    exact = D(leader_size) * copy_equity / leader_equity
    return (exact / step).to_integral_value(ROUND_FLOOR) * step


def share(rate: str, net_pnl: Decimal, high_water_mark: Decimal = D(0)) -> Decimal:
    """max(0, (cumulative net P&L - high-water mark) x rate)."""
    return cents(max(D(0), (net_pnl - high_water_mark) * D(rate)))
