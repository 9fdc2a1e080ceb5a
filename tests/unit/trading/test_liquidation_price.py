"""The liquidation price of a position (cross margin, the other marks held): at it the
account is liquidatable, one tick before it is not, and no price between the mark and it
liquidates. Exact figures for one case, Hypothesis for the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fakes import MARKETS
from hypothesis import assume, given
from hypothesis import strategies as st
from test_money_properties import deterministic

from astratrade.trading.domain.liquidation_price import liquidation_price
from astratrade.trading.domain.margin import equity_and_maintenance
from astratrade.trading.domain.position import Position

D = Decimal
AT = datetime(2026, 1, 5, tzinfo=UTC)
MARKS = {m.id: m.start_price for m in MARKETS.values()}


def liquidatable(collateral: D, positions: dict[str, Position], marks: dict[str, D]) -> bool:
    equity, maintenance = equity_and_maintenance(collateral, positions.values(), marks, MARKETS)
    return equity <= maintenance


def test_a_lone_long_at_10x_is_liquidated_about_9_5_percent_below_entry() -> None:
    positions = {"BTC-USD": Position("BTC-USD", D("1"), D("60000"), AT)}
    # 6000 + (p - 60000) = p * 0.005  ->  p = 54000 / 0.995 = 54271.35...: 54271.3 on the tick.
    price = liquidation_price(D(6000), positions, MARKS, MARKETS, "BTC-USD")
    assert price == D("54271.3")


def test_a_short_is_liquidated_above_and_another_positions_loss_brings_it_closer() -> None:
    alone = {"ETH-USD": Position("ETH-USD", D("-10"), D("3000"), AT)}
    far = liquidation_price(D(3000), alone, MARKS, MARKETS, "ETH-USD")
    both = {**alone, "BTC-USD": Position("BTC-USD", D("0.1"), D("61000"), AT)}  # -100 at mark
    near = liquidation_price(D(3000), both, MARKS, MARKETS, "ETH-USD")
    assert far is not None
    assert near is not None
    assert MARKS["ETH-USD"] < near < far


def test_a_long_that_no_price_can_liquidate_has_none() -> None:
    positions = {"BTC-USD": Position("BTC-USD", D("0.01"), D("60000"), AT)}
    assert liquidation_price(D(10_000), positions, MARKS, MARKETS, "BTC-USD") is None


markets = st.sampled_from(["BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD"])


@st.composite
def accounts(draw: st.DrawFn) -> tuple[D, dict[str, Position]]:
    positions = {}
    for market_id in draw(st.sets(markets, min_size=1, max_size=3)):
        market = MARKETS[market_id]
        notional = draw(st.integers(100, 3_000_000))
        units = max(int(D(notional) / MARKS[market_id] / market.step), 1)
        size = units * market.step * draw(st.sampled_from([1, -1]))
        entry = MARKS[market_id] * (1 + D(draw(st.integers(-500, 500))) / 10_000)
        positions[market_id] = Position(market_id, size, round(entry, 5), AT)
    collateral = D(draw(st.integers(100, 1_000_000)))
    return collateral, positions


@deterministic(400)
@given(account=accounts(), data=st.data())
def test_the_price_is_the_nearest_tick_that_liquidates(account, data) -> None:  # type: ignore[no-untyped-def]
    collateral, positions = account
    market_id = data.draw(st.sampled_from(sorted(positions)))
    assume(not liquidatable(collateral, positions, MARKS))
    price = liquidation_price(collateral, positions, MARKS, MARKETS, market_id)
    tick = MARKETS[market_id].tick
    long = positions[market_id].size > 0
    mark = MARKS[market_id]
    if price is None:
        assert long, "a short always has a price that liquidates it"
        assert not liquidatable(collateral, positions, {**MARKS, market_id: tick})
        return
    assert price < mark if long else price > mark
    assert liquidatable(collateral, positions, {**MARKS, market_id: price})
    before = price + tick if long else price - tick
    assert not liquidatable(collateral, positions, {**MARKS, market_id: before})
    between = data.draw(st.integers(0, 1000)) / D(1000)
    probe = round((before + (mark - before) * between) / tick) * tick
    assert not liquidatable(collateral, positions, {**MARKS, market_id: probe})


def test_a_short_growing_into_the_next_tier_is_liquidated_just_past_the_boundary() -> None:
    # 3.3 BTC short: $200k of notional at 60606.06, where maintenance doubles (0.5 % -> 1 %).
    positions = {"BTC-USD": Position("BTC-USD", D("-3.3"), D("60000"), AT)}
    price = liquidation_price(D(3500), positions, MARKS, MARKETS, "BTC-USD")
    assert price == D("60606.1")
    assert not liquidatable(D(3500), positions, {**MARKS, "BTC-USD": D("60606.0")})
