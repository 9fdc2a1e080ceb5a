"""Copy accounts in trading: opened and funded by CopyStarted, traded by copy trading's
orders (never by their owner's openings), closed out at their equity floor, flattened,
paying profit shares through the transit and returning what is left."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from copy_desk import CopyDesk
from fakes import Trading

from astratrade.shared.money import money
from astratrade.trading.domain.account_terms import AccountKind, CopyState
from astratrade.trading.domain.copies import TRANSIT_ID
from astratrade.trading.domain.errors import OrderRejected
from astratrade.trading.domain.events import (
    AccountLiquidated,
    CollateralDeposited,
    CollateralWithdrawn,
    CopyAccountFlattened,
    CopyAccountFunded,
    CopyFundingRefused,
    CopyOrderRefused,
    CopyStopLossReached,
    OrderAccepted,
    ProfitShareDebited,
)
from astratrade.trading.domain.shards import Shards


@pytest.fixture
def desk(trading: Trading) -> CopyDesk:
    return CopyDesk(trading)


def test_copy_started_opens_and_funds_the_copy_account_through_the_transit(
    desk: CopyDesk,
) -> None:
    total = desk.trading.total_collateral()
    desk.start("1000", "0.4")
    account = desk.account
    assert (account.kind, account.owner_id, account.collateral) == (
        AccountKind.COPY,
        "copier",
        D(1000),
    )
    assert account.copy is not None
    assert (account.copy.copy_id, account.copy.floor) == ("copy-1", D(600))
    assert desk.trading.account(desk.source).collateral == D(9000)
    (out,) = desk.trading.store.events(CollateralWithdrawn)
    assert (out.account_id, out.destination, out.transfer_id) == (desk.source, TRANSIT_ID, "copy-1")
    into = desk.trading.store.events(CollateralDeposited)[-1]
    assert (into.account_id, into.source, into.reason) == (
        desk.copy_account,
        TRANSIT_ID,
        "copy_allocation",
    )
    (funded,) = desk.trading.store.events(CopyAccountFunded)
    assert (funded.amount, funded.owner_id, funded.source_account_id) == (
        D(1000),
        "copier",
        desk.source,
    )
    assert desk.trading.total_collateral() == total


def test_copy_started_above_what_is_available_opens_nothing(desk: CopyDesk) -> None:
    desk.start("10000.01")
    assert desk.copy_account not in desk.trading.store.accounts
    (refused,) = desk.trading.store.events(CopyFundingRefused)
    assert "only 10000 is available" in refused.reason
    assert desk.trading.account(desk.source).collateral == D(10000)


def test_copy_started_twice_opens_and_funds_once(desk: CopyDesk) -> None:
    desk.start("1000")
    desk.start("1000")
    assert desk.trading.account(desk.source).collateral == D(9000)
    assert len(desk.trading.store.events(CopyAccountFunded)) == 1


def test_a_copied_fill_places_one_market_order_however_often_delivered(desk: CopyDesk) -> None:
    desk.start("5000")
    desk.copy_fill("BTC-USD", "buy", "0.01", leverage="5", decision_id="d-1")
    desk.copy_fill("BTC-USD", "buy", "0.01", leverage="5", decision_id="d-1")
    (accepted,) = [
        o for o in desk.trading.store.events(OrderAccepted) if o.account_id == desk.copy_account
    ]
    assert (accepted.client_order_id, accepted.type) == ("d-1", "market")
    assert desk.account.positions["BTC-USD"].size == D("0.01")
    assert desk.account.leverage["BTC-USD"] == D(5)


def test_a_copied_fill_refused_by_margin_is_reported_back(desk: CopyDesk) -> None:
    desk.start("100")
    desk.copy_fill("BTC-USD", "buy", "1", decision_id="d-big")
    (refused,) = desk.trading.store.events(CopyOrderRefused)
    assert (refused.decision_id, refused.code, refused.market) == (
        "d-big",
        "insufficient_margin",
        "BTC-USD",
    )
    assert "BTC-USD" not in desk.account.positions


def test_a_leverage_above_the_unlocked_is_refused_with_the_field_code(desk: CopyDesk) -> None:
    desk.start("1000")
    desk.copy_fill("BTC-USD", "buy", "0.001", leverage="50", decision_id="d-lev")
    (refused,) = desk.trading.store.events(CopyOrderRefused)
    assert refused.code == "validation_error"
    assert "unlocked max is 10" in refused.message


def test_the_owner_may_reduce_a_copy_account_but_never_open(desk: CopyDesk) -> None:
    desk.start("5000")
    desk.copy_fill("ETH-USD", "buy", "1")
    with pytest.raises(OrderRejected, match="copy trading decides"):
        desk.trading.place(desk.copy_account, "ETH-USD", "buy", "1")
    desk.trading.place(desk.copy_account, "ETH-USD", "sell", "0.5", reduce_only=True)
    desk.trading.close(desk.copy_account, "ETH-USD")
    assert desk.account.positions == {}


def test_the_floor_closes_everything_and_stops_openings(desk: CopyDesk) -> None:
    desk.start("1000", "0.5")  # floor 500
    desk.copy_fill("BTC-USD", "buy", "0.1", leverage="10")  # at ~60,006: 6,000 notional
    desk.trading.move("BTC-USD", 57_000)  # ~300 lost: equity ~698, above the floor
    assert desk.trading.store.events(CopyStopLossReached) == []
    desk.trading.move("BTC-USD", 55_000)  # ~500.6 lost and the fee: at or below the floor
    (reached,) = desk.trading.store.events(CopyStopLossReached)
    assert reached.floor == D(500)
    assert reached.equity <= D(500)
    assert desk.account.positions == {}
    assert desk.account.copy is not None
    assert desk.account.copy.state is CopyState.STOPPING
    desk.copy_fill("BTC-USD", "buy", "0.001", decision_id="d-after")
    (refused,) = desk.trading.store.events(CopyOrderRefused)
    assert "stopping" in refused.message


def test_copy_stopping_flattens_and_tells_the_collateral(desk: CopyDesk) -> None:
    desk.start("2000")
    desk.copy_fill("ETH-USD", "buy", "1", decision_id="d-1")
    desk.copy_fill("BTC-USD", "sell", "0.01", decision_id="d-2")
    desk.stopping()
    assert desk.account.positions == {}
    assert desk.account.open_orders == {}
    (flat,) = desk.trading.store.events(CopyAccountFlattened)
    assert flat.collateral == desk.account.collateral < D(2000)  # fees paid


def test_copy_position_closed_closes_that_market_only(desk: CopyDesk) -> None:
    desk.start("2000")
    desk.copy_fill("ETH-USD", "buy", "1", decision_id="d-1")
    desk.copy_fill("BTC-USD", "sell", "0.01", decision_id="d-2")
    desk.close_position("ETH-USD")
    desk.close_position("SOL-USD")  # nothing held: nothing to do
    assert list(desk.account.positions) == ["BTC-USD"]


def test_a_weekly_profit_share_is_at_most_what_is_free_and_reaches_the_leader(
    desk: CopyDesk,
) -> None:
    desk.start("1000")
    total = desk.trading.total_collateral()
    desk.charge("30", event_id="charge-1")
    desk.charge("0", period="final")  # the final share comes with CopyClosed
    (debited,) = desk.trading.store.events(ProfitShareDebited)
    assert (debited.amount, debited.transfer_id) == (D(30), "charge-1")
    assert desk.trading.total_collateral() + desk.in_transit() == total
    desk.credit_debited()
    assert desk.trading.account(desk.leader_account).collateral == D(10030)
    credit = desk.trading.store.events(CollateralDeposited)[-1]
    assert (credit.source, credit.reason, credit.transfer_id) == (
        TRANSIT_ID,
        "profit_share",
        "charge-1",
    )
    desk.charge("5000", event_id="charge-2")
    assert desk.trading.store.events(ProfitShareDebited)[-1].amount == D(970)
    assert desk.account.collateral == 0


def test_copy_closed_pays_the_final_share_and_returns_the_rest(desk: CopyDesk) -> None:
    desk.start("1000")
    desk.close(profit_share="12.5", event_id="close-1")
    desk.close(profit_share="12.5", event_id="close-1-again")  # closed: nothing more
    assert desk.account.collateral == 0
    assert desk.account.copy is not None
    assert desk.account.copy.state is CopyState.CLOSED
    assert desk.trading.account(desk.source).collateral == D("9987.5")
    (debited,) = desk.trading.store.events(ProfitShareDebited)
    assert debited.amount == D("12.5")
    desk.credit_debited()
    assert desk.trading.account(desk.leader_account).collateral == D("10012.5")
    desk.copy_fill("BTC-USD", "sell", "0.001", decision_id="late")
    assert desk.trading.store.events(CopyOrderRefused)[-1].decision_id == "late"


def test_a_copy_account_id_outside_the_source_s_shard_is_refused() -> None:
    trading = Trading()
    desk = CopyDesk(trading)
    shards = trading.venue.shards = Shards(4)  # the refusal needs no shard's house
    desk.copy_account = next(
        i for i in (f"copy-{n}" for n in range(100)) if shards.of(i) != shards.of(desk.source)
    )
    desk.start("1000")
    (refused,) = trading.store.events(CopyFundingRefused)
    assert "shard" in refused.reason
    assert desk.copy_account not in trading.store.accounts


def test_a_liquidation_that_leaves_a_copy_below_its_floor_stops_it(desk: CopyDesk) -> None:
    """STRK-USD's maintenance (2.5 % of notional at its 20x tier) comes before a floor of
    20 %: at 0.459 the copy holds 217.484715, above its floor of 200 but at maintenance
    (218.025), so it is liquidated; the liquidation fee (87.21) leaves it 130.274715, below its
    floor, with nothing left to price. The copy stops then, not never."""
    desk.start("1000", "0.8")  # floor 200
    desk.copy_fill("STRK-USD", "buy", "19000", leverage="10")  # at 0.50006, fee 2.375285
    desk.trading.move("STRK-USD", "0.4591")  # equity 219.384715 > maintenance 218.0725
    assert desk.trading.store.events(AccountLiquidated) == []
    desk.trading.move("STRK-USD", "0.459")
    (liquidated,) = desk.trading.store.events(AccountLiquidated)
    assert liquidated.account_id == desk.copy_account
    assert desk.account.positions == {}
    assert desk.account.collateral == D("130.274715")
    (reached,) = desk.trading.store.events(CopyStopLossReached)
    assert (reached.equity, reached.floor) == (D("130.274715"), D(200))
    assert desk.account.copy is not None
    assert desk.account.copy.state is CopyState.STOPPING


def test_a_weekly_share_never_takes_the_margin_open_positions_stand_on(desk: CopyDesk) -> None:
    """Found by the money properties: a share of the whole collateral while a short was
    open left nothing for the next fee, and the copy account went below zero."""
    desk.start("100")
    desk.copy_fill("BTC-USD", "sell", "0.002", decision_id="d-1")
    account = desk.account
    free = account.margin(desk.trading.venue.marks, desk.trading.venue.markets).available
    desk.charge("99.95")
    (debited,) = desk.trading.store.events(ProfitShareDebited)
    assert debited.amount == money(free) < account.collateral + debited.amount
    desk.copy_fill("BTC-USD", "buy", "0.001", decision_id="d-2")
    assert desk.account.collateral > 0
