"""Analytics' read models of other contexts' events (exactly once, rebuildable from the
audit log with `astratrade projections rebuild NAME`):

- the volume of each candle, from trading's fills (the marks come from the feed, not
  from events: docs/analytics.md);
- platform analytics (admins' dashboard), one read model per context it hears from:
  users' sign-ups, trading's activity, fills and liquidations, copy trading's copies,
  gamification's tournament entries, financial's subscriptions (MRR);
- trader analytics' journal, from trading's accounts, fills, funding, closes and the money
  moved in and out (flows, never returns): what `GET /analytics/accounts/{id}` reports."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, Table

from astratrade.analytics.adapters import candles as stored_candles
from astratrade.analytics.adapters import platform_store, trader_journal
from astratrade.analytics.adapters import platform_tables as platform
from astratrade.analytics.adapters.tables import (
    account_days,
    candle_volumes,
    closed_trades,
    open_trades,
    position_days,
    trade_calendar,
    trade_totals,
    trader_accounts,
)
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


class TraderJournal:
    """Trader analytics' read model (adapters/trader_journal.py): accounts, trades being
    built and closed, each day's collateral and flows, each day's positions."""

    name = "analytics.trader_journal"
    source = "trading"
    event_types = trader_journal.EVENT_TYPES
    tables: tuple[Table, ...] = (
        trader_accounts,
        open_trades,
        closed_trades,
        trade_calendar,
        trade_totals,
        account_days,
        position_days,
    )

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        trader_journal.fold(conn, envelopes)


class PlatformSignups:
    """Who signed up on which UTC day: sign-ups per day and retention's cohorts."""

    name = "analytics.platform_signups"
    source = "users"
    event_types = frozenset({"UserRegistered"})
    tables: tuple[Table, ...] = (platform.signups,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        platform_store.add_signups(conn, envelopes)


class PlatformTrading:
    """Active traders (an order placed, not by copy trading), each market's volume, fees,
    copied volume and open interest per day, and liquidations per day."""

    name = "analytics.platform_trading"
    source = "trading"
    event_types = frozenset({"AccountOpened", "OrderAccepted", "OrderFilled", "AccountLiquidated"})
    tables: tuple[Table, ...] = (
        platform.activity,
        platform.copy_accounts,
        platform.market_days,
        platform.liquidation_days,
    )

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        fold = platform_store.TradingFold(conn, envelopes)
        for envelope in envelopes:
            fold.apply(envelope)
        fold.save()


class PlatformCopies:
    """Each copy's first and last day active."""

    name = "analytics.platform_copies"
    source = "copytrading"
    event_types = frozenset({"CopyStarted", "CopyStopping", "CopyClosed"})
    tables: tuple[Table, ...] = (platform.copies,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        platform_store.fold_copies(conn, envelopes)


class PlatformTournaments:
    """Each tournament's entrants and the day they joined."""

    name = "analytics.platform_tournaments"
    source = "gamification"
    event_types = frozenset({"TournamentJoined"})
    tables: tuple[Table, ...] = (platform.tournament_entries,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        platform_store.add_entries(conn, envelopes)


class PlatformRevenue:
    """MRR per day from each trader's plan price."""

    name = "analytics.platform_revenue"
    source = "financial"
    event_types = frozenset({"SubscriptionChanged"})
    tables: tuple[Table, ...] = (platform.subscription_prices, platform.mrr_days)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        platform_store.fold_subscriptions(conn, envelopes)


PLATFORM_PROJECTIONS = (
    PlatformSignups(),
    PlatformTrading(),
    PlatformCopies(),
    PlatformTournaments(),
    PlatformRevenue(),
)
PROJECTIONS = (CandleVolume(), TraderJournal(), *PLATFORM_PROJECTIONS)
