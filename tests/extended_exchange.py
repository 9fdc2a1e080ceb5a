"""A local stand-in for Extended's public market data, for tests only (never shipped).

No Extended server is reachable from the test machines, so this loopback server speaks
the part of Extended's wire format the `extended` price feed uses, every payload built with
the official SDK's own models (`x10-python-trading-starknet`) so that the SDK parses them:

- `GET /api/v1/info/markets`: `WrappedApiResponseModel[list[MarketModel]]`, each market's
  `marketStats` carrying the scripted mark and index;
- `GET /api/v1/user/account/info` with `X-Api-Key`: `WrappedApiResponseModel[AccountModel]`
  for a known key, 401 with the venue's error envelope otherwise;
- `/stream.extended.exchange/v2/rpc`: the stream RPC; `subscribe` to the `prices` scope
  (mark or index, every market) answers the request and then pushes
  `StreamRpcResponseModel[StreamRpcPriceModel]` frames for each market every interval;
  `subscribe` to the `account` scope (with the sub-account's `apiKey`, as the SDK's
  `AccountParams` sends it) pushes snapshots, then every `ACCOUNT.ORDER`, `ACCOUNT.TRADE`,
  `ACCOUNT.POSITION` and `ACCOUNT.BALANCE` update;
- orders (`tests/extended_book.py`): `POST /user/order` (the SDK's `NewOrderModel`, its
  Stark signature verified), `DELETE /user/order?externalId=`, `POST
  /user/order/massCancel`, and for a re-sync `GET /user/orders`, `/user/trades`,
  `/user/positions`, `/user/balance`; each refusal in the venue's error envelope;
- deposits (`POST /_standin/deposit` with an API key and an amount; a sub-account's
  starting balance is one too): the SDK's `AssetOperationModel` on
  `GET /user/assetOperations`, `ACCOUNT.DEPOSIT` and `ACCOUNT.BALANCE` on the stream;
- changes reported only by their outcome (`tests/extended_unreported.py`): a transfer to
  another sub-account (`POST /_standin/transfer`), a position moved with no trade (`POST
  /_standin/shift_position`);
- funding (`POST /_standin/pay_funding` with a market and a rate): each position in the
  market pays or receives it at the mark, kept for `GET /user/funding/history` in the shape
  of Extended's API docs (the SDK has no model for it), the balance change on the stream.

Scripted prices, sub-accounts, silence and dropped connections are set from the test, in
process, or over `POST /_standin/price`, `/_standin/accounts`, `/_standin/silence` and
`/_standin/drop` (and `/_standin/drop_next_fill`: the next fill happens, its stream
updates are lost with the connection; `/_standin/tamper_next_order`: the next order's
signature is altered on its way in, as a forger's would be; `/_standin/answer_after`: order
placements wait that many seconds, as a slow venue's would) when it runs as its own process:
`python tests/extended_exchange.py --port 8765`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web
from pydantic import BaseModel, ValidationError
from x10.models.account import AccountModel
from x10.models.base import SettlementSignatureModel
from x10.models.http import ResponseErrorModel, ResponseStatus, WrappedApiResponseModel
from x10.models.market import (
    L2ConfigModel,
    MarketModel,
    MarketStatsModel,
    MarketTradingHours,
    MarketType,
    RiskFactorConfigModel,
    TradingConfigModel,
)
from x10.models.order import NewOrderModel, PlacedOrderModel
from x10.models.stream_rpc import StreamRpcPriceModel, StreamRpcResponseModel

from extended_book import Book, Refused, SubAccount, Update
from extended_unreported import shift_position, transfer

STREAM_PATH = "/stream.extended.exchange/v2/rpc"
API_PATH = "/api/v1"

# Extended's market name: (mark, index), more digits than our ticks, as the venue sends.
DEFAULT_PRICES: dict[str, tuple[Decimal, Decimal]] = {
    "BTC-USD": (Decimal("64267.380482593245"), Decimal("64286.409493065992")),
    "ETH-USD": (Decimal("3120.4567"), Decimal("3119.9871")),
    "SOL-USD": (Decimal("151.23456"), Decimal("151.20001")),
    "STRK-USD": (Decimal("0.512345"), Decimal("0.512001")),
}


def market_model(name: str, mark: Decimal, index: Decimal) -> MarketModel:
    """A perpetual market as the venue describes it (BTC-USD's figures from the SDK's own
    test fixture, for every market: only the prices matter to the feed)."""
    trading = TradingConfigModel(
        min_order_size=Decimal("0.0001"),
        min_order_size_change=Decimal("0.00001"),
        min_price_change=Decimal("0.1"),
        max_market_order_value=Decimal(1_000_000),
        max_limit_order_value=Decimal(5_000_000),
        max_position_value=Decimal(10_000_000),
        max_leverage=Decimal(50),
        max_num_orders=200,
        limit_price_cap=Decimal("0.05"),
        limit_price_floor=Decimal("0.05"),
        risk_factor_config=[
            RiskFactorConfigModel(upper_bound=Decimal(400_000), risk_factor=Decimal("0.02"))
        ],
    )
    stats = MarketStatsModel(
        daily_volume=Decimal("2410800.768021"),
        daily_volume_base=Decimal("37.94502"),
        daily_price_change=Decimal("969.9"),
        daily_low=mark * Decimal("0.98"),
        daily_high=mark * Decimal("1.02"),
        last_price=mark,
        ask_price=mark,
        bid_price=mark,
        mark_price=mark,
        index_price=index,
        funding_rate=Decimal("-0.000034"),
        next_funding_rate=1715072400000,
        open_interest=Decimal("150629.886375"),
        open_interest_base=Decimal("2.34380"),
    )
    return MarketModel(
        name=name,
        type=MarketType.PERPETUAL,
        asset_name=name.split("-")[0],
        asset_precision=5,
        collateral_asset_name="USD",
        collateral_asset_precision=6,
        active=True,
        is_rfq=False,
        is_off_hours=False,
        trading_hours=MarketTradingHours.CONTINUOUS,
        market_stats=stats,
        trading_config=trading,
        l2_config=L2ConfigModel(
            type="STARKX",
            collateral_id="0x31857064564ed0ff978e687456963cba09c2c6985d8f9300a1de4962fafa054",
            collateral_resolution=1_000_000,
            synthetic_id="0x4254432d3600000000000000000000",
            synthetic_resolution=1_000_000,
        ),
    )


class ExtendedStandIn:
    """The stand-in's state: scripted prices, silence, open stream connections."""

    def __init__(
        self,
        prices: dict[str, tuple[Decimal, Decimal]] | None = None,
        *,
        interval_seconds: float = 0.05,
    ) -> None:
        self.prices = dict(prices or DEFAULT_PRICES)
        self.interval = interval_seconds
        self.silent = False  # connections stay open, nothing is pushed
        self.connections = 0  # stream connections accepted so far
        self.sockets: set[web.WebSocketResponse] = set()
        self.accounts: dict[str, AccountModel] = {}  # by API key
        self.book = Book(self._market_named, lambda name: self.prices[name][0])
        # The account stream's subscribers: API key: (socket, topic) pairs.
        self.subscribers: dict[str, set[tuple[web.WebSocketResponse, str]]] = {}
        self.drop_next_fill = False  # the next fill's updates are lost with the connection
        self.tamper_next_order = False  # the next order's signature is altered on the way
        self.answer_after = 0.0  # seconds an order placement waits before it is taken
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{API_PATH}"

    @property
    def stream_url(self) -> str:
        return f"{self.base_url.replace('http://', 'ws://')}{STREAM_PATH}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(f"{API_PATH}/info/markets", self._markets)
        app.router.add_get(f"{API_PATH}/user/account/info", self._account)
        app.router.add_post(f"{API_PATH}/user/order", self._place)
        app.router.add_delete(f"{API_PATH}/user/order", self._cancel)
        app.router.add_post(f"{API_PATH}/user/order/massCancel", self._mass_cancel)
        app.router.add_get(f"{API_PATH}/user/orders", self._open_orders)
        app.router.add_get(f"{API_PATH}/user/orders/history", self._order_history)
        app.router.add_get(f"{API_PATH}/user/orders/{{order_id}}", self._order_by_id)
        app.router.add_get(f"{API_PATH}/user/trades", self._trades)
        app.router.add_get(f"{API_PATH}/user/positions", self._positions)
        app.router.add_get(f"{API_PATH}/user/balance", self._balance)
        app.router.add_get(f"{API_PATH}/user/funding/history", self._funding_history)
        app.router.add_get(f"{API_PATH}/user/assetOperations", self._asset_operations)
        app.router.add_post("/_standin/pay_funding", self._pay_funding)
        app.router.add_post("/_standin/deposit", self._deposit)
        app.router.add_post("/_standin/transfer", self._transfer)
        app.router.add_post("/_standin/shift_position", self._shift_position)
        app.router.add_get(STREAM_PATH, self._stream)
        app.router.add_post("/_standin/drop_next_fill", self._set_drop_next_fill)
        app.router.add_post("/_standin/tamper_next_order", self._set_tamper_next_order)
        app.router.add_post("/_standin/answer_after", self._set_answer_after)
        app.router.add_post("/_standin/accounts", self._add_account)
        app.router.add_post("/_standin/price", self._set_price)
        app.router.add_post("/_standin/silence", self._set_silence)
        app.router.add_post("/_standin/drop", self._drop)
        return app

    async def start(self, port: int = 0) -> ExtendedStandIn:
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        bound = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{bound}"
        return self

    async def stop(self) -> None:
        await self.drop()
        if self._runner is not None:
            await self._runner.cleanup()

    async def drop(self) -> None:
        """Close every stream connection, as a venue restarting would."""
        for socket in list(self.sockets):
            await socket.close()

    # -- the venue's endpoints ------------------------------------------------------------

    async def _markets(self, _request: web.Request) -> web.Response:
        wrapped = WrappedApiResponseModel[list[MarketModel]](
            status=ResponseStatus.OK,
            data=[market_model(name, *prices) for name, prices in self.prices.items()],
        )
        return web.json_response(text=wrapped.model_dump_json(by_alias=True, exclude_none=True))

    def _market_named(self, name: str) -> MarketModel | None:
        prices = self.prices.get(name)
        return market_model(name, *prices) if prices is not None else None

    def add_account(
        self,
        api_key: str,
        account_id: int,
        vault: int,
        public_key: int,
        balance: Decimal = Decimal(10_000),
    ) -> None:
        sub_account = SubAccount(
            api_key=api_key, account_id=account_id, vault=vault, public_key=public_key
        )
        self.book.accounts[api_key] = sub_account
        self.book.deposit(sub_account, balance)  # deposited before anyone follows it
        self.accounts[api_key] = AccountModel(
            id=account_id,
            description="stand-in sub-account",
            account_index=0,
            status="ACTIVE",
            l2_key=hex(public_key),
            l2_vault=vault,
        )

    async def _account(self, request: web.Request) -> web.Response:
        account = self.accounts.get(request.headers.get("X-Api-Key", ""))
        if account is None:
            refused = WrappedApiResponseModel[AccountModel](
                status=ResponseStatus.ERROR,
                error=ResponseErrorModel(code=401, message="Unauthorized"),
            )
            return web.json_response(
                text=refused.model_dump_json(by_alias=True, exclude_none=True), status=401
            )
        wrapped = WrappedApiResponseModel[AccountModel](status=ResponseStatus.OK, data=account)
        return web.json_response(text=wrapped.model_dump_json(by_alias=True, exclude_none=True))

    # -- orders, and what a re-sync reads --------------------------------------------------

    def _sub_account(self, request: web.Request) -> SubAccount:
        account = self.book.accounts.get(request.headers.get("X-Api-Key", ""))
        if account is None:
            raise Refused(401, "Unauthorized", 401)
        return account

    async def _place(self, request: web.Request) -> web.Response:
        try:
            account = self._sub_account(request)
            try:
                order = NewOrderModel.model_validate(await request.json())
            except (ValidationError, ValueError) as error:
                raise Refused(1000, f"Invalid order: {error}") from error
            if self.tamper_next_order:
                self.tamper_next_order = False
                order = _tampered(order)
            await asyncio.sleep(self.answer_after)  # a slow venue
            venue_id, updates = self.book.place(account, order)
        except Refused as refused:
            return _refusal(refused)
        await self.publish(account.api_key, updates)
        return _ok(PlacedOrderModel(id=venue_id, external_id=order.id))

    async def _cancel(self, request: web.Request) -> web.Response:
        try:
            account = self._sub_account(request)
            updates = self.book.cancel(account, request.query.get("externalId", ""))
        except Refused as refused:
            return _refusal(refused)
        await self.publish(account.api_key, updates)
        return web.json_response({"status": "OK"})

    async def _mass_cancel(self, request: web.Request) -> web.Response:
        try:
            account = self._sub_account(request)
        except Refused as refused:
            return _refusal(refused)
        await self.publish(account.api_key, self.book.cancel_all(account))
        return web.json_response({"status": "OK"})

    async def _open_orders(self, request: web.Request) -> web.Response:
        try:
            return _ok_list(self.book.open_orders(self._sub_account(request)))
        except Refused as refused:
            return _refusal(refused)

    async def _order_history(self, request: web.Request) -> web.Response:
        try:
            account = self._sub_account(request)
        except Refused as refused:
            return _refusal(refused)
        open_ids = {o.id for o in self.book.open_orders(account)}
        return _ok_list([o for o in account.orders.values() if o.id not in open_ids])

    async def _order_by_id(self, request: web.Request) -> web.Response:
        try:
            account = self._sub_account(request)
        except Refused as refused:
            return _refusal(refused)
        wanted = request.match_info["order_id"]
        for order in account.orders.values():
            if str(order.id) == wanted:
                return _ok(order)
        return _refusal(Refused(1500, f"Order {wanted} not found", 404))

    async def _trades(self, request: web.Request) -> web.Response:
        try:
            return _ok_list(list(self._sub_account(request).trades))
        except Refused as refused:
            return _refusal(refused)

    async def _positions(self, request: web.Request) -> web.Response:
        try:
            return _ok_list(self.book.positions(self._sub_account(request)))
        except Refused as refused:
            return _refusal(refused)

    async def _balance(self, request: web.Request) -> web.Response:
        try:
            return _ok(self.book.balance(self._sub_account(request)))
        except Refused as refused:
            return _refusal(refused)

    async def _funding_history(self, request: web.Request) -> web.Response:
        try:
            payments = self._sub_account(request).funding
        except Refused as refused:
            return _refusal(refused)
        return web.json_response({"status": "OK", "data": payments})

    async def _asset_operations(self, request: web.Request) -> web.Response:
        try:
            return _ok_list(self._sub_account(request).operations)
        except Refused as refused:
            return _refusal(refused)

    async def deposit(self, api_key: str, amount: Decimal) -> None:
        await self.publish(api_key, self.book.deposit(self.book.accounts[api_key], amount))

    async def _deposit(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.deposit(body["api_key"], Decimal(body["amount"]))
        return web.json_response({"ok": True})

    async def pay_funding(self, market: str, rate: Decimal) -> None:
        for api_key, updates in self.book.pay_funding(market, rate).items():
            await self.publish(api_key, updates)

    async def _pay_funding(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.pay_funding(body["market"], Decimal(body["rate"]))
        return web.json_response({"ok": True})

    async def transfer(self, api_key: str, amount: Decimal) -> None:
        """USDC moved to another sub-account: the balance changes, nothing is mirrored."""
        await self.publish(api_key, transfer(self.book, self.book.accounts[api_key], amount))

    async def shift_position(self, api_key: str, market: str, size: Decimal) -> None:
        """A position changed with no trade reported: only the position update says so."""
        account = self.book.accounts[api_key]
        await self.publish(api_key, shift_position(self.book, account, market, size))

    async def _transfer(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.transfer(body["api_key"], Decimal(body["amount"]))
        return web.json_response({"ok": True})

    async def _shift_position(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.shift_position(body["api_key"], body["market"], Decimal(body["size"]))
        return web.json_response({"ok": True})

    async def publish(self, api_key: str, updates: list[Update]) -> None:
        """Push updates to the sub-account's stream subscribers; when a fill is to be lost,
        its connections close first (the fill stands at the venue)."""
        subscribers = self.subscribers.get(api_key, set())
        if self.drop_next_fill and any(kind == "ACCOUNT.TRADE" for kind, _ in updates):
            self.drop_next_fill = False
            for socket, _topic in list(subscribers):
                await socket.close()
            return
        for socket, topic in list(subscribers):
            for kind, data in updates:
                await self._send(socket, topic, kind, data)

    async def _send(
        self, socket: web.WebSocketResponse, topic: str, kind: str, data: dict[str, Any]
    ) -> None:
        self._seq += 1
        frame = {"type": kind, "data": data, "ts": int(time.time() * 1000)}
        frame |= {"seq": self._seq, "subscription": topic}
        if not socket.closed:
            await socket.send_str(json.dumps(frame))

    async def _subscribe_account(
        self, socket: web.WebSocketResponse, request: dict[str, Any]
    ) -> dict[str, Any]:
        params = request.get("params") or {}
        account = self.book.accounts.get(params.get("apiKey") or "")
        rid = request.get("id")
        if account is None:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": 401, "message": "Unauthorized"}}
        topic = f"account.{(params.get('selector') or {}).get('account', account.account_id)}"
        self.subscribers.setdefault(account.api_key, set()).add((socket, topic))
        await socket.send_str(
            json.dumps({"jsonrpc": "2.0", "id": rid, "result": {"subscription": topic}})
        )
        book = self.book
        snapshots: list[Update] = [
            ("ACCOUNT.ORDER", {"isSnapshot": True, "orders": _dumps(book.open_orders(account))}),
            (
                "ACCOUNT.POSITION",
                {"isSnapshot": True, "positions": _dumps(book.positions(account))},
            ),
            ("ACCOUNT.BALANCE", {"isSnapshot": True, "balance": _dump(book.balance(account))}),
        ]
        for kind, data in snapshots:
            await self._send(socket, topic, kind, data)
        return {}

    async def _stream(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.connections += 1
        self.sockets.add(socket)
        topics: dict[str, str] = {}  # topic id: price type
        pusher = asyncio.create_task(self._push(socket, topics))
        try:
            async for message in socket:
                if message.type is WSMsgType.TEXT:
                    asked = json.loads(message.data)
                    if (asked.get("params") or {}).get("scope") == "account":
                        await self._subscribe_account(socket, asked)
                        continue
                    await socket.send_str(json.dumps(_answer(asked, topics)))
        finally:
            for subscribed in self.subscribers.values():
                subscribed.difference_update({s for s in subscribed if s[0] is socket})
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
            self.sockets.discard(socket)
        return socket

    async def _push(self, socket: web.WebSocketResponse, topics: dict[str, str]) -> None:
        seq = 0  # the venue's sequence restarts with each connection
        while not socket.closed:
            if not self.silent:
                ts = int(time.time() * 1000)
                for topic, kind in list(topics.items()):
                    for name, (mark, index) in self.prices.items():
                        frame = StreamRpcResponseModel[StreamRpcPriceModel](
                            type="MP" if kind == "mark" else "IP",
                            data=StreamRpcPriceModel(
                                market=name, price=mark if kind == "mark" else index, ts=ts
                            ),
                            ts=ts,
                            seq=seq,
                            subscription=topic,
                        )
                        seq += 1
                        await socket.send_str(frame.model_dump_json(by_alias=True))
            await asyncio.sleep(self.interval)

    # -- the test's controls --------------------------------------------------------------

    async def set_price(self, market: str, mark: Decimal, index: Decimal) -> None:
        """A new mark: resting limits it crosses fill."""
        self.prices[market] = (mark, index)
        for api_key, updates in self.book.on_mark(market).items():
            await self.publish(api_key, updates)

    async def _set_price(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.set_price(body["market"], Decimal(body["mark"]), Decimal(body["index"]))
        return web.json_response({"ok": True})

    async def _set_tamper_next_order(self, _request: web.Request) -> web.Response:
        self.tamper_next_order = True
        return web.json_response({"ok": True})

    async def _set_answer_after(self, request: web.Request) -> web.Response:
        self.answer_after = float((await request.json())["seconds"])
        return web.json_response({"ok": True})

    async def _set_drop_next_fill(self, _request: web.Request) -> web.Response:
        self.drop_next_fill = True
        return web.json_response({"ok": True})

    async def _add_account(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.add_account(
            body["api_key"],
            int(body["account_id"]),
            int(body["vault"]),
            int(body["public_key"], 16),
            Decimal(body.get("balance", "10000")),
        )
        return web.json_response({"ok": True})

    async def _set_silence(self, request: web.Request) -> web.Response:
        self.silent = bool((await request.json())["silent"])
        return web.json_response({"ok": True})

    async def _drop(self, _request: web.Request) -> web.Response:
        await self.drop()
        return web.json_response({"ok": True})


def _tampered(order: NewOrderModel) -> NewOrderModel:
    """The order with its signature's r changed: what a forger without the key would send."""
    settlement = order.settlement
    if settlement is None:
        return order
    forged = SettlementSignatureModel(r=settlement.signature.r + 1, s=settlement.signature.s)
    return order.model_copy(
        update={"settlement": settlement.model_copy(update={"signature": forged})}
    )


def _ok(model: BaseModel) -> web.Response:
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return web.json_response({"status": "OK", "data": data})


def _ok_list(models: list[Any]) -> web.Response:
    return web.json_response({"status": "OK", "data": _dumps(models)})


def _dump(model: BaseModel) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def _dumps(models: list[Any]) -> list[dict[str, Any]]:
    return [_dump(model) for model in models]


def _refusal(refused: Refused) -> web.Response:
    wrapped = WrappedApiResponseModel[PlacedOrderModel](
        status=ResponseStatus.ERROR,
        error=ResponseErrorModel(code=refused.code, message=refused.message),
    )
    return web.json_response(
        text=wrapped.model_dump_json(by_alias=True, exclude_none=True), status=refused.status
    )


def _answer(request: dict[str, Any], topics: dict[str, str]) -> dict[str, Any]:
    """The JSON-RPC answer to one request: `subscribe` to mark or index prices, `ping`."""
    rid = request.get("id")
    method, params = request.get("method"), request.get("params") or {}
    if method == "ping":
        return {"jsonrpc": "2.0", "id": rid, "result": {}}
    selector = params.get("selector") or {}
    if method == "subscribe" and params.get("scope") == "prices":
        kind = selector.get("type")
        if kind in ("mark", "index") and selector.get("market") is None:
            topic = f"prices.{kind}.all"
            topics[topic] = kind
            return {"jsonrpc": "2.0", "id": rid, "result": {"subscription": topic}}
    return {
        "jsonrpc": "2.0",
        "id": rid,
        "error": {"code": -32602, "message": f"unsupported request {method} {params}"},
    }


async def _serve(port: int) -> None:
    stand_in = await ExtendedStandIn().start(port)
    print(f"extended stand-in on {stand_in.base_url}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(_serve(parser.parse_args().port))
