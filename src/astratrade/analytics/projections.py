"""Analytics' read models of other contexts' events (exactly once, rebuildable from the
audit log with `astratrade projections rebuild NAME`):

- the volume of each candle, from trading's fills (the marks come from the feed, not
  from events: docs/analytics.md)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, Table

from astratrade.analytics.adapters import candles as stored_candles
from astratrade.analytics.adapters.tables import candle_volumes
from astratrade.analytics.domain.candles import Interval
from astratrade.shared.messages import Envelope


class CandleVolume:
    """Each fill's |size| added to the bar of every interval it happened in (at the fill's
    time), once."""

    name = "analytics.candle_volume"
    source = "trading"
    event_types = frozenset({"OrderFilled"})
    tables: tuple[Table, ...] = (candle_volumes,)  # the marks are the feed's, kept

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        traded: dict[stored_candles.Key, Decimal] = {}
        for envelope in envelopes:
            data = envelope.payload
            size = abs(Decimal(str(data["size"])))
            for interval in Interval:
                key = (
                    str(data["market"]),
                    interval.value,
                    interval.open_time(envelope.occurred_at),
                )
                traded[key] = traded.get(key, Decimal(0)) + size
        stored_candles.add_volume(conn, traded)


PROJECTIONS = (CandleVolume(),)
