"""Extended's public price stream and markets endpoint, spoken with the SDK's own models.

The SDK (`x10-python-trading-starknet`) opens its streams with
`websockets.connect(..., extra_headers=...)`, an argument websockets 15 (which starknet-py
needs) no longer takes: every SDK stream fails at connect. So the connection is ours, on
websockets 15's `additional_headers`, and everything on the wire is the SDK's: the
subscription it would send (`PricesParams`), the envelope it would parse
(`StreamRpcResponseModel`), the price (`StreamRpcPriceModel`), the markets
(`WrappedApiResponseModel[list[MarketModel]]`) and its User-Agent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import aiohttp
from websockets.asyncio.client import connect
from x10.clients.streamrpc.subscription_params import PricesParams
from x10.models.http import ResponseStatus, WrappedApiResponseModel
from x10.models.market import MarketModel
from x10.models.stream_rpc import StreamRpcPriceModel, StreamRpcResponseModel
from x10.utils.http import USER_AGENT, RequestHeader

PriceKind = Literal["mark", "index"]
KINDS: tuple[PriceKind, ...] = ("mark", "index")
OPEN_TIMEOUT_SECONDS = 10.0


class StreamRefused(Exception):
    """The venue answered a subscription with an error."""


@dataclass(frozen=True, slots=True)
class VenuePrice:
    """One mark or index price of one of the venue's markets (its own name)."""

    kind: PriceKind
    market: str
    price: Decimal
    ts: int  # the venue's milliseconds


def subscriptions() -> dict[str, PriceKind]:
    """The topics the stream is asked for (every market's mark and index), by topic id."""
    return {PricesParams(price_type=kind).topic_id: kind for kind in KINDS}


def subscribe_requests() -> list[str]:
    """The JSON-RPC frames that subscribe, as the SDK's stream RPC client sends them."""
    return [
        json.dumps(
            {
                "method": "subscribe",
                "id": str(n),
                "jsonrpc": "2.0",
                "params": PricesParams(price_type=kind).to_dict(),
            }
        )
        for n, kind in enumerate(KINDS, start=1)
    ]


def parse_frame(raw: str | bytes, topics: dict[str, PriceKind]) -> VenuePrice | None:
    """A price from one frame; None for what carries none (a subscription's answer, another
    topic). A refused subscription raises StreamRefused; a malformed frame, ValueError."""
    message = json.loads(raw)
    if not isinstance(message, dict):
        raise ValueError(f"a stream frame must be an object, was {type(message).__name__}")
    if message.get("id") is not None:  # the answer to a request of ours
        error = message.get("error")
        if error:
            raise StreamRefused(f"the venue refused a subscription: {error}")
        return None
    kind = topics.get(str(message.get("subscription")))
    if kind is None:
        return None
    envelope = StreamRpcResponseModel[StreamRpcPriceModel].model_validate(message)
    if envelope.error:
        raise StreamRefused(f"the venue reported a stream error: {envelope.error}")
    data = envelope.data
    return VenuePrice(kind, data.market, data.price, data.ts)


async def stream_prices(
    url: str, *, open_timeout: float = OPEN_TIMEOUT_SECONDS
) -> AsyncIterator[VenuePrice]:
    """Mark and index prices of every market, until the connection ends (then it returns;
    a failure to connect raises). One connection, subscribed to both topics."""
    topics = subscriptions()
    headers = {RequestHeader.USER_AGENT.value: USER_AGENT}
    async with connect(url, additional_headers=headers, open_timeout=open_timeout) as socket:
        for frame in subscribe_requests():
            await socket.send(frame)
        async for raw in socket:
            price = parse_frame(raw, topics)
            if price is not None:
                yield price


async def fetch_markets(
    session: aiohttp.ClientSession, api_url: str, *, seconds: float = OPEN_TIMEOUT_SECONDS
) -> list[MarketModel]:
    """Every market of the venue's public markets endpoint (`GET /info/markets`)."""
    headers = {RequestHeader.USER_AGENT.value: USER_AGENT, "Accept": "application/json"}
    async with session.get(
        f"{api_url.rstrip('/')}/info/markets",
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=seconds),
    ) as response:
        text = await response.text()
        if response.status != 200:
            raise aiohttp.ClientResponseError(
                response.request_info, (), status=response.status, message=text[:200]
            )
    wrapped = WrappedApiResponseModel[list[MarketModel]].model_validate_json(text)
    if wrapped.status != ResponseStatus.OK or wrapped.data is None:
        raise ValueError(f"the venue's markets endpoint answered {wrapped.error}")
    return list(wrapped.data)
