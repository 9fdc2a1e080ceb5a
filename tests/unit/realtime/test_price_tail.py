"""The realtime service's prices: the latest quote of each market from the shared stream,
and of several batches read at once (the replica fell behind) one fan-out of the newest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from astratrade.entrypoints.realtime.price_tail import PriceTail
from astratrade.trading.adapters.price_stream import encode_quotes
from astratrade.trading.domain.prices import Quote

AT = datetime(2026, 3, 2, tzinfo=UTC)


def batch(n: int, *markets: str) -> dict[str, str]:
    at = AT + timedelta(seconds=n)
    return {"quotes": encode_quotes([Quote(m, Decimal(n), Decimal(n), at) for m in markets])}


class Stream:
    """A prices stream with entries 1-0, 2-0, ... (newest last)."""

    def __init__(self, entries: list[dict[str, str]]) -> None:
        self.entries = [(f"{n}-0", fields) for n, fields in enumerate(entries, start=1)]

    async def xrevrange(self, _key: str, count: int) -> list[tuple[str, dict[str, str]]]:
        return list(reversed(self.entries))[:count]

    async def xread(self, offsets: dict[str, str], **_: Any) -> list[Any]:
        (last,) = offsets.values()
        after = [e for e in self.entries if int(e[0].split("-")[0]) > int(last.split("-")[0])]
        return [("prices", after)] if after else []


async def test_the_tail_starts_from_each_markets_latest_quote() -> None:
    published: list[list[Quote]] = []
    stream = Stream([batch(1, "BTC-USD", "ETH-USD"), batch(2, "BTC-USD")])
    tail = PriceTail(stream, "prices", published.append)
    assert await tail._catch_up() == "2-0"
    ((btc, eth),) = published
    assert (btc.market, btc.mark, eth.market, eth.mark) == ("BTC-USD", 2, "ETH-USD", 1)


async def test_batches_read_together_are_one_fan_out_of_the_newest_quotes() -> None:
    published: list[list[Quote]] = []
    stream = Stream([batch(n, "BTC-USD", "ETH-USD") for n in range(1, 6)])
    tail = PriceTail(stream, "prices", published.append)
    assert await tail._read("2-0") == "5-0"
    assert [[(q.market, q.mark) for q in quotes] for quotes in published] == [
        [("BTC-USD", 5), ("ETH-USD", 5)]
    ]
