"""The venue's positions and balance (from Extended's account stream, the SDK's models)
against a live account's holdings here: signed sizes read from the SDK's positions, gaps
found per market, each gap said once when it appears or changes and once when it is gone,
the gauges counting what remains. Holdings from a fake read, no venue."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from x10.models.balance import BalanceModel
from x10.models.position import PositionModel, PositionSide, PositionStatus

from astratrade.trading.adapters.extended_stream_checks import StreamChecks, venue_sizes
from astratrade.trading.live_reconciliation import LiveHoldings, PositionGap, position_gaps

CHECKS = "astratrade.trading.adapters.extended_stream_checks"
NAMES = {"BTC-USD": "BTC-USD", "ETH-USD": "ETH-USD"}  # the venue's name: ours


def position(market: str, side: PositionSide, size: str, *, closed: bool = False) -> PositionModel:
    return PositionModel(
        id=1,
        account_id=7,
        market=market,
        status=PositionStatus.CLOSED if closed else PositionStatus.OPENED,
        side=side,
        leverage=Decimal(10),
        size=Decimal(size),
        value=Decimal(0),
        open_price=Decimal(100),
        mark_price=Decimal(100),
        unrealised_pnl=Decimal(0),
        realised_pnl=Decimal(0),
        created_at=0,
        updated_at=0,
    )


def balance(amount: str) -> BalanceModel:
    zero = Decimal(0)
    return BalanceModel(
        collateral_name="USD",
        balance=Decimal(amount),
        equity=Decimal(amount),
        available_for_trade=zero,
        available_for_withdrawal=zero,
        unrealised_pnl=zero,
        initial_margin=zero,
        margin_ratio=zero,
        updated_time=0,
    )


def test_venue_sizes_are_signed_and_closed_or_unknown_markets_read_so() -> None:
    sizes = venue_sizes(
        [
            position("BTC-USD", PositionSide.SHORT, "0.25"),
            position("ETH-USD", PositionSide.LONG, "1.5", closed=True),
            position("DOGE-USD", PositionSide.LONG, "100"),  # not traded here
        ],
        NAMES,
    )
    assert sizes == {"BTC-USD": Decimal("-0.25"), "ETH-USD": Decimal(0)}


def test_position_gaps_only_in_the_markets_the_venue_speaks_of() -> None:
    ours = {"BTC-USD": Decimal("0.5"), "ETH-USD": Decimal("2")}
    theirs = {"BTC-USD": Decimal("0.5"), "ETH-USD": Decimal("1.5"), "SOL-USD": Decimal("-3")}
    assert position_gaps("a", ours, theirs) == [
        PositionGap("a", "ETH-USD", Decimal("2"), Decimal("1.5")),
        PositionGap("a", "SOL-USD", Decimal(0), Decimal("-3")),
    ]


async def test_each_gap_is_said_once_counted_while_it_lasts_and_said_gone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=CHECKS)
    holdings = LiveHoldings(Decimal("1000"), {"BTC-USD": Decimal("0.5")})

    async def read(_account_id: str) -> LiveHoldings:
        return holdings

    checks = StreamChecks(read)
    assert await checks.balance("a", balance("990")) is not None
    assert await checks.balance("a", balance("990")) is not None  # the same gap: not said again
    # A snapshot without BTC-USD: the venue holds none there.
    await checks.positions("a", {}, snapshot=True)
    assert REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": "balance"}) == 1
    assert REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": "position"}) == 1
    assert REGISTRY.get_sample_value("astratrade_live_venue_gap_usd") == 10
    # An update that speaks of another market leaves the BTC-USD gap as it is.
    await checks.positions("a", {"ETH-USD": Decimal(0)}, snapshot=False)
    assert REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": "position"}) == 1

    await checks.balance("a", balance("1000"))
    await checks.positions("a", {"BTC-USD": Decimal("0.5")}, snapshot=False)
    assert [r.getMessage() for r in caplog.records] == [
        "LIVE GAP a balance: platform 1000 extended 990 gap 10",
        "LIVE GAP a position BTC-USD: platform 0.5 extended 0 gap 0.5",
        "live balance of a agrees with Extended again",
        "live position of a in BTC-USD agrees with Extended again",
    ]
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING", "INFO", "INFO"]
    assert REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": "balance"}) == 0
    assert REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": "position"}) == 0

    await checks.balance("a", balance("1"))
    checks.forget("a")  # no longer followed here: no longer counted
    assert REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": "balance"}) == 0
