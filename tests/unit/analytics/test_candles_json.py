"""The candles route writes its JSON itself (1,000 bars through pydantic cost more than the
read): for any bars it is exactly what `CandlesOut` would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.analytics.api.candles import CandleOut, CandlesOut, candles_json
from astratrade.analytics.domain.candles import Candle, Interval

amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("1e12"), places=8, allow_nan=False
) | st.sampled_from([Decimal("1E+4"), Decimal("0E-8"), Decimal("60000.10"), Decimal("0.5")])
moments = st.datetimes(  # Hypothesis bounds are naive; the moments drawn are in UTC
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def bars(draw: st.DrawFn) -> Candle:
    interval = draw(st.sampled_from(list(Interval)))
    at = draw(moments)
    if draw(st.booleans()):
        at = interval.open_time(at)  # as stored; a few with odd times too
    o, h, lo, c, v = (draw(amounts) for _ in range(5))
    return Candle("BTC-USD", interval, at, o, h, lo, c, v)


@given(st.sampled_from(list(Interval)), st.lists(bars(), max_size=5))
def test_the_json_is_what_pydantic_writes(interval: Interval, found: list[Candle]) -> None:
    documented = CandlesOut(
        market="BTC-USD", interval=interval, candles=[CandleOut.of(b) for b in found]
    )
    assert candles_json("BTC-USD", interval, found) == documented.model_dump_json().encode()


def test_a_bar_of_a_minute_reads_as_the_route_always_wrote_it() -> None:
    at = datetime(2026, 3, 2, 10, 7, tzinfo=UTC) + timedelta(hours=1)
    bar = Candle("ETH-USD", Interval.MINUTE, at, *map(Decimal, ("3000", "3012.50", "2990", "1E+1")))
    assert candles_json("ETH-USD", Interval.MINUTE, [bar]) == (
        b'{"market":"ETH-USD","interval":"1m","candles":[{"open_time":"2026-03-02T11:07:00Z",'
        b'"open":"3000","high":"3012.5","low":"2990","close":"10","volume":"0"}]}'
    )
