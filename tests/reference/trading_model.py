"""SPEC sections 4-5 (margin, P&L, fees, funding, liquidation, practice fills) as a small
reference model, written from ../shared/SPEC.md alone: it imports nothing from astratrade,
so a rule misread in the domain is not misread here the same way.

Readings of the SPEC where it leaves a detail open (each noted where it is used):
- money is rounded to 6 decimals half-even each time it changes hands (SPEC 2);
- "margin reserved by open orders" is what a resting limit would open, at its own price,
  over the market's leverage (the initial margin it would need if it filled);
- the admission check counts the order's fee and realized P&L ("available would go below 0"
  once the order is in);
- a liquidation closes at mark with no trading fee, only the 1% liquidation fee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

D = Decimal
ZERO = D(0)
MICRO = D("0.000001")

TAKER_FEE = D("0.00025")
MAKER_FEE = D(0)
LIQUIDATION_FEE = D("0.01")
FUNDING_CAP = D("0.001")
SLIPPAGE_BASE = D("0.0001")  # 1 bp
SLIPPAGE_PER_100K = D("0.0001")  # + 1 bp per $100k of notional
SLIPPAGE_CAP = D("0.005")  # 50 bp


@dataclass(frozen=True)
class MarketSpec:
    """A row of SPEC section 3: tick, step, min size, and (max leverage, up to notional)."""

    tick: D
    step: D
    min_size: D
    start: D
    tiers: tuple[tuple[D, D | None], ...]

    def tier_leverage(self, notional: D) -> D:
        for leverage, up_to in self.tiers:
            if up_to is None or notional <= up_to:
                return leverage
        return self.tiers[-1][0]


def _tiers(*rows: tuple[int, int | None]) -> tuple[tuple[D, D | None], ...]:
    return tuple((D(lev), None if cap is None else D(cap)) for lev, cap in rows)


MARKETS = {
    "BTC-USD": MarketSpec(
        D("0.1"),
        D("0.00001"),
        D("0.0001"),
        D(60000),
        _tiers((100, 200_000), (50, 1_000_000), (20, 5_000_000), (10, None)),
    ),
    "ETH-USD": MarketSpec(
        D("0.01"),
        D("0.0001"),
        D("0.001"),
        D(3000),
        _tiers((100, 100_000), (50, 500_000), (20, 2_000_000), (10, None)),
    ),
    "SOL-USD": MarketSpec(
        D("0.001"), D("0.01"), D("0.1"), D(150), _tiers((50, 100_000), (20, 500_000), (10, None))
    ),
    "STRK-USD": MarketSpec(
        D("0.00001"), D(1), D(10), D("0.5"), _tiers((20, 50_000), (10, 200_000), (5, None))
    ),
}


def money(amount: D) -> D:
    return amount.quantize(MICRO, rounding=ROUND_HALF_EVEN)


def to_tick(price: D, tick: D, *, up: bool) -> D:
    units = (price / tick).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return units * tick


# -- the pure rules -------------------------------------------------------------------------


def slippage(notional: D) -> D:
    return min(SLIPPAGE_BASE + SLIPPAGE_PER_100K * notional / D(100_000), SLIPPAGE_CAP)


def taker_fill_price(market: str, sign: int, size: D, mark: D) -> D:
    """mark * (1 +/- slippage), rounded to the tick against the trader."""
    rate = slippage(size * mark)
    tick = MARKETS[market].tick
    if sign > 0:
        return to_tick(mark * (1 + rate), tick, up=True)
    return to_tick(mark * (1 - rate), tick, up=False)


def fee(notional: D, rate: D) -> D:
    return money(notional * rate)


def maintenance_rate(market: str, notional: D) -> D:
    return D("0.5") / MARKETS[market].tier_leverage(notional)


def funding_rate(premiums: list[D]) -> D:
    """clamp(mean premium / 8, -0.1%, +0.1%); an hour without samples pays nothing."""
    if not premiums:
        return ZERO
    mean = sum(premiums, ZERO) / len(premiums)
    return max(-FUNDING_CAP, min(FUNDING_CAP, mean / 8))


@dataclass
class Pos:
    size: D  # signed: + long, - short
    entry: D


def apply_fill(pos: Pos | None, delta: D, price: D) -> tuple[Pos | None, D]:
    """The position after a signed fill, and the P&L it realizes (unrounded)."""
    if pos is None:
        return Pos(delta, price), ZERO
    if (pos.size > 0) == (delta > 0):  # an increase: size-weighted entry
        size = pos.size + delta
        return Pos(size, (pos.size * pos.entry + delta * price) / size), ZERO
    closed = min(abs(delta), abs(pos.size))
    side = 1 if pos.size > 0 else -1
    realized = closed * (price - pos.entry) * side
    size = pos.size + delta
    if size == 0:
        return None, realized
    if (size > 0) == (pos.size > 0):
        return Pos(size, pos.entry), realized
    return Pos(size, price), realized  # flipped: the rest opened at this fill


# -- one account against the house and the insurance fund ----------------------------------


@dataclass
class Resting:
    market: str
    sign: int
    size: D
    price: D


@dataclass
class Book:
    """A trader's account, the house on the other side and the insurance fund."""

    collateral: D
    house: D
    insurance: D
    marks: dict[str, D]
    leverage: dict[str, D]
    positions: dict[str, Pos] = field(default_factory=dict)
    resting: dict[str, Resting] = field(default_factory=dict)

    # margin
    def upnl(self) -> D:
        return sum((p.size * (self.marks[m] - p.entry) for m, p in self.positions.items()), ZERO)

    def equity(self) -> D:
        return self.collateral + self.upnl()

    def initial_margin(self) -> D:
        return sum(
            (abs(p.size) * self.marks[m] / self.leverage[m] for m, p in self.positions.items()),
            ZERO,
        )

    def maintenance_margin(self) -> D:
        total = ZERO
        for m, p in self.positions.items():
            notional = abs(p.size) * self.marks[m]
            total += notional * maintenance_rate(m, notional)
        return total

    def reserved(self) -> D:
        """What resting limits would open, at their price over leverage (oldest first: a
        position covers opposite orders once)."""
        cover = {m: abs(p.size) for m, p in self.positions.items()}
        total = ZERO
        for order in self.resting.values():
            size = order.size
            pos = self.positions.get(order.market)
            if pos is not None and (pos.size > 0) != (order.sign > 0):
                reducing = min(size, cover[order.market])
                cover[order.market] -= reducing
                size -= reducing
            total += size * order.price / self.leverage[order.market]
        return total

    def available(self) -> D:
        return self.equity() - self.initial_margin() - self.reserved()

    # orders
    def headroom(self, market: str, sign: int, size: D, price: D, rate: D) -> D:
        """Available once an order is in (filled at `price` with its fee): it is admitted
        when this is >= 0. Infinity: it only reduces (always accepted); -Infinity: the
        leverage set is above the tier cap of the position it leads to."""
        pos = self.positions.get(market)
        if pos is not None and (pos.size > 0) != (sign > 0) and size <= abs(pos.size):
            return D("Infinity")
        trial = Book(
            self.collateral,
            self.house,
            self.insurance,
            self.marks,
            self.leverage,
            dict(self.positions),
            dict(self.resting),
        )
        trial.fill(market, sign, size, price, rate)
        after = trial.positions.get(market)
        notional = abs(after.size) * self.marks[market] if after else ZERO
        if self.leverage[market] > MARKETS[market].tier_leverage(notional):
            return D("-Infinity")
        return trial.available()

    def fill(self, market: str, sign: int, size: D, price: D, rate: D) -> tuple[D, D]:
        """Trade with the house; returns (realized P&L, fee), both rounded."""
        pos, realized = apply_fill(self.positions.get(market), sign * size, price)
        if pos is None:
            self.positions.pop(market, None)
        else:
            self.positions[market] = pos
        realized = money(realized)
        paid = fee(size * price, rate)
        self.collateral += realized - paid
        self.house += paid - realized
        return realized, paid

    def cover_shortfall(self) -> None:
        """A trader never owes more than the account holds."""
        if self.positions or self.collateral >= 0:
            return
        shortfall = -self.collateral
        from_fund = min(shortfall, max(self.insurance, ZERO))
        self.insurance -= from_fund
        self.house -= shortfall - from_fund
        self.collateral = ZERO

    def pay_funding(self, market: str, rate: D) -> D:
        pos = self.positions.get(market)
        if pos is None or rate == 0:
            return ZERO
        payment = money(pos.size * self.marks[market] * rate)
        self.collateral -= payment
        self.house += payment
        return payment

    def liquidatable(self) -> bool:
        return bool(self.positions) and self.equity() <= self.maintenance_margin()

    def liquidate(self) -> list[tuple[str, D, D]]:
        """Close at mark, largest loss first, until equity > maintenance or none is left;
        1% of closed notional to the insurance fund, never more than the equity left.
        Returns (market, realized, liquidation fee) per close."""
        if not self.liquidatable():
            return []
        self.resting.clear()
        closes = []
        order = sorted(
            self.positions,
            key=lambda m: self.positions[m].size * (self.marks[m] - self.positions[m].entry),
        )
        for market in order:
            if closes and not self.liquidatable():
                break
            pos = self.positions[market]
            mark = self.marks[market]
            sign = -1 if pos.size > 0 else 1
            realized, _ = self.fill(market, sign, abs(pos.size), mark, ZERO)
            charge = min(
                money(abs(pos.size) * mark * LIQUIDATION_FEE),
                max(self.equity().quantize(MICRO, rounding=ROUND_FLOOR), ZERO),
            )
            self.collateral -= charge
            self.insurance += charge
            closes.append((market, realized, charge))
        self.cover_shortfall()
        return closes
