"""What reaches the hub: price ticks, and committed events turned into channel messages.

Channels: `prices:<market>` (conflated), `account:<id>` (the account's figures after each
money or order event: whole states, read only while someone watches, from trading's
committed state), `orders` and `positions` (the caller's), `progression` (the
caller's XP, levels, achievements, unlocks), `leaderboard:<board>` (the top after a change:
`xp`, `xp:week`, `roi` -- this week's practice ROI -- and `roi:live`),
`tournament:<id>` (its live board after a close), `feed` (new items of the caller's home
feed), `copy:<id>` (a copier's copy: its decisions and its account's figures,
`copy_feed.py`), `leader` (the caller's copiers and their allocations, `copy_feed.py`).
User channels are kept under the user's id: a client subscribes to `orders` and gets its
own. Trading's events carry their account's owner; everything else
comes from the owning contexts' reads (`trading_reads.py`, `views.py`, `feed_reads.py`,
`copy_reads.py`): in this process where the context runs here, else over its internal
routes; never through trading's engine's lock, never from another context's tables."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from astratrade.entrypoints.realtime.candle_feed import CandleFeed
from astratrade.entrypoints.realtime.copy_feed import CopyFeed
from astratrade.entrypoints.realtime.feed_reads import FeedReads
from astratrade.entrypoints.realtime.hub import Hub
from astratrade.entrypoints.realtime.trading_reads import TradingReads
from astratrade.entrypoints.realtime.views import LiveViews
from astratrade.shared.messages import Envelope
from astratrade.social.views.live import PUSHED
from astratrade.trading.domain.prices import Quote

logger = logging.getLogger(__name__)

ORDER_EVENTS = {"OrderAccepted", "OrderFilled", "OrderCancelled", "OrderTriggered"}
POSITION_EVENTS = {"OrderFilled", "PositionClosed", "AccountLiquidated"}
OWNER_EVENTS = ORDER_EVENTS | POSITION_EVENTS  # routed to their owner's channels
MONEY_EVENTS = {
    *ORDER_EVENTS,
    "CollateralDeposited",
    "CollateralWithdrawn",
    "FundingPaid",
    "AccountLiquidated",
    "ShortfallCovered",
}
PROGRESSION_EVENTS = {
    "XpAwarded",
    "LevelReached",
    "LeverageUnlocked",
    "AchievementUnlocked",
    "StreakUpdated",
}
BOARD_EVENTS = {
    "XpAwarded": "leaderboard:xp",
    "PositionClosed": "leaderboard:roi",
    "AccountLiquidated": "leaderboard:roi",
}


def user_channel(name: str, user_id: str) -> str:
    return f"{name}/{user_id}"


def replays(channel: str) -> bool:
    """User channels carry events, replayed to a client that resumes; the others carry whole
    states, and the state of now supersedes whatever a client missed."""
    return "/" in channel


# The stream that numbers each replayed channel (hub.py `Source`): a user's orders and
# positions come from trading's events, their progression from gamification's.
SOURCES = {"orders": "trading", "positions": "trading", "progression": "gamification"}


def source_of(channel: str) -> str | None:
    kind, slash, _ = channel.partition("/")
    return SOURCES.get(kind) if slash else None


class Feeds:
    def __init__(
        self,
        hub: Hub,
        quotes: dict[str, Quote],
        trading: TradingReads,
        views: LiveViews,
        social: FeedReads | None = None,
        copies: CopyFeed | None = None,
        candles: CandleFeed | None = None,
    ) -> None:
        """`quotes`: every market's quote at the start (kept as each batch comes)."""
        self._hub = hub
        self._quotes = dict(quotes)
        self.markets = list(quotes)
        self.trading = trading  # trading's committed state, read beside its engine
        self.views = views  # gamification's reads: snapshots and boards
        self.social = social  # the `feed` channel's reads (None: no social reads here)
        self.copies = copies  # the `copy:<id>` channels (None: not served here)
        self.candles = candles  # the `candles:` channels (None: not served here)
        self._due: set[str] = set()  # board channels a refresh is already coming for
        self._tasks: set[asyncio.Task[None]] = set()
        self._owners: dict[str, str | None] = {}

    def quote(self, market: str) -> Quote:
        return self._quotes[market]

    def quotes(self, quotes: list[Quote]) -> None:
        for quote in quotes:
            self._quotes[quote.market] = quote
            self._hub.publish(f"prices:{quote.market}", price(quote), conflate=True)
        if self.candles is not None:
            self.candles.quotes(quotes)
        if self.copies is not None:
            self.copies.prices()

    async def event(self, envelope: Envelope, position: int | None = None) -> None:
        """A committed event; `position`: its place in its context's stream, if any."""
        if position is not None:
            self._hub.advance(envelope.context, position)
        try:
            await self._route(envelope, position)
        except Exception:  # a live view must never stop the event flow
            logger.exception("realtime feed failed on %s", envelope.type)

    async def _route(self, envelope: Envelope, position: int | None) -> None:
        kind, data = envelope.type, envelope.payload
        # `type` names the event; an order's own type (OrderAccepted) travels as order_type.
        fields = {("order_type" if name == "type" else name): v for name, v in data.items()}
        message = {**fields, "type": kind, "at": envelope.occurred_at.isoformat()}
        if envelope.context == "trading" and "account_id" in data:
            account_id = str(data["account_id"])
            owner = await self._owner_in(data) if kind in OWNER_EVENTS else None
            if owner is not None and kind in ORDER_EVENTS:
                self._hub.publish(user_channel("orders", owner), message, seq=position)
            if owner is not None and kind in POSITION_EVENTS:
                self._hub.publish(user_channel("positions", owner), message, seq=position)
            if kind in MONEY_EVENTS and self._hub.watched_now(f"account:{account_id}"):
                self._hub.publish(f"account:{account_id}", await self.account(account_id))
            if kind == "PositionClosed" and owner is not None:
                await self._tournament_boards()
            if kind in MONEY_EVENTS and self.copies is not None:
                await self.copies.account_changed(account_id)
        if self.copies is not None:
            self.copies.decision(envelope)
            await self.copies.following_changed(envelope)
        if envelope.context == "gamification" and kind in PROGRESSION_EVENTS:
            channel = user_channel("progression", str(data["user_id"]))
            self._hub.publish(channel, message, seq=position)
        if kind in BOARD_EVENTS:
            for name in self._hub.watched(BOARD_EVENTS[kind]):
                await self._refresh(name, self.views.board_top)
        if envelope.context == "social" and self.social is not None:
            await self._feed(envelope, self.social)

    async def _feed(self, envelope: Envelope, social: FeedReads) -> None:
        """Channel `feed` (hub channel feed:<user id>): a new post or automatic item to
        those watching here who may see it. Not replayed: who gets an item is decided
        among the traders watching on this hub, so another hub's buffer has no copy for
        a trader that was not there; a client that subscribes again gets the home feed's
        first page."""
        watching = {name.removeprefix("feed:") for name in self._hub.watched("feed:")}
        if envelope.type not in PUSHED or not watching:
            return
        item, audience = await social.pushed(envelope, watching)
        for user_id in audience:
            self._hub.publish(f"feed:{user_id}", item)

    async def _owner_in(self, data: dict[str, Any]) -> str | None:
        """The event's own owner. Versions stored before it carried one (OrderAccepted,
        OrderCancelled and OrderTriggered v1) have the account's looked up."""
        if "owner_id" in data:
            owner = data["owner_id"]
            return None if owner is None else str(owner)
        return await self.owner_of(str(data["account_id"]))

    async def owner_of(self, account_id: str) -> str | None:
        if account_id not in self._owners:  # an account's owner never changes
            self._owners[account_id] = await self.trading.owner_of(account_id)
        return self._owners[account_id]

    async def account(self, account_id: str) -> dict[str, Any] | None:
        return await self.trading.account(account_id)

    async def positions_of(self, user_id: str) -> list[dict[str, Any]]:
        """Every open position of the user's accounts, for a `positions` snapshot."""
        return await self.trading.positions_of(user_id)

    async def open_orders_of(self, user_id: str) -> list[dict[str, Any]]:
        """Every open order of the user's accounts, for an `orders` snapshot."""
        return await self.trading.open_orders_of(user_id)

    async def _tournament_boards(self) -> None:
        """A trader's close may move a tournament board: the watched ones are read again."""
        for name in self._hub.watched("tournament:"):
            await self._refresh(
                name, lambda n: self.views.tournament_top(n.removeprefix("tournament:"))
            )

    async def _refresh(self, name: str, read: Callable[[str], Awaitable[Any]]) -> None:
        """Publish the board read again: now when its read model is applied before the
        event gets here, else once after the settling time (events meanwhile share it)."""
        if not self.views.settle_seconds:
            self._hub.publish(name, await read(name))
        elif name not in self._due:
            self._due.add(name)
            task = asyncio.create_task(self._publish_later(name, read))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _publish_later(self, name: str, read: Callable[[str], Awaitable[Any]]) -> None:
        await asyncio.sleep(self.views.settle_seconds)
        self._due.discard(name)
        try:
            self._hub.publish(name, await read(name))
        except Exception:  # a live view must never stop the event flow
            logger.exception("realtime feed could not read %s", name)


def price(quote: Quote) -> dict[str, Any]:
    return {
        "market": quote.market,
        "mark": quote.mark,
        "index": quote.index,
        "at": quote.at.isoformat(),
    }
