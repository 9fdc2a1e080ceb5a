"""The candles route writes its JSON itself, from the columns read raw (1,000 bars through
pydantic, or a Decimal and a datetime per value, cost more than the read): for any bars,
read as SQLite keeps them or as PostgreSQL's driver gives them, it is exactly what
`CandlesOut` would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from astratrade.analytics.adapters.candles import bar_text
from astratrade.analytics.api.candles import CandleOut, CandlesOut, candles_json
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime, utc_text
from astratrade.shared.money import plain, plain_text

amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("1e12"), places=8, allow_nan=False
) | st.sampled_from(
    [Decimal("1E+4"), Decimal("0E-8"), Decimal("60000.10"), Decimal("0.5"), Decimal("-0")]
)
moments = st.datetimes(  # Hypothesis bounds are naive; the moments drawn are in UTC
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
SQLITE = sqlite.dialect()
_sqlite_decimal = ExactDecimal().dialect_impl(SQLITE).bind_processor(SQLITE)
_sqlite_time = UtcDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)


@st.composite
def bars(draw: st.DrawFn) -> Candle:
    interval = draw(st.sampled_from(list(Interval)))
    at = draw(moments)
    if draw(st.booleans()):
        at = interval.open_time(at)  # as stored; a few with odd times too
    o, h, lo, c, v = (draw(amounts) for _ in range(5))
    return Candle("BTC-USD", interval, at, o, h, lo, c, v)


def as_sqlite_keeps(bar: Candle) -> tuple[Any, ...]:
    """The row as SQLite keeps it (the columns' own writes), read without types."""
    assert _sqlite_decimal is not None
    assert _sqlite_time is not None
    amounts = (bar.open, bar.high, bar.low, bar.close, bar.volume)
    return (_sqlite_time(bar.open_time), *map(_sqlite_decimal, amounts))


def as_postgres_gives(bar: Candle) -> tuple[Any, ...]:
    """The row as asyncpg gives it: Decimals, and timestamptz as an aware datetime."""
    return (bar.open_time, bar.open, bar.high, bar.low, bar.close, bar.volume)


@given(st.sampled_from(list(Interval)), st.lists(bars(), max_size=5))
def test_the_json_is_what_pydantic_writes(interval: Interval, found: list[Candle]) -> None:
    documented = CandlesOut(
        market="BTC-USD", interval=interval, candles=[CandleOut.of(b) for b in found]
    )
    for read in (as_sqlite_keeps, as_postgres_gives):
        texts = [bar_text(*read(b)) for b in found]
        assert candles_json("BTC-USD", interval, texts) == documented.model_dump_json().encode()


def test_a_bar_of_a_minute_reads_as_the_route_always_wrote_it() -> None:
    at = datetime(2026, 3, 2, 10, 7, tzinfo=UTC) + timedelta(hours=1)
    row = (f"{at:%Y-%m-%d %H:%M:%S}.000000", "3000", "3012.50", "2990", "1E+1", None)
    assert candles_json("ETH-USD", Interval.MINUTE, [bar_text(*row)]) == (
        b'{"market":"ETH-USD","interval":"1m","candles":[{"open_time":"2026-03-02T11:07:00Z",'
        b'"open":"3000","high":"3012.5","low":"2990","close":"10","volume":"0"}]}'
    )


@given(amounts)
def test_plain_of_the_text_is_plain_of_the_decimal(amount: Decimal) -> None:
    assert plain_text(str(amount)) == plain(amount)


def test_a_time_in_another_form_is_still_written_in_utc() -> None:
    """Not SQLAlchemy's SQLite text (a row written some other way): parsed, not sliced."""
    assert utc_text("2026-03-02 11:07:00") == "2026-03-02T11:07:00Z"
    assert utc_text("2026-03-02T13:07:00.250000+02:00") == "2026-03-02T11:07:00.250000Z"
    assert utc_text("2026-03-02 11:07:00.000001") == "2026-03-02T11:07:00.000001Z"
