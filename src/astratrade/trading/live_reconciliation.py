"""Live collateral proved against the venue: each connected live account's collateral here
beside its sub-account's balance on Extended (deposits, withdrawals, realised P&L, fees and
funding; unrealised P&L is in neither). A difference, or a venue that cannot be asked, is
reported as a gap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from astratrade.shared.errors import Unavailable
from astratrade.shared.money import ZERO
from astratrade.trading.domain.venue_link import VenueLink

VenueBalance = Callable[[VenueLink], Awaitable[Decimal]]


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
