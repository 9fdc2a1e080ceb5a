"""Trading rules: funding every hour on the hour: clamp(mean premium / 8, +-0.1%), longs pay when
positive, shorts receive, the house is the other side, each market and hour paid once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fakes import GRANT, INSURANCE_SEED, START, Trading, quote

from astratrade.shared.money import money
from astratrade.trading.domain.events import AccountLiquidated, FundingPaid, PositionClosed
from astratrade.trading.domain.funding import FundingDue, FundingSchedule
from astratrade.trading.domain.rules import TradingRules

D = Decimal
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def test_longs_pay_and_shorts_receive_a_positive_rate_with_the_house_as_other_side() -> None:
    trading = Trading()
    long = trading.open("long")
    short = trading.open("short")
    trading.place(long, "BTC-USD", "buy", "0.1")
    trading.place(short, "BTC-USD", "sell", "0.25")
    trading.move("BTC-USD", 61000)
    before = {a: trading.account(a).collateral for a in (long, short)}
    house = trading.house.collateral
    trading.pay_funding({"BTC-USD": D("0.0001")}, at=START + HOUR)
    # size * mark * rate, at the mark of the funding time.
    assert trading.account(long).collateral == before[long] - D("0.61")  # 0.1 * 61000 * 0.0001
    assert trading.account(short).collateral == before[short] + D("1.525")
    assert trading.house.collateral == house + D("0.61") - D("1.525")
    paid = {e.account_id: e for e in trading.store.events(FundingPaid)}
    assert paid[long].payment == D("0.61")
    assert paid[short].payment == D("-1.525")
    assert (paid[long].rate, paid[long].mark, paid[long].position_size) == (
        D("0.0001"),
        D(61000),
        D("0.1"),
    )
    assert trading.total_collateral() == 0


def test_a_negative_rate_pays_longs_and_charges_shorts() -> None:
    trading = Trading()
    long = trading.open("long")
    short = trading.open("short")
    trading.place(long, "ETH-USD", "buy", "2")
    trading.place(short, "ETH-USD", "sell", "3")
    before = {a: trading.account(a).collateral for a in (long, short)}
    trading.pay_funding({"ETH-USD": D("-0.000333")}, at=START + HOUR)
    assert trading.account(long).collateral == before[long] + D("1.998")  # 2 * 3000 * 0.000333
    assert trading.account(short).collateral == before[short] - D("2.997")
    assert trading.total_collateral() == 0


def test_funding_payment_is_rounded_half_even_to_the_cent_of_a_cent() -> None:
    trading = Trading()
    a = trading.open()
    trading.place(a, "STRK-USD", "buy", "13")
    trading.move("STRK-USD", "0.51235")
    before = trading.account(a).collateral
    trading.pay_funding({"STRK-USD": D("0.0009")}, at=START + HOUR)
    # 13 * 0.51235 * 0.0009 = 0.005994495 -> 0.005994
    assert money(D(13) * D("0.51235") * D("0.0009")) == D("0.005994")
    assert trading.account(a).collateral == before - D("0.005994")


def test_each_market_and_hour_is_paid_once() -> None:
    trading = Trading()
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    before = trading.account(a).collateral
    due = [FundingDue(START + HOUR, {"BTC-USD": D("0.001"), "ETH-USD": D("0.001")})]
    trading.pay_due(due)
    trading.pay_due(due)  # the same hour again: already recorded
    assert trading.account(a).collateral == before - D(6)  # 0.1 * 60000 * 0.001, once
    assert len(trading.store.events(FundingPaid)) == 1
    assert trading.store.fundings[("BTC-USD", START + HOUR)] == (D("0.001"), D(60000), 1)
    assert trading.store.fundings[("ETH-USD", START + HOUR)] == (D("0.001"), D(3000), 0)
    trading.pay_funding({"BTC-USD": D("0.001")}, at=START + 2 * HOUR)  # the next hour pays
    assert trading.account(a).collateral == before - D(12)


def test_a_zero_rate_is_recorded_and_moves_nothing() -> None:
    trading = Trading()
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    before = trading.account(a).collateral
    trading.pay_funding({"BTC-USD": D(0)}, at=START + HOUR)
    assert trading.account(a).collateral == before
    assert trading.store.events(FundingPaid) == []
    assert ("BTC-USD", START + HOUR) in trading.store.fundings


def samples(schedule: FundingSchedule, trading: Trading, minute: int, btc_mark: str) -> list:
    trading.venue.update(quote("BTC-USD", btc_mark, "60000", START + minute * MINUTE))
    return schedule.advance(START + minute * MINUTE, trading.venue.quotes)


def test_schedule_samples_each_minute_and_pays_the_clamped_mean_on_the_hour() -> None:
    trading = Trading()
    schedule = FundingSchedule(TradingRules(), START)
    assert samples(schedule, trading, 1, "60060") == []  # premium 0.001
    assert samples(schedule, trading, 1, "69000") == []  # same minute: not sampled again
    assert samples(schedule, trading, 2, "60120") == []  # premium 0.002
    assert schedule.samples("BTC-USD") == [D("0.001"), D("0.002")]
    assert schedule.samples("ETH-USD") == [D(0), D(0)]
    due = schedule.advance(START + HOUR, trading.venue.quotes)
    assert len(due) == 1
    assert due[0].at == START + HOUR
    assert due[0].rates["BTC-USD"] == D("0.0001875")  # (0.001 + 0.002) / 2 / 8
    assert due[0].rates["ETH-USD"] == D(0)
    # The hour's samples are spent; the 11:00 minute is the first sample of the next hour.
    assert schedule.samples("BTC-USD") == [D("0.002")]


def test_schedule_clamps_to_the_cap() -> None:
    trading = Trading()
    schedule = FundingSchedule(TradingRules(), START)
    samples(schedule, trading, 5, "54000")  # premium -0.1: /8 = -1.25%
    (due,) = schedule.advance(START + HOUR, trading.venue.quotes)
    assert due.rates["BTC-USD"] == D("-0.001")


def test_a_clock_jump_pays_every_hour_boundary_once() -> None:
    trading = Trading()
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    before = trading.account(a).collateral
    schedule = FundingSchedule(TradingRules(), START)
    samples(schedule, trading, 1, "60060")  # rate 0.001 / 8 = 0.000125
    trading.venue.update(quote("BTC-USD", "60000"))
    due = schedule.advance(START + timedelta(hours=3, minutes=30), trading.venue.quotes)
    assert [d.at for d in due] == [START + HOUR, START + 2 * HOUR, START + 3 * HOUR]
    # Only the first hour had samples: the others pay nothing.
    assert [d.rates["BTC-USD"] for d in due] == [D("0.000125"), D(0), D(0)]
    trading.pay_due(due)
    trading.pay_due(due)
    assert trading.account(a).collateral == before - D("0.75")  # 0.1 * 60000 * 0.000125
    assert {at for (market, at) in trading.store.fundings if market == "BTC-USD"} == {
        START + HOUR,
        START + 2 * HOUR,
        START + 3 * HOUR,
    }
    assert schedule.advance(START + timedelta(hours=3, minutes=59), trading.venue.quotes) == []
    assert [d.at for d in schedule.advance(START + 4 * HOUR, trading.venue.quotes)] == [
        START + 4 * HOUR
    ]


def test_a_jump_of_millennia_settles_a_bounded_number_of_hours_and_pays_the_sampled_one() -> None:
    trading = Trading()
    rules = TradingRules()
    schedule = FundingSchedule(rules, START)
    samples(schedule, trading, 1, "60060")  # rate 0.001 / 8 = 0.000125
    far = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    due = schedule.advance(far, trading.venue.quotes)  # ~69 million hours: one list each before
    assert len(due) == rules.funding_catch_up_hours
    assert due[0].rates["BTC-USD"] == D("0.000125")
    assert all(rate == 0 for d in due[1:] for rate in d.rates.values())
    # The hours skipped had no samples; time goes on from the last boundary passed.
    assert schedule.advance(far, trading.venue.quotes) == []


def test_a_jump_within_the_catch_up_settles_every_hour() -> None:
    trading = Trading()
    schedule = FundingSchedule(TradingRules(funding_catch_up_hours=5), START)
    due = schedule.advance(START + 5 * HOUR, trading.venue.quotes)
    assert [d.at for d in due] == [START + n * HOUR for n in range(1, 6)]
    due = schedule.advance(START + 12 * HOUR, trading.venue.quotes)
    assert [d.at for d in due] == [START + n * HOUR for n in range(6, 11)]
    assert [d.at for d in schedule.advance(START + 13 * HOUR, trading.venue.quotes)] == [
        START + 13 * HOUR
    ]


def test_funding_that_pushes_equity_to_maintenance_liquidates() -> None:
    trading = Trading()
    a = trading.open()
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "1.6")  # at 60011.8, fee 24.00472
    trading.move("BTC-USD", 54100)
    margin = trading.account(a).margin(trading.venue.marks, trading.venue.markets)
    assert margin.equity - margin.maintenance_margin == D("84.31528")  # not liquidated yet
    assert trading.account(a).positions
    insurance = trading.insurance.collateral
    trading.pay_funding({"BTC-USD": D("0.001")}, at=START + HOUR)  # pays 1.6 * 54100 * 0.001
    assert trading.account(a).positions == {}
    (liquidated,) = trading.store.events(AccountLiquidated)
    # After funding: 9975.99528 - 86.56 = 9889.43528 collateral, equity 430.55528.
    assert liquidated.equity_before == D("430.55528")
    # Closed at mark: -9458.88 realized, leaving 430.55528: the whole of it is the fee.
    assert liquidated.liquidation_fee == D("430.55528")
    assert trading.account(a).collateral == 0
    assert trading.insurance.collateral == insurance + D("430.55528")
    assert [e.liquidated for e in trading.store.events(PositionClosed)] == [True]
    assert trading.house.collateral == -INSURANCE_SEED - GRANT + D("24.00472") + D("86.56") + D(
        "9458.88"
    )
    assert trading.total_collateral() == 0
