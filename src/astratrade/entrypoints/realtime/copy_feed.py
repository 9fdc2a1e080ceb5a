"""The `copy:<id>` channel: a copier's copy, live. Owner only (anyone else's copy, or one
there is none of, is refused as another's account is). It opens with a snapshot -- the
copy as `GET /copies/{id}` shows it and its latest decisions page -- then carries

- `{"type": "decision", "decision": <as GET /copies/{id}/decisions items>}` for each new
  line of the copy's history, made from the committed event itself (copy trading's own
  decisions, or trading's word that funded it or refused an order): no read per decision,
  the same id the history gives it;
- `{"type": "equity", "equity", "collateral", "available", "positions"}` (the copy account
  as `GET /copies/{id}` shows it) when it changed: read at once after each of trading's
  money or order events on the copy account, and, as prices move, for every copy watched
  here at most once a second in one batched read (trading's copy-account read: one call a
  market for up to 1,000 accounts), published only where a figure moved.

The `leader` channel (hub channel `leader:<user id>`): the caller's own following as a
leader, `{"copiers", "allocated"}` (copies not closed and their allocations), on subscribing
and again after each copy of theirs starts or closes.

A state channel, as `account:<id>`: counted on this hub, a client that comes back gets a
snapshot of now (what it missed is in its decisions page), not a replay."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from astratrade.copytrading.api.copy_schemas import DecisionOut
from astratrade.copytrading.views.live import (
    DECISION_EVENTS,
    FOLLOWING_EVENTS,
    TRADING_NOTES,
    decision_of,
)
from astratrade.entrypoints.realtime.copy_reads import CopyReads
from astratrade.entrypoints.realtime.hub import Hub
from astratrade.shared.errors import NotFound
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)

EQUITY_SECONDS = 1.0  # the most often prices re-read the watched copies' figures
# A channel being subscribed to keeps its decisions while its snapshot is read (they follow
# the snapshot): at most this long, and this long after the read (the client becomes a
# member as the hub goes on, a moment after the read).
JOINING_SECONDS = 10.0
JOINED_SECONDS = 1.0

Snapshot = Callable[[], Awaitable[Any]]
AccountsRead = Callable[[list[str]], Awaitable[dict[str, dict[str, Any]]]]


def copy_channel(copy_id: str) -> str:
    return f"copy:{copy_id}"


def leader_channel(leader_id: str) -> str:
    return f"leader:{leader_id}"


class CopyFeed:
    def __init__(self, hub: Hub, reads: CopyReads, accounts: AccountsRead) -> None:
        """`reads`: copy trading's (whose a copy is, its snapshot); `accounts`: trading's
        copy accounts as `GET /copies/{id}` shows them, by id."""
        self._hub = hub
        self._reads = reads
        self._accounts = accounts
        self._owners: dict[str, tuple[str, str]] = {}  # copy -> (copier, account): fixed
        self._watching: dict[str, str] = {}  # copy account -> copy, subscribed here
        self._joining: dict[str, float] = {}  # channel -> until when (monotonic)
        self._shown: dict[str, dict[str, Any]] = {}  # channel -> its last equity message
        self._refreshed = 0.0
        self._refresh: asyncio.Task[None] | None = None

    async def channel(self, user_id: str, copy_id: str) -> tuple[str, Snapshot]:
        owner = self._owners.get(copy_id)
        if owner is None:
            found = await self._reads.owner_of(copy_id)
            if found is not None:
                owner = self._owners[copy_id] = (found.copier_id, found.copy_account_id)
        name = copy_channel(copy_id)
        if owner is None or owner[0] != user_id:
            raise NotFound(f"no channel {name!r} for you")
        self._watching[owner[1]] = copy_id
        reads = self._reads

        async def snapshot() -> Any:
            self._joining[name] = time.monotonic() + JOINING_SECONDS
            try:
                found = await reads.snapshot(user_id, copy_id)
            finally:
                self._joining[name] = time.monotonic() + JOINED_SECONDS
            account = found.get("copy", {}).get("account")
            if account is not None:
                self._shown[name] = {"type": "equity", **account}
            return found

        return name, snapshot

    def _open(self, name: str) -> bool:
        """Someone watches it here, or is joining it."""
        if self._hub.watched_now(name):
            return True
        until = self._joining.get(name)
        if until is not None and until < time.monotonic():
            del self._joining[name]
            return False
        return until is not None

    def leader(self, user_id: str) -> tuple[str, Snapshot]:
        """The caller's own `leader` channel (anyone has one: no copies, 0 copiers)."""
        reads = self._reads
        return leader_channel(user_id), lambda: reads.following(user_id)

    async def following_changed(self, envelope: Envelope) -> None:
        """A copy started or closed: its leader's figures, if the leader watches here."""
        if envelope.context != "copytrading" or envelope.type not in FOLLOWING_EVENTS:
            return
        leader_id = str(envelope.payload["leader_id"])
        name = leader_channel(leader_id)
        if self._hub.watched_now(name):
            self._hub.publish(name, await self._reads.following(leader_id))

    def decision(self, envelope: Envelope) -> None:
        if envelope.context == "copytrading" and envelope.type in DECISION_EVENTS:
            copy_id = envelope.aggregate_id
        elif envelope.context == "trading" and envelope.type in TRADING_NOTES:
            copy_id = str(envelope.payload.get("copy_id"))
        else:
            return
        if not self._open(copy_channel(copy_id)):
            return  # nobody here watches it: nothing read, nothing kept
        found = decision_of(envelope)
        if found is not None:
            decision = DecisionOut.of(found[1]).model_dump(mode="json")
            self._hub.publish(copy_channel(copy_id), {"type": "decision", "decision": decision})

    async def account_changed(self, account_id: str) -> None:
        """Trading's money or order event on an account: a watched copy's figures now."""
        copy_id = self._watching.get(account_id)
        if copy_id is not None and self._open(copy_channel(copy_id)):
            await self._publish({account_id: copy_id})

    def prices(self) -> None:
        """A batch of prices: the watched copies' figures, once a second at most, one
        refresh at a time."""
        now = time.monotonic()
        if now - self._refreshed < EQUITY_SECONDS or (
            self._refresh is not None and not self._refresh.done()
        ):
            return
        self._refreshed = now
        watched = {}
        for account_id, copy_id in list(self._watching.items()):
            name = copy_channel(copy_id)
            if self._open(name):
                watched[account_id] = copy_id
            else:  # let go of: subscribing again looks it up again
                del self._watching[account_id]
                self._shown.pop(name, None)
        if watched:
            self._refresh = asyncio.create_task(self._publish_quietly(watched))

    async def _publish_quietly(self, watched: dict[str, str]) -> None:
        try:
            await self._publish(watched)
        except Exception:  # a live view must never stop the flow; the next batch tries again
            logger.warning("could not read the watched copies' accounts", exc_info=True)

    async def _publish(self, watched: dict[str, str]) -> None:
        accounts = await self._accounts(sorted(watched))
        for account_id, account in accounts.items():
            name = copy_channel(watched[account_id])
            message = {"type": "equity", **account}
            if self._shown.get(name) != message:
                self._shown[name] = message
                self._hub.publish(name, message)
