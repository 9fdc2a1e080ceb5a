"""What Extended's account stream says of a live sub-account's positions (`ACCOUNT.POSITION`)
and balance (`ACCOUNT.BALANCE`), checked against the account here.

The platform never records a live fill Extended did not report, so positions and collateral
here follow from the venue's trades, funding payments and transfers only; the stream's
positions and balance are never copied in. They are the venue's own word on the outcome,
though, so each one is compared with the account, and a difference is reported as
reconciliation reports a live collateral gap: one log line when it appears (and one when it
is gone), and the `astratrade_live_venue_gaps` gauge (and `…_gap_usd`) on /metrics while it
lasts. Reported, not corrected: which side is right is for an operator to find out (a
transfer between sub-accounts, say, is not mirrored)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal

from prometheus_client import Gauge
from x10.models.balance import BalanceModel
from x10.models.position import PositionModel, PositionSide, PositionStatus

from astratrade.shared.money import ZERO
from astratrade.trading.live_reconciliation import (
    LiveGap,
    LiveHoldings,
    PositionGap,
    balance_gap,
    position_gaps,
)

logger = logging.getLogger(__name__)

Holdings = Callable[[str], Awaitable[LiveHoldings | None]]

GAPS = Gauge(
    "astratrade_live_venue_gaps",
    "Live accounts' positions (one per market) and balances that disagree with what "
    "Extended's account stream last said of them, in this process",
    ["kind"],
)
GAP_USD = Gauge(
    "astratrade_live_venue_gap_usd",
    "Sum of |collateral here - balance on Extended| over the live accounts that disagree",
)


def venue_sizes(positions: Iterable[PositionModel], ours: dict[str, str]) -> dict[str, Decimal]:
    """Signed sizes by our market name (`ours`: the venue's name to ours); a closed
    position is none. Markets we do not trade are left out: nothing here could hold them."""
    sizes = {}
    for position in positions:
        market = ours.get(position.market)
        if market is None:
            continue
        closed = PositionStatus(position.status) == PositionStatus.CLOSED
        sign = -1 if PositionSide(position.side) == PositionSide.SHORT else 1
        sizes[market] = ZERO if closed else sign * abs(position.size)
    return sizes


class StreamChecks:
    """The gaps found so far, by account: a gap is logged when it appears or changes, and
    once more when it is gone; the gauges count those that remain."""

    def __init__(self, holdings: Holdings) -> None:
        self._holdings = holdings
        self._positions: dict[tuple[str, str], PositionGap] = {}  # by account and market
        self._balances: dict[str, LiveGap] = {}

    async def positions(
        self, account_id: str, reported: dict[str, Decimal], *, snapshot: bool
    ) -> list[PositionGap]:
        """`reported`: the markets the update speaks of; a snapshot speaks of every market
        (one it leaves out holds no position on the venue)."""
        mine = await self._holdings(account_id)
        if mine is None:
            return []
        theirs = dict(reported)
        if snapshot:
            theirs = dict.fromkeys(mine.sizes, ZERO) | theirs
        found = position_gaps(account_id, mine.sizes, theirs)
        for market in theirs:
            self._settle_position(account_id, market, found)
        self._show()
        return found

    async def balance(self, account_id: str, reported: BalanceModel) -> LiveGap | None:
        mine = await self._holdings(account_id)
        if mine is None:
            return None
        found = balance_gap(account_id, mine.collateral, reported.balance)
        before = self._balances.pop(account_id, None)
        if found is not None:
            self._balances[account_id] = found
            if before != found:
                logger.warning(
                    "LIVE GAP %s balance: platform %s extended %s gap %s",
                    account_id,
                    found.platform,
                    found.venue,
                    found.gap,
                )
        elif before is not None:
            logger.info("live balance of %s agrees with Extended again", account_id)
        self._show()
        return found

    def forget(self, account_id: str) -> None:
        """An account no longer followed (disconnected, or written elsewhere now)."""
        self._balances.pop(account_id, None)
        for key in [key for key in self._positions if key[0] == account_id]:
            del self._positions[key]
        self._show()

    def _settle_position(self, account_id: str, market: str, found: list[PositionGap]) -> None:
        gap = next((g for g in found if g.market == market), None)
        before = self._positions.pop((account_id, market), None)
        if gap is not None:
            self._positions[(account_id, market)] = gap
            if before != gap:
                logger.warning(
                    "LIVE GAP %s position %s: platform %s extended %s gap %s",
                    account_id,
                    market,
                    gap.platform,
                    gap.venue,
                    gap.gap,
                )
        elif before is not None:
            logger.info("live position of %s in %s agrees with Extended again", account_id, market)

    def _show(self) -> None:
        GAPS.labels(kind="position").set(len(self._positions))
        GAPS.labels(kind="balance").set(len(self._balances))
        # A float only here, for Prometheus, whose samples are floats.
        GAP_USD.set(float(sum(abs(g.gap or ZERO) for g in self._balances.values())))
