"""Edges of the trading rules that the scenario and property tests pass by: the maintenance
rate of a tier built at run time, the funding rate predicted before the hour ends, and
what account settings announce and mark for saving."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from copy_desk import CopyDesk
from fakes import MARKETS, START, Trading, quote

from astratrade.trading import handlers
from astratrade.trading.domain.account_terms import CopyState
from astratrade.trading.domain.commands import OpenTournamentAccount
from astratrade.trading.domain.copies import close_at_market, debit_profit_share, floor_reached
from astratrade.trading.domain.events import (
    AccountLiquidated,
    CollateralWithdrawn,
    CopyStopLossReached,
    DailyLossLimitSet,
    FundingPaid,
    LeaderFilled,
    OrderCancelled,
    OrderFilled,
    ProfitShareDebited,
    ShortfallCovered,
)
from astratrade.trading.domain.execution import end_window
from astratrade.trading.domain.funding import FundingSchedule
from astratrade.trading.domain.liquidation_price import liquidation_price
from astratrade.trading.domain.margin import equity_and_maintenance
from astratrade.trading.domain.markets import RiskTier
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.domain.venue import SystemAccounts

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def test_a_tiers_maintenance_rate_is_half_over_its_max_leverage() -> None:
    assert RiskTier(D(20), None).maintenance_rate == D("0.025")
    assert RiskTier(D(50), D(100_000)).maintenance_rate == D("0.01")


def test_the_predicted_funding_rate_is_the_rate_the_hour_will_pay() -> None:
    schedule = FundingSchedule(TradingRules(), START)
    quotes = {"BTC-USD": quote("BTC-USD", "60060", "60000", START + MINUTE)}
    schedule.advance(START + MINUTE, quotes)
    quotes = {"BTC-USD": quote("BTC-USD", "60120", "60000", START + 2 * MINUTE)}
    schedule.advance(START + 2 * MINUTE, quotes)
    predicted = schedule.predicted_rate("BTC-USD")
    assert predicted == D("0.0001875")  # (0.001 + 0.002) / 2 / 8
    (due,) = schedule.advance(START + timedelta(hours=1), quotes)
    assert due.rates["BTC-USD"] == predicted


def test_a_market_never_sampled_has_no_samples_and_predicts_no_funding() -> None:
    schedule = FundingSchedule(TradingRules(), START)
    assert schedule.samples("SOL-USD") == []
    assert schedule.predicted_rate("SOL-USD") == 0


def test_a_daily_loss_limit_is_announced_and_marks_the_account_for_saving() -> None:
    trading = Trading()
    account_id = trading.open("ann")
    trading.set_loss_limit(account_id, 250)
    assert trading.store.events(DailyLossLimitSet)[-1] == DailyLossLimitSet(
        account_id=account_id, daily_loss_limit=D(250)
    )
    account = trading.account(account_id)
    account.row_changed = False
    account.set_daily_loss_limit(None)
    assert account.row_changed is True


def test_leading_or_not_marks_the_account_for_saving() -> None:
    trading = Trading()
    account = trading.account(trading.open("ann"))
    for leading in (True, False):
        account.row_changed = False
        account.set_leading(leading)
        assert (account.leading, account.row_changed) == (leading, True)


@pytest.fixture
def desk(trading: Trading) -> CopyDesk:
    return CopyDesk(trading)


def test_a_leader_fill_names_its_account_and_market(desk: CopyDesk) -> None:
    desk.opt_in()
    desk.trading.place(desk.leader_account, "ETH-USD", "buy", "1")
    (filled,) = desk.trading.store.events(LeaderFilled)
    assert (filled.account_id, filled.market) == (desk.leader_account, "ETH-USD")


def test_a_long_across_tiers_is_liquidated_at_the_nearest_price_not_the_lowest() -> None:
    """A $200k long on $101 sits just past the $200k tier boundary: one tick down it is
    liquidatable in the higher tier, below 59,999.4 the lower tier's maintenance holds it
    until 59,698.1. The price shown is the nearest, 59,999.6 (found by Hypothesis)."""
    positions = {"BTC-USD": Position("BTC-USD", D("3.33338"), D(59_430), START)}
    marks = {m.id: m.start_price for m in MARKETS.values()}

    def liquidatable(price: D) -> bool:
        equity, maintenance = equity_and_maintenance(
            D(101), positions.values(), {**marks, "BTC-USD": price}, MARKETS
        )
        return equity <= maintenance

    price = liquidation_price(D(101), positions, marks, MARKETS, "BTC-USD")
    assert price == D("59999.6")
    assert liquidatable(price)
    assert not liquidatable(price + MARKETS["BTC-USD"].tick)
    assert liquidatable(D("59698.1"))


def test_funding_paid_adds_up_on_the_position_and_marks_it_for_saving() -> None:
    trading = Trading()
    account_id = trading.open("ann")
    trading.place(account_id, "BTC-USD", "buy", "0.1")
    trading.pay_funding({"BTC-USD": D("0.0001")}, at=START + HOUR)
    trading.pay_funding({"BTC-USD": D("0.0003")}, at=START + 2 * HOUR)
    paid = trading.store.events(FundingPaid)
    assert [e.market for e in paid] == ["BTC-USD", "BTC-USD"]
    account = trading.account(account_id)
    assert account.positions["BTC-USD"].funding_paid == paid[0].payment + paid[1].payment > 0
    account.dirty_positions.clear()
    account.pay_funding("BTC-USD", D("0.0001"), D(60_000), START + 3 * HOUR)
    assert account.dirty_positions == {"BTC-USD"}


def test_a_withdrawal_lowers_the_capital_returns_are_measured_on() -> None:
    trading = Trading()
    account = trading.account(trading.open("ann"))
    account.withdraw(D(1), destination="h", transfer_id="t-0", at=START)  # the week starts
    capital = account.results.week_capital
    account.withdraw(D(400), destination="h", transfer_id="t-1", at=START + HOUR)
    assert account.results.week_capital == capital - D(400)
    next_week, before = START + timedelta(days=7), account.collateral
    account.withdraw(D(100), destination="h", transfer_id="t-2", at=next_week)
    assert account.results.week_capital == before - D(100)  # the new week starts from it
    (_, event, _) = [e for e in account.pending_events if isinstance(e, CollateralWithdrawn)]
    assert (event.reason, event.transfer_id, event.amount) == ("withdrawal", "t-1", D(400))


def test_an_order_taken_off_the_book_says_whose_it_was_and_when() -> None:
    trading = Trading()
    account_id = trading.open("ann")
    order = trading.place(account_id, "BTC-USD", "buy", "0.1", "limit", price=D(50_000))
    account = trading.account(account_id)
    resting = account.open_orders[order.id]
    account.expire_order(resting, "nothing left to reduce", START + HOUR)
    assert order.id not in account.open_orders
    assert (resting.status.value, resting.updated_at) == ("expired", START + HOUR)
    cancelled = [e for e in account.pending_events if isinstance(e, OrderCancelled)][-1]
    assert (cancelled.account_id, cancelled.owner_id, cancelled.reason) == (
        account_id,
        "ann",
        "nothing left to reduce",
    )


def test_the_risk_at_a_stop_is_the_distance_to_it_times_the_size() -> None:
    position = Position("BTC-USD", D("-0.5"), D(60_000), START)
    position.protect(D(61_000), START + HOUR)
    assert position.risk_at_stop == D(500)  # 1,000 x 0.5


def test_the_floor_stop_names_its_copy_and_account(desk: CopyDesk) -> None:
    desk.start("1000", "0.5")
    desk.copy_fill("BTC-USD", "buy", "0.1", leverage="10")
    desk.trading.move("BTC-USD", 55_000)
    (reached,) = desk.trading.store.events(CopyStopLossReached)
    copy = desk.account.copy
    assert copy is not None
    assert (reached.copy_id, reached.copy_account_id) == (copy.copy_id, desk.account.id)


def test_a_profit_share_lowers_the_capital_and_names_its_copy(desk: CopyDesk) -> None:
    desk.start("1000", "0.5")
    account = desk.account
    copy = account.copy
    assert copy is not None
    account.withdraw(D(1), destination="h", transfer_id="t-0", at=START)  # the week starts
    capital = account.results.week_capital
    taken = debit_profit_share(
        account, D(30), D(1_000), leader_account_id="lead", transfer_id="t-1", at=START
    )
    assert (taken, account.results.week_capital) == (D(30), capital - D(30))
    shared = account.pending_events[-1]
    assert isinstance(shared, ProfitShareDebited)
    assert (shared.copy_id, shared.amount) == (copy.copy_id, D(30))


def test_nothing_is_debited_when_nothing_is_free_or_the_account_copies_nobody() -> None:
    trading = Trading()
    plain = trading.account(trading.open("ann"))
    for account, free in ((plain, D(500)), (plain, D(0))):
        events = len(account.pending_events)
        taken = debit_profit_share(
            account, D(30), free, leader_account_id="lead", transfer_id="t-1", at=START
        )
        assert (taken, len(account.pending_events)) == (0, events)


def test_a_profit_share_of_nothing_records_nothing(desk: CopyDesk) -> None:
    desk.start("1000", "0.5")
    account = desk.account
    events, collateral = len(account.pending_events), account.collateral
    taken = debit_profit_share(
        account, D(30), D(0), leader_account_id="lead", transfer_id="t-1", at=START
    )
    assert (taken, len(account.pending_events), account.collateral) == (0, events, collateral)


def test_the_floor_is_reached_at_equity_equal_to_it_and_only_while_the_copy_is_active(
    desk: CopyDesk,
) -> None:
    desk.start("1000", "0.5")  # floor 500
    account, venue = desk.account, desk.trading.venue
    account.adjust(D("-499.999999"))
    assert not floor_reached(account, venue)
    account.adjust(D("-0.000001"))  # equity exactly 500
    assert floor_reached(account, venue)
    account.set_copy_state(CopyState.STOPPING)
    assert not floor_reached(account, venue)
    assert not floor_reached(desk.trading.account(desk.trading.open("ann")), venue)


def test_a_running_tournament_keeps_its_resting_orders_until_it_ends(trading: Trading) -> None:
    opens = trading.now
    cmd = OpenTournamentAccount(
        owner_id="trader-1",
        account_id="tour-acct-1",
        starting_capital=D(5000),
        markets=("BTC-USD",),
        opens_at=opens,
        closes_at=opens + 24 * HOUR,
    )
    trading.call(lambda uow: handlers.open_tournament_account(cmd, uow, trading.venue, opens))
    order = trading.place("tour-acct-1", "BTC-USD", "buy", "0.01", "limit", price=D(50_000))
    account = trading.account("tour-acct-1")
    assert not end_window(account, opens + HOUR)
    assert order.id in account.open_orders
    assert end_window(account, opens + 24 * HOUR)
    assert order.id not in account.open_orders
    assert account.dirty_orders[order.id].updated_at == opens + 24 * HOUR


def test_closing_at_market_is_a_reduce_only_order_of_the_whole_position() -> None:
    trading = Trading()
    account_id = trading.open("ann")
    trading.place(account_id, "BTC-USD", "sell", "0.2")
    account = trading.account(account_id)
    system = SystemAccounts(trading.house, trading.insurance)
    account.dirty_orders.clear()
    close_at_market(account, "BTC-USD", trading.venue, system, START + HOUR, "cid-9")
    (order,) = account.dirty_orders.values()
    assert (order.account_id, order.side.value, order.size, order.reduce_only) == (
        account_id,
        "buy",
        D("0.2"),
        True,
    )
    assert (order.client_order_id, order.created_at, order.status.value) == (
        "cid-9",
        START + HOUR,
        "filled",
    )
    assert "BTC-USD" not in account.positions


def test_closing_a_position_above_the_market_order_cap_is_allowed() -> None:
    trading = Trading()
    account_id = trading.open("whale", grant=D(1_000_000))
    trading.place(account_id, "BTC-USD", "buy", "10")
    trading.place(account_id, "BTC-USD", "buy", "10")  # $1.2M: above one market order's cap
    account = trading.account(account_id)
    system = SystemAccounts(trading.house, trading.insurance)
    close_at_market(account, "BTC-USD", trading.venue, system, START + HOUR)
    assert "BTC-USD" not in account.positions


def test_a_liquidation_names_whose_account_of_what_kind_and_each_fill(trading: Trading) -> None:
    account_id = trading.open("ann")
    trading.set_leverage(account_id, "BTC-USD", 10)
    trading.place(account_id, "BTC-USD", "buy", "1.6")
    trading.place(account_id, "ETH-USD", "buy", "0.01", "limit", price="2000")
    trading.move("BTC-USD", "53800")
    (liquidated,) = trading.store.events(AccountLiquidated)
    assert (liquidated.owner_id, liquidated.account_kind) == ("ann", "practice")
    fills = [e.fill_id for e in trading.store.events(OrderFilled)]
    assert None not in fills
    assert len(set(fills)) == len(fills) == 2  # the opening buy and the liquidation's close


def test_a_traders_own_close_that_leaves_a_flat_account_owing_is_made_whole() -> None:
    """Negative-balance protection after a trader's own fill, not only after a liquidation:
    the mark jumped past the liquidation line before any tick was processed, and the trader
    closed first. The flat account ends at 0, the insurance fund pays what it holds of the
    shortfall and the house the rest; no money is created or lost."""
    trading = Trading()
    account_id = trading.open("ann")
    trading.set_leverage(account_id, "BTC-USD", 10)
    trading.place(account_id, "BTC-USD", "buy", "1.5")  # $90k at 10x on $10k
    before = trading.total_collateral()
    trading.venue.quotes["BTC-USD"] = quote("BTC-USD", "50000", at=START)
    trading.venue.marks["BTC-USD"] = D(50_000)  # a $15k loss, no tick processed yet
    trading.close(account_id, "BTC-USD")
    account = trading.account(account_id)
    assert account.positions == {}
    assert account.collateral == 0
    (covered,) = trading.store.events(ShortfallCovered)
    assert covered.amount > D(5_000)
    assert covered.from_insurance + covered.from_house == covered.amount
    assert covered.from_insurance >= 0
    assert covered.from_house >= 0
    assert trading.total_collateral() == before


def test_equity_exactly_at_maintenance_is_the_liquidation_price() -> None:
    """Liquidation is at equity ≤ maintenance: a $10,250 account long 1 BTC from 60,000 has
    equity 250 = maintenance (0.5 % of $50,000) exactly at 50,000, which is its price."""
    positions = {"BTC-USD": Position("BTC-USD", D(1), D(60_000), START)}
    marks = {m.id: m.start_price for m in MARKETS.values()}
    equity, maintenance = equity_and_maintenance(
        D(10_250), positions.values(), {**marks, "BTC-USD": D(50_000)}, MARKETS
    )
    assert equity == maintenance == D(250)
    assert liquidation_price(D(10_250), positions, marks, MARKETS, "BTC-USD") == D(50_000)
