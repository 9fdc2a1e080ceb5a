"""Instructions to the trading context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.messages import Command
from astratrade.trading.domain.orders import OrderType, Side, TimeInForce
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.venue_reports import (
    VenueFill,
    VenueFunding,
    VenueOrderState,
    VenueTransfer,
)


@dataclass(frozen=True, kw_only=True)
class PlaceOrder(Command):
    owner_id: str
    account_id: str
    market: str
    side: Side
    type: OrderType
    size: Decimal
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    reduce_only: bool = False
    time_in_force: TimeInForce | None = None
    client_order_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CancelOrder(Command):
    owner_id: str
    order_id: str


@dataclass(frozen=True, kw_only=True)
class CancelLiveOrders(Command):
    """Every order of a live account, cancelled on the venue (a mass cancel) and here: the
    trader is disconnecting it."""

    owner_id: str
    account_id: str


@dataclass(frozen=True, kw_only=True)
class RecordVenueReports(Command):
    """What the live venue reported for a live account (its stream, or a re-sync): trades
    to record as fills (each once), orders it ended, the external ids of every order it
    reported (`known`), and, for a re-sync, when the venue's complete list of orders was
    read (`complete_as_of`: a pending order older than that and not known never got there)."""

    account_id: str
    fills: tuple[VenueFill, ...] = ()
    ended: tuple[VenueOrderState, ...] = ()
    known: tuple[str, ...] = ()
    funding: tuple[VenueFunding, ...] = ()
    transfers: tuple[VenueTransfer, ...] = ()
    complete_as_of: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ClosePosition(Command):
    owner_id: str
    account_id: str
    market: str


@dataclass(frozen=True, kw_only=True)
class SetLeverage(Command):
    owner_id: str
    account_id: str
    market: str
    leverage: Decimal


@dataclass(frozen=True, kw_only=True)
class SetDailyLossLimit(Command):
    """None removes the limit."""

    owner_id: str
    account_id: str
    daily_loss_limit: Decimal | None


@dataclass(frozen=True, kw_only=True)
class OpenPracticeAccount(Command):
    owner_id: str


@dataclass(frozen=True, kw_only=True)
class OpenLiveAccount(Command):
    owner_id: str


@dataclass(frozen=True, kw_only=True)
class OpenTournamentAccount(Command):
    """From gamification's TournamentJoined: the entrant's account, with the starting capital."""

    owner_id: str
    account_id: str
    starting_capital: Decimal
    markets: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True, kw_only=True)
class ApplyTransfer(Command):
    """From financial's TransferRequested: money into (faucet) or out of (withdrawal) an
    account's collateral."""

    transfer_id: str
    account_id: str
    kind: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class ProcessQuotes(Command):
    """New marks: run triggers, limit fills and liquidations for the markets quoted."""

    quotes: tuple[Quote, ...]


@dataclass(frozen=True, kw_only=True)
class AdvanceClock(Command):
    """Time moved: sample premiums and pay funding for every hour boundary passed."""

    now: datetime


@dataclass(frozen=True, kw_only=True)
class SetLeverageLimit(Command):
    """The trader's unlocked max leverage, from the progression context's events."""

    owner_id: str
    max_leverage: Decimal
