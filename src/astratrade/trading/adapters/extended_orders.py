"""Orders on Extended: the market rules from its markets endpoint, orders signed with the
SDK's `create_order_object` (the sub-account's Stark key, vault, and the market's L2
config), placed with the client order id as the external id, cancelled by it, and a mass
cancel. Every request and answer goes through the SDK's models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import aiohttp
from pydantic import BaseModel, ValidationError
from x10.config import MAINNET_CONFIG, TESTNET_CONFIG
from x10.core.client_config import StarknetDomain
from x10.core.stark_account import StarkPerpetualAccount
from x10.models.balance import BalanceModel
from x10.models.base import EmptyModel
from x10.models.http import ResponseStatus, WrappedApiResponseModel
from x10.models.market import MarketModel
from x10.models.order import MassCancelRequestModel, OrderSide, PlacedOrderModel
from x10.models.order import OrderType as VenueOrderType
from x10.models.order import TimeInForce as VenueTimeInForce
from x10.models.position import PositionModel
from x10.signing.order_object import create_order_object
from x10.utils.http import USER_AGENT, RequestHeader

from astratrade.shared.errors import Unavailable
from astratrade.trading.adapters.extended_stream_checks import venue_sizes
from astratrade.trading.domain.errors import InvalidOrder
from astratrade.trading.domain.live_orders import VenueMarketRules, VenueRefused, external_id
from astratrade.trading.domain.orders import Order, OrderType, Side
from astratrade.trading.domain.venue_link import VenueLink

TIMEOUT_SECONDS = 5.0  # an order waits on the venue inside the engine: keep it short
# Extended's code for a second order with an external id it already has: the first one
# stands, so for us the order is placed (a retry never doubles it).
DUPLICATE_ORDER = 1134
# A market order is signed with a worst acceptable price this far past the mark: the
# SDK's own default slippage for market orders.
MARKET_SLIPPAGE = MAINNET_CONFIG.defaults.market_price_slippage
# A resting limit (GTC for us) is a good-till-time order on Extended: this long.
LIMIT_LIFETIME = timedelta(days=28)


def starknet_domain(api_url: str) -> StarknetDomain:
    """The signing domain of the network the API belongs to (testnet is on Sepolia)."""
    config = TESTNET_CONFIG if "sepolia" in api_url else MAINNET_CONFIG
    return config.signing.starknet_domain


class ExtendedOrders:
    def __init__(
        self, api_url: str, names: dict[str, str], *, seconds: float = TIMEOUT_SECONDS
    ) -> None:
        self._api = api_url.rstrip("/")
        self._names = names  # our market: Extended's
        self._domain = starknet_domain(api_url)
        self._timeout = aiohttp.ClientTimeout(total=seconds)

    # -- the market rules ----------------------------------------------------------------

    async def market_rules(self, market: str) -> VenueMarketRules:
        model = await self._market(market)
        config = model.trading_config
        return VenueMarketRules(
            market=market,
            venue_market=model.name,
            min_size=config.min_order_size,
            size_step=config.min_order_size_change,
            tick=config.min_price_change,
            max_leverage=config.max_leverage,
        )

    async def _market(self, market: str) -> MarketModel:
        name = self._names.get(market)
        if name is None:
            raise InvalidOrder("market", f"{market} is not traded live on Extended here")
        status, text = await self._send("GET", "/info/markets", None)
        try:
            wrapped = WrappedApiResponseModel[list[MarketModel]].model_validate_json(text)
        except ValidationError as error:
            raise Unavailable(f"Extended answered {status} with no markets") from error
        for model in wrapped.data or []:
            if model.name == name:
                return model
        raise InvalidOrder("market", f"Extended does not list {name}")

    # -- orders ----------------------------------------------------------------------------

    async def place(self, link: VenueLink, order: Order) -> None:
        model = await self._market(order.market)
        account = StarkPerpetualAccount(
            vault=link.vault_id,
            private_key=hex(link.private_key),
            public_key=hex(link.public_key),
            api_key=link.api_key,
        )
        is_market = order.type is OrderType.MARKET
        signed = create_order_object(
            account=account,
            market=model,
            amount_of_synthetic=order.size,
            price=order.price if order.price is not None else _worst_price(model, order.side),
            side=OrderSide.BUY if order.side is Side.BUY else OrderSide.SELL,
            starknet_domain=self._domain,
            order_type=VenueOrderType.MARKET if is_market else VenueOrderType.LIMIT,
            order_external_id=external_id(order),
            time_in_force=VenueTimeInForce.IOC if is_market else VenueTimeInForce.GTT,
            expire_time=datetime.now(UTC) + (timedelta(hours=1) if is_market else LIMIT_LIFETIME),
            reduce_only=order.reduce_only,
        )
        body = signed.to_api_request_json(exclude_none=True)
        await self._call("POST", "/user/order", body, link, PlacedOrderModel)

    async def cancel(self, link: VenueLink, order: Order) -> None:
        path = f"/user/order?externalId={external_id(order)}"
        await self._call("DELETE", path, None, link, EmptyModel)

    async def cancel_all(self, link: VenueLink) -> None:
        body = MassCancelRequestModel(cancel_all=True).to_api_request_json(exclude_none=True)
        await self._call("POST", "/user/order/massCancel", body, link, EmptyModel)

    async def balance(self, link: VenueLink) -> Decimal:
        """The sub-account's collateral balance on Extended (`GET /user/balance`)."""
        status, text = await self._send("GET", "/user/balance", None, link.api_key)
        try:
            wrapped = WrappedApiResponseModel[BalanceModel].model_validate_json(text)
        except ValidationError as error:
            raise Unavailable(f"Extended answered {status} with no balance") from error
        if status != 200 or wrapped.data is None:
            raise Unavailable(f"Extended answered {status} with no balance")
        return wrapped.data.balance

    async def positions(self, link: VenueLink) -> dict[str, Decimal]:
        """The sub-account's open positions on Extended (`GET /user/positions`): signed
        sizes by our market name, markets we do not trade left out."""
        status, text = await self._send("GET", "/user/positions", None, link.api_key)
        try:
            wrapped = WrappedApiResponseModel[list[PositionModel]].model_validate_json(text)
        except ValidationError as error:
            raise Unavailable(f"Extended answered {status} with no positions") from error
        if status != 200 or wrapped.data is None:
            raise Unavailable(f"Extended answered {status} with no positions")
        ours = {venue: mine for mine, venue in self._names.items()}
        return venue_sizes(wrapped.data, ours)

    # -- the wire --------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        link: VenueLink,
        model: type[BaseModel],
    ) -> None:
        status, text = await self._send(method, path, body, link.api_key)
        if status == 429:
            raise Unavailable("Extended asks us to slow down (429); try again shortly")
        try:
            wrapped = WrappedApiResponseModel[model].model_validate_json(text)  # type: ignore[valid-type]
        except ValidationError as error:
            raise Unavailable(f"Extended answered {status} with nothing we can read") from error
        if wrapped.status == ResponseStatus.OK and status < 300:
            return
        if wrapped.error is None or status >= 500:
            raise Unavailable(f"Extended answered {status}; try again")
        if wrapped.error.code == DUPLICATE_ORDER:
            return
        raise VenueRefused(wrapped.error.code, wrapped.error.message)

    async def _send(
        self, method: str, path: str, body: dict[str, Any] | None, api_key: str | None = None
    ) -> tuple[int, str]:
        headers = {RequestHeader.USER_AGENT.value: USER_AGENT, "Accept": "application/json"}
        if api_key is not None:
            headers[RequestHeader.API_KEY.value] = api_key
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.request(method, self._api + path, json=body, headers=headers) as answer,
            ):
                return answer.status, await answer.text()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise Unavailable("Extended could not be reached; try again") from error


def _worst_price(model: MarketModel, side: Side) -> Decimal:
    """A market order's signed price: the mark plus slippage (a buy) or minus it (a sell),
    on the market's tick, rounded away from the mark."""
    mark = model.market_stats.mark_price
    tick = model.trading_config.min_price_change
    if side is Side.BUY:
        return (mark * (1 + MARKET_SLIPPAGE) / tick).to_integral_value(ROUND_CEILING) * tick
    return (mark * (1 - MARKET_SLIPPAGE) / tick).to_integral_value(ROUND_FLOOR) * tick
