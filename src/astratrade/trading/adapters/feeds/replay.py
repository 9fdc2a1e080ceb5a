"""Replays recorded mark/index prices from a CSV file, validated up front."""

from __future__ import annotations

import asyncio
import csv
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from astratrade.shared.money import InvalidNumber, is_multiple, to_decimal
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.prices import Quote
from astratrade.trading.ports import QuoteSink

logger = logging.getLogger(__name__)

HEADER = ["timestamp", "market", "mark", "index"]


class ReplayFeed:
    """Emits the rows of a `timestamp,market,mark,index` CSV, one batch per timestamp.

    The whole file is checked at construction, so a bad file fails at startup with its line
    number rather than halfway through a session. Between batches the feed sleeps the recorded
    time gap divided by `speed`; after the last batch `run` returns."""

    def __init__(
        self, path: Path, markets: Sequence[Market], *, speed: Decimal = Decimal(1)
    ) -> None:
        if not speed.is_finite() or speed <= 0:
            raise ValueError(f"replay speed must be positive, was {speed}")
        self._path = path
        self._speed = speed
        self._markets = {market.id: market for market in markets}
        self._batches = self._load()

    def batches(self) -> list[list[Quote]]:
        """The quotes grouped by identical timestamp, in file order."""
        return [list(batch) for batch in self._batches]

    async def run(self, sink: QuoteSink) -> None:
        """Emit every batch at the recorded pace (scaled by speed), then return."""
        previous: datetime | None = None
        for batch in self._batches:
            moment = batch[0].at
            if previous is not None:
                # The only float in the feed: asyncio wants seconds as a float.
                await asyncio.sleep(float(_seconds(moment - previous) / self._speed))
            previous = moment
            try:
                await sink(list(batch))
            except Exception:
                logger.exception("price sink failed on a replay batch at %s", moment.isoformat())

    def _load(self) -> list[list[Quote]]:
        batches: list[list[Quote]] = []
        # utf-8-sig: spreadsheet exports often start with a byte-order mark.
        with self._path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or [cell.strip() for cell in header] != HEADER:
                raise ValueError(f"{self._path} line 1: expected header {','.join(HEADER)}")
            for row in reader:
                if not row:
                    continue  # blank lines carry nothing
                where = f"{self._path} line {reader.line_num}"
                quote = self._parse(row, where)
                if batches and quote.at == batches[-1][0].at:
                    if any(q.market == quote.market for q in batches[-1]):
                        raise ValueError(f"{where}: {quote.market!r} appears twice at {row[0]}")
                    batches[-1].append(quote)
                elif batches and quote.at < batches[-1][0].at:
                    raise ValueError(
                        f"{where}: timestamp {quote.at.isoformat()} is before "
                        f"{batches[-1][0].at.isoformat()}; rows must be in time order"
                    )
                else:
                    batches.append([quote])
        if not batches:
            raise ValueError(f"{self._path}: no price rows to replay")
        return batches

    def _parse(self, row: list[str], where: str) -> Quote:
        if len(row) != len(HEADER):
            raise ValueError(f"{where}: expected {len(HEADER)} columns, got {len(row)}: {row!r}")
        stamp, market_id, mark_text, index_text = (cell.strip() for cell in row)
        try:
            at = datetime.fromisoformat(stamp)
        except ValueError as error:
            raise ValueError(f"{where}: {stamp!r} is not an ISO-8601 timestamp") from error
        if at.tzinfo is None:
            raise ValueError(f"{where}: timestamp {stamp!r} has no timezone")
        market = self._markets.get(market_id)
        if market is None:
            raise ValueError(f"{where}: unknown market {market_id!r}")
        mark = _price(mark_text, "mark", market, where)
        index = _price(index_text, "index", market, where)
        return Quote(market.id, mark, index, at.astimezone(UTC))


def _price(text: str, name: str, market: Market, where: str) -> Decimal:
    try:
        value = to_decimal(text)
    except InvalidNumber as error:
        raise ValueError(f"{where}: {name} {text!r} is not a finite number") from error
    if value <= 0:
        raise ValueError(f"{where}: {name} {text!r} must be positive")
    # The engine matches and triggers on tick prices; a file from another venue must be
    # re-rounded before it is replayed here.
    if not is_multiple(value, market.tick):
        raise ValueError(f"{where}: {name} {text!r} is not on the {market.id} tick {market.tick}")
    return value


def _seconds(gap: timedelta) -> Decimal:
    # Exact: timedelta.total_seconds() would go through a float.
    return Decimal(gap.days * 86_400 + gap.seconds) + Decimal(gap.microseconds) / 1_000_000
