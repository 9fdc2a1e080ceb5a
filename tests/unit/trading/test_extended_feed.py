"""The `extended` feed's parts without a network: the SDK's frames read into prices, our
markets' names and ticks, staleness on a fake clock, and liquidations paused while stale."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fakes import Trading
from x10.clients.streamrpc.subscription_params import PricesParams
from x10.models.stream_rpc import StreamRpcPriceModel, StreamRpcResponseModel

from astratrade.shared.clock import ManualClock
from astratrade.trading.adapters.feeds.extended import VenuePrices, to_tick
from astratrade.trading.adapters.feeds.extended_stream import (
    StreamRefused,
    VenuePrice,
    parse_frame,
    subscribe_requests,
    subscriptions,
)
from astratrade.trading.adapters.feeds.staleness import FeedHealth, Staleness
from astratrade.trading.domain.events import AccountLiquidated
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from astratrade.trading.domain.prices import Quote

D = Decimal
NAMES = {m.id: m.id for m in DEFAULT_MARKETS}
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def frame(kind: str, market: str, price: str, seq: int = 0) -> str:
    """A price frame exactly as the SDK's models write it."""
    return StreamRpcResponseModel[StreamRpcPriceModel](
        type="MP",
        data=StreamRpcPriceModel(market=market, price=D(price), ts=1_700_000_000_000),
        ts=1_700_000_000_000,
        seq=seq,
        subscription=PricesParams(price_type=kind).topic_id,
    ).model_dump_json(by_alias=True)


def test_a_price_frame_reads_into_the_venues_price() -> None:
    assert parse_frame(frame("mark", "BTC-USD", "64267.38"), subscriptions()) == VenuePrice(
        "mark", "BTC-USD", D("64267.38"), 1_700_000_000_000
    )
    assert parse_frame(frame("index", "ETH-USD", "3001.5"), subscriptions()) == VenuePrice(
        "index", "ETH-USD", D("3001.5"), 1_700_000_000_000
    )


def test_answers_and_other_topics_carry_no_price_and_a_refusal_raises() -> None:
    topics = subscriptions()
    assert parse_frame('{"jsonrpc":"2.0","id":"1","result":{}}', topics) is None
    other = json.loads(frame("mark", "BTC-USD", "1"))
    other["subscription"] = "trades.all"
    assert parse_frame(json.dumps(other), topics) is None
    with pytest.raises(StreamRefused, match="bad selector"):
        parse_frame('{"id":"2","error":{"code":-32602,"message":"bad selector"}}', topics)
    with pytest.raises(ValueError, match="must be an object"):
        parse_frame("[1, 2]", topics)


def test_the_subscriptions_are_the_sdks_mark_and_index_of_every_market() -> None:
    sent = [json.loads(request) for request in subscribe_requests()]
    assert [request["params"] for request in sent] == [
        PricesParams(price_type="mark").to_dict(),
        PricesParams(price_type="index").to_dict(),
    ]
    assert {request["method"] for request in sent} == {"subscribe"}
    assert len({request["id"] for request in sent}) == 2


def test_prices_map_to_our_markets_on_our_ticks_and_quote_once_both_are_known() -> None:
    names = {**NAMES, "BTC-USD": "BTC-USD-PERP"}
    prices = VenuePrices(DEFAULT_MARKETS, names)
    clock = ManualClock(NOW)
    assert prices.take(VenuePrice("mark", "BTC-USD-PERP", D("64267.380482593245"), 0)) == "BTC-USD"
    assert prices.take(VenuePrice("mark", "BTC-USD", D("1"), 0)) is None  # not mapped now
    assert prices.take(VenuePrice("mark", "DOGE-USD", D("1"), 0)) is None
    assert prices.take(VenuePrice("mark", "ETH-USD", D("0"), 0)) is None  # no price
    assert prices.batch(clock) == []  # no index yet
    prices.take(VenuePrice("index", "BTC-USD-PERP", D("64286.45"), 0))
    assert prices.batch(clock) == [Quote("BTC-USD", D("64267.4"), D("64286.4"), NOW)]
    assert prices.batch(clock) == []  # nothing changed since
    prices.take(VenuePrice("mark", "STRK-USD", D("0.000001"), 0))
    prices.take(VenuePrice("index", "STRK-USD", D("0.512345"), 0))
    assert prices.batch(clock) == [Quote("STRK-USD", D("0.00001"), D("0.51234"), NOW)]


def test_to_tick_is_the_nearest_tick_half_even_never_below_one() -> None:
    assert to_tick(D("100.05"), D("0.1")) == D("100.0")
    assert to_tick(D("100.15"), D("0.1")) == D("100.2")
    assert to_tick(D("0.00000001"), D("0.1")) == D("0.1")


def test_a_mapping_of_a_market_we_do_not_list_is_refused() -> None:
    with pytest.raises(ValueError, match="DOGE-USD"):
        VenuePrices(DEFAULT_MARKETS, {"DOGE-USD": "DOGE-USD"})


def test_a_market_is_stale_until_priced_and_again_after_ten_silent_seconds() -> None:
    now = [100.0]
    staleness = Staleness(["BTC-USD", "ETH-USD"], limit_seconds=10, monotonic=lambda: now[0])
    assert staleness.stale() == {"BTC-USD", "ETH-USD"}
    staleness.seen("BTC-USD")
    staleness.seen("DOGE-USD")  # not ours: ignored
    assert staleness.stale() == {"ETH-USD"}
    now[0] = 110.0
    assert staleness.stale() == {"ETH-USD"}  # exactly ten seconds: still fresh
    now[0] = 110.001
    assert staleness.stale() == {"BTC-USD", "ETH-USD"}
    staleness.seen("ETH-USD")
    assert staleness.stale() == {"BTC-USD"}


def test_the_health_tells_its_listeners_logs_each_change_and_answers_readiness(
    caplog: pytest.LogCaptureFixture,
) -> None:
    health = FeedHealth("extended")
    told: list[frozenset[str]] = []
    health.listeners.append(told.append)
    with caplog.at_level(logging.INFO):
        health.report(frozenset({"ETH-USD", "BTC-USD"}))
        assert health.problem() is None  # not running here: another replica judges it
        health.running = True
        assert health.problem() == "error: stale prices for BTC-USD, ETH-USD"
        health.report(frozenset({"ETH-USD", "BTC-USD"}))  # no change: no word
        health.report(frozenset())
        health.report(frozenset({"BTC-USD"}))
    assert told == [frozenset({"BTC-USD", "ETH-USD"}), frozenset(), frozenset({"BTC-USD"})]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "INFO",
            "the extended price feed waits for the first prices of BTC-USD, ETH-USD: "
            "liquidations paused there",
        ),
        (
            "WARNING",
            "the extended price feed is fresh again for BTC-USD, ETH-USD: liquidations resume",
        ),
        ("WARNING", "the extended price feed is stale for BTC-USD: liquidations paused there"),
    ]
    caplog.clear()
    health.stopped()  # says nothing: the feed stopped here, nothing recovered
    assert (health.problem(), told[-1], caplog.records) == (None, frozenset(), [])


def test_no_liquidation_at_a_stale_mark_and_one_once_the_market_is_fresh_again() -> None:
    trading = Trading()
    a = trading.open()
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "1.6")
    trading.venue.stale_markets = frozenset({"BTC-USD"})
    trading.move("BTC-USD", "53800")  # equity below maintenance, but the mark is stale
    assert trading.account(a).positions["BTC-USD"].size == D("1.6")
    assert trading.store.events(AccountLiquidated) == []
    trading.venue.stale_markets = frozenset({"ETH-USD"})  # another market: no excuse
    trading.move("BTC-USD", "53800")
    assert trading.account(a).positions == {}
    (liquidated,) = trading.store.events(AccountLiquidated)
    assert liquidated.account_id == a
