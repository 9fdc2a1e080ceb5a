"""Each connected live account's Extended account stream, followed: its trades and its
orders' ends go to trading as `RecordVenueReports`, which records each trade once. After
every (re)connection, and so on start, a REST re-sync reads the venue's trades and orders,
so what happened while the stream was down is found too. Its positions and balance are
checked against the account here, a difference reported (`extended_stream_checks.py`).

The connection is ours (websockets 15, as for the price feed: the SDK's stream clients
fail with it), everything on it the SDK's: the subscription (`AccountParams`), the
envelope (`StreamRpcResponseModel`), the updates (`AccountParams.deserialize_data`), and
the REST answers (`OpenOrderModel`, `AccountTradeModel`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
from pydantic import TypeAdapter
from websockets.asyncio.client import connect
from x10.clients.streamrpc.subscription_params import AccountParams
from x10.models.asset import AssetOperationModel, AssetOperationStatus, AssetOperationType
from x10.models.base import X10BaseModel
from x10.models.http import WrappedApiResponseModel
from x10.models.order import OpenOrderModel, OrderSide, OrderStatus
from x10.models.stream_rpc import (
    StreamRpcAccountBalanceModel,
    StreamRpcAccountOrdersModel,
    StreamRpcAccountPositionsModel,
    StreamRpcAccountTradesModel,
)
from x10.models.trade import AccountTradeModel
from x10.utils.http import USER_AGENT, RequestHeader

from astratrade.trading.adapters.extended_stream_checks import StreamChecks, venue_sizes
from astratrade.trading.domain.commands import RecordVenueReports
from astratrade.trading.domain.orders import Side
from astratrade.trading.domain.venue_link import VenueLink
from astratrade.trading.domain.venue_reports import (
    VenueFill,
    VenueFunding,
    VenueOrderEnd,
    VenueOrderState,
    VenueTransfer,
)

logger = logging.getLogger(__name__)

Submit = Callable[[RecordVenueReports], Awaitable[object]]
Connected = Callable[[], Awaitable[list[VenueLink]]]
ENDS = {
    OrderStatus.CANCELLED: VenueOrderEnd.CANCELLED,
    OrderStatus.EXPIRED: VenueOrderEnd.EXPIRED,
    OrderStatus.REJECTED: VenueOrderEnd.REJECTED,
}
# A completed asset operation's direction: deposits in, withdrawals out.
MOVES = {
    AssetOperationType.DEPOSIT: 1,
    AssetOperationType.FAST_WITHDRAWAL: -1,
    AssetOperationType.SLOW_WITHDRAWAL: -1,
}
FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS = 0.5, 30.0
TIMEOUT_SECONDS = 10.0


class FundingPaymentModel(X10BaseModel):
    """One of Extended's funding payments (`GET /user/funding/history`), as its API docs
    describe it; the SDK has no model for it. `funding_fee` > 0: the account paid (our
    reading of Extended's docs, not checked against its servers)."""

    id: int
    account_id: int
    market: str
    position_id: int
    side: str
    size: Decimal
    value: Decimal
    mark_price: Decimal
    funding_fee: Decimal
    funding_rate: Decimal
    paid_time: int


class AccountReports:
    """The SDK's account models read as trading's reports, for one sub-account: its
    orders' external ids by the venue's order id, our market names by the venue's."""

    def __init__(self, account_id: str, names: dict[str, str]) -> None:
        self.account_id = account_id
        self.ours = {venue: ours for ours, venue in names.items()}  # the venue's name: ours
        self.external_ids: dict[int, str] = {}

    def orders(self, orders: list[OpenOrderModel]) -> list[VenueOrderState]:
        ended = []
        for order in orders:
            self.external_ids[order.id] = order.external_id
            end = ENDS.get(OrderStatus(order.status))
            if end is not None:
                reason = f"{end.value} on Extended" + (
                    f" ({order.status_reason})" if order.status_reason else ""
                )
                ended.append(VenueOrderState(order.external_id, end, reason))
        return ended

    def fills(self, trades: list[AccountTradeModel]) -> list[VenueFill]:
        return [
            VenueFill(
                trade_id=trade.id,
                external_id=self.external_ids.get(trade.order_id),
                market=self.ours.get(trade.market, trade.market),
                side=Side.BUY if trade.side == OrderSide.BUY else Side.SELL,
                size=trade.qty,
                price=trade.price,
                fee=trade.fee,
                is_taker=trade.is_taker,
                at=datetime.fromtimestamp(trade.created_time / 1000, tz=UTC),
            )
            for trade in trades
            if trade.market in self.ours
        ]

    def funding(self, payments: list[FundingPaymentModel]) -> list[VenueFunding]:
        return [
            VenueFunding(
                payment_id=p.id,
                market=self.ours[p.market],
                payment=p.funding_fee,
                rate=p.funding_rate,
                mark=p.mark_price,
                at=datetime.fromtimestamp(p.paid_time / 1000, tz=UTC),
            )
            for p in payments
            if p.market in self.ours
        ]

    def transfers(self, operations: list[AssetOperationModel]) -> list[VenueTransfer]:
        """Completed deposits (in) and withdrawals (out, their fee with them); transfers
        between sub-accounts and claims are not mirrored."""
        found = []
        for op in operations:
            sign = MOVES.get(AssetOperationType(op.type))
            if sign is None or AssetOperationStatus(op.status) != AssetOperationStatus.COMPLETED:
                continue
            at = datetime.fromtimestamp(op.time / 1000, tz=UTC)
            found.append(VenueTransfer(op.id, sign * abs(op.amount) - abs(op.fee), at))
        return found

    def command(
        self,
        fills: list[VenueFill],
        ended: list[VenueOrderState],
        orders: Sequence[OpenOrderModel] = (),
        complete_as_of: datetime | None = None,
        funding: Sequence[VenueFunding] = (),
        transfers: Sequence[VenueTransfer] = (),
    ) -> RecordVenueReports | None:
        """`orders`: every order reported (pending ones here are confirmed by them);
        `complete_as_of`: a re-sync's, when it began reading the venue's whole list."""
        if not (fills or ended or orders or funding or transfers) and complete_as_of is None:
            return None
        return RecordVenueReports(
            account_id=self.account_id,
            fills=tuple(fills),
            ended=tuple(ended),
            known=tuple(o.external_id for o in orders),
            complete_as_of=complete_as_of,
            funding=tuple(funding),
            transfers=tuple(transfers),
        )


class ExtendedAccountStreams:
    """Follows every connected live account this process writes (`writes`), one stream
    each; a link that goes (disconnected) is no longer followed."""

    def __init__(
        self,
        *,
        api_url: str,
        stream_url: str,
        names: dict[str, str],
        connected: Connected,
        submit: Submit,
        writes: Callable[[str], bool],
        checks: StreamChecks,
        poll_seconds: float = 2.0,
    ) -> None:
        self._api, self._stream_url, self._names = api_url.rstrip("/"), stream_url, names
        self._connected, self._submit, self._writes = connected, submit, writes
        self._checks = checks
        self._poll = poll_seconds
        self._following: dict[str, asyncio.Task[None]] = {}

    async def run(self) -> None:
        try:
            while True:
                try:
                    links = {link.account_id: link for link in await self._connected()}
                except Exception:
                    logger.exception("could not read the connected live accounts")
                    links = {}
                for account_id in list(self._following):
                    if account_id not in links or not self._writes(account_id):
                        self._following.pop(account_id).cancel()
                        self._checks.forget(account_id)
                for account_id, link in links.items():
                    if account_id not in self._following and self._writes(account_id):
                        self._following[account_id] = asyncio.create_task(self.follow(link))
                await asyncio.sleep(self._poll)
        finally:
            for task in self._following.values():
                task.cancel()
            for task in self._following.values():
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def follow(self, link: VenueLink) -> None:
        """One account's stream, reconnected with backoff, re-synced after each connect."""
        reports = AccountReports(link.account_id, self._names)
        wait = FIRST_RETRY_SECONDS
        while True:
            try:
                await self._stream(link, reports)
                wait = FIRST_RETRY_SECONDS  # it was up: the next try comes quickly
                logger.info("Extended account stream of %s ended; reconnecting", link.account_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning(
                    "Extended account stream of %s failed (%s); again in %.1f s",
                    link.account_id,
                    type(error).__name__,
                    wait,
                )
                await asyncio.sleep(wait)
                wait = min(wait * 2, MAX_RETRY_SECONDS)

    async def _stream(self, link: VenueLink, reports: AccountReports) -> None:
        params = AccountParams(account=str(link.venue_account_id), api_key=link.api_key)
        headers = {RequestHeader.USER_AGENT.value: USER_AGENT}
        async with connect(
            self._stream_url, additional_headers=headers, open_timeout=TIMEOUT_SECONDS
        ) as socket:
            request = {"method": "subscribe", "id": "1", "jsonrpc": "2.0"}
            await socket.send(json.dumps(request | {"params": params.to_dict()}))
            # Subscribed first, then the re-sync: what happens meanwhile arrives on the
            # stream too, and recording is idempotent.
            await self.resync(link, reports)
            async for raw in socket:
                await self._on_frame(raw, params, link, reports)

    async def _on_frame(
        self, raw: str | bytes, params: AccountParams, link: VenueLink, reports: AccountReports
    ) -> None:
        message = json.loads(raw)
        if message.get("id") is not None:
            if message.get("error"):
                raise ConnectionError(f"Extended refused the account stream: {message['error']}")
            return
        if message.get("subscription") != params.topic_id:
            return
        update = params.deserialize_data(message.get("data"), str(message.get("type")))
        if isinstance(update, StreamRpcAccountOrdersModel):
            await self._send(reports.command([], reports.orders(update.orders), update.orders))
        elif isinstance(update, StreamRpcAccountTradesModel):
            unknown = [t.order_id for t in update.trades if t.order_id not in reports.external_ids]
            for order_id in unknown:
                reports.orders([await self._order(link, order_id)])
            await self._send(reports.command(reports.fills(update.trades), []))
        elif isinstance(update, StreamRpcAccountPositionsModel):
            # Positions follow from the fills (recorded before this, in the stream's order);
            # the venue's own are checked against them.
            sizes = venue_sizes(update.positions, reports.ours)
            await self._checks.positions(link.account_id, sizes, snapshot=update.is_snapshot)
        elif isinstance(update, StreamRpcAccountBalanceModel):
            if not update.is_snapshot:  # a snapshot comes with the re-sync, which read them
                # The stream carries no funding payments, and its deposit updates no id: a
                # balance change may be either, so read both (each is recorded once, however
                # often it is read).
                funding, transfers = await self._payments(link, reports)
                await self._send(reports.command([], [], funding=funding, transfers=transfers))
            await self._checks.balance(link.account_id, update.balance)

    async def resync(self, link: VenueLink, reports: AccountReports) -> None:
        """The venue's orders (open and past) and trades, recorded as if streamed; a pending
        order older than this reading and not among them never reached the venue."""
        as_of = datetime.now(UTC)
        history = await self._get(link, "/user/orders/history", list[OpenOrderModel])
        open_now = await self._get(link, "/user/orders", list[OpenOrderModel])
        trades = await self._get(link, "/user/trades", list[AccountTradeModel])
        funding, transfers = await self._payments(link, reports)
        ended = reports.orders(history + open_now)
        fills = reports.fills(trades)
        await self._send(
            reports.command(fills, ended, history + open_now, as_of, funding, transfers)
        )

    async def _payments(
        self, link: VenueLink, reports: AccountReports
    ) -> tuple[list[VenueFunding], list[VenueTransfer]]:
        paid = "/user/funding/history?fromTime=0"
        funding = reports.funding(await self._get(link, paid, list[FundingPaymentModel]))
        moved = await self._get(link, "/user/assetOperations", list[AssetOperationModel])
        return funding, reports.transfers(moved)

    async def _order(self, link: VenueLink, order_id: int) -> OpenOrderModel:
        order: OpenOrderModel = await self._get(link, f"/user/orders/{order_id}", OpenOrderModel)
        return order

    async def _get(self, link: VenueLink, path: str, kind: Any) -> Any:
        headers = {
            RequestHeader.USER_AGENT.value: USER_AGENT,
            RequestHeader.API_KEY.value: link.api_key,
            "Accept": "application/json",
        }
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(self._api + path, headers=headers) as answer,
        ):
            text = await answer.text()
            if answer.status != 200:
                raise ConnectionError(f"Extended answered {answer.status} on {path}")
        wrapped = TypeAdapter(WrappedApiResponseModel[kind]).validate_json(text)
        if wrapped.data is None:
            raise ConnectionError(f"Extended answered no data on {path}")
        return wrapped.data

    async def _send(self, command: RecordVenueReports | None) -> None:
        if command is not None:
            await self._submit(command)
