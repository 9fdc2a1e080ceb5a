"""Edges of the trading rules that the scenario and property tests pass by: the maintenance
rate of a tier built at run time, the funding rate predicted before the hour ends, and
what account settings announce and mark for saving."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from copy_desk import CopyDesk
from fakes import MARKETS, START, Trading, quote

from astratrade.trading.domain.events import DailyLossLimitSet, LeaderFilled
from astratrade.trading.domain.funding import FundingSchedule
from astratrade.trading.domain.liquidation_price import liquidation_price
from astratrade.trading.domain.margin import equity_and_maintenance
from astratrade.trading.domain.markets import RiskTier
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.rules import TradingRules

MINUTE = timedelta(minutes=1)


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
