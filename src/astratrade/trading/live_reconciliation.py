"""Live collateral proved against the venue: each connected live account's collateral here
beside its sub-account's balance on Extended (deposits, withdrawals, realised P&L, fees and
funding; unrealised P&L is in neither). A difference, or a venue that cannot be asked, is
reported as a gap. The same comparisons check what the venue's account stream says of the
sub-account's positions and balance (`adapters/extended_stream_checks.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from astratrade.shared.errors import Unavailable
from astratrade.shared.money import ZERO
from astratrade.trading.domain.venue_link import VenueLink

VenueBalance = Callable[[VenueLink], Awaitable[Decimal]]
VenuePositions = Callable[[VenueLink], Awaitable[dict[str, Decimal]]]


@dataclass(frozen=True, slots=True)
class LiveGap:
    account_id: str
    platform: Decimal
    venue: Decimal | None  # None: the venue could not be asked

    @property
    def gap(self) -> Decimal | None:
        return None if self.venue is None else self.platform - self.venue


async def live_gaps(
    links: list[VenueLink], balance_of: VenueBalance, collateral: Mapping[str, Decimal]
) -> list[LiveGap]:
    """Every live account whose collateral is not the venue's balance, by account id."""
    gaps = []
    for link in sorted(links, key=lambda link: link.account_id):
        mine = collateral.get(link.account_id, ZERO)
        try:
            theirs: Decimal | None = await balance_of(link)
        except Unavailable:
            theirs = None
        if theirs != mine:
            gaps.append(LiveGap(link.account_id, mine, theirs))
    return gaps


@dataclass(frozen=True, slots=True)
class LiveHoldings:
    """What a live account holds here, to compare with the venue's word on it."""

    collateral: Decimal
    sizes: dict[str, Decimal]  # positions by market, long above zero


@dataclass(frozen=True, slots=True)
class PositionGap:
    """A market where the account's position here is not the sub-account's on the venue
    (signed sizes: long above zero, none is zero)."""

    account_id: str
    market: str
    platform: Decimal
    venue: Decimal

    @property
    def gap(self) -> Decimal:
        return self.platform - self.venue


def position_gaps(
    account_id: str, ours: Mapping[str, Decimal], theirs: Mapping[str, Decimal]
) -> list[PositionGap]:
    """Every market `theirs` speaks of where the sizes differ, by market. A market absent
    from `ours` holds no position here."""
    return [
        PositionGap(account_id, market, ours.get(market, ZERO), size)
        for market, size in sorted(theirs.items())
        if ours.get(market, ZERO) != size
    ]


def balance_gap(account_id: str, collateral: Decimal, balance: Decimal) -> LiveGap | None:
    """The venue's balance as its stream reports it, against the collateral here."""
    return None if collateral == balance else LiveGap(account_id, collateral, balance)


async def live_position_gaps(
    links: list[VenueLink],
    positions_of: VenuePositions,
    sizes: Mapping[str, Mapping[str, Decimal]],
) -> list[PositionGap]:
    """Every live account's positions here beside its sub-account's on the venue, whose
    answer lists every open position (a market it leaves out holds none there). A venue
    that cannot be asked is left to the balance's check, which reports it unreachable."""
    gaps = []
    for link in sorted(links, key=lambda link: link.account_id):
        mine = sizes.get(link.account_id, {})
        try:
            theirs = await positions_of(link)
        except Unavailable:
            continue
        gaps += position_gaps(link.account_id, mine, dict.fromkeys(mine, ZERO) | theirs)
    return gaps
