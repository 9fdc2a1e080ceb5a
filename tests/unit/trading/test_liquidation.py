"""Trading rules: liquidation when equity <= maintenance: open orders cancelled, positions closed at
mark largest loss first until equity > maintenance, 1% fee to insurance capped at the equity
left, a negative balance covered by insurance (then the house)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fakes import HOUSE_ID, INSURANCE_ID, START, Trading, quote, venue

from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind, LeverageSettings
from astratrade.trading.domain.events import (
    AccountLiquidated,
    OrderCancelled,
    OrderFilled,
    PositionClosed,
    ShortfallCovered,
)
from astratrade.trading.domain.liquidation import is_liquidatable, liquidate
from astratrade.trading.domain.orders import Order, OrderStatus, OrderType, Side, TimeInForce
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.venue import SystemAccounts

D = Decimal


class Book:
    """A trader, the house and the insurance fund, built directly (no handlers)."""

    def __init__(
        self,
        collateral: str,
        positions: list[tuple[str, str, str]],
        marks: dict[str, str],
        insurance: str = "1000000",
        orders: Sequence[Order] = (),
    ) -> None:
        self.venue = venue({m: D(p) for m, p in marks.items()})
        self.trader = account("trader", AccountKind.PRACTICE, collateral, "owner")
        self.trader.positions = {m: Position(m, D(s), D(e), START) for m, s, e in positions}
        self.trader.open_orders = {o.id: o for o in orders}
        self.house = account(HOUSE_ID, AccountKind.HOUSE, "0")
        self.insurance = account(INSURANCE_ID, AccountKind.INSURANCE, insurance)
        self.system = SystemAccounts(self.house, self.insurance)

    def liquidate(self) -> bool:
        return liquidate(self.trader, self.venue, self.system, START)

    def total(self) -> Decimal:
        return self.trader.collateral + self.house.collateral + self.insurance.collateral

    def events(self, kind: type) -> list:
        return [e for e in self.trader.pending_events if isinstance(e, kind)]


def account(
    account_id: str, kind: AccountKind, collateral: str, owner: str | None = None
) -> Account:
    return Account(
        account_id,
        owner_id=owner,
        kind=kind,
        currency="USD",
        collateral=D(collateral),
        leverage=LeverageSettings(D(5)),
        created_at=START,
    )


def resting(
    order_id: str,
    market: str,
    side: Side,
    size: str,
    price: str,
    type: OrderType = OrderType.LIMIT,
    *,
    reduce_only: bool = False,
    time_in_force: TimeInForce = TimeInForce.GTC,
) -> Order:
    """An order on the book since START (a stop or take-profit's price is its trigger)."""
    trigger = type.is_trigger
    return Order(
        id=order_id,
        account_id="trader",
        market=market,
        side=side,
        type=type,
        size=D(size),
        price=None if trigger else D(price),
        trigger_price=D(price) if trigger else None,
        reduce_only=reduce_only or trigger,
        time_in_force=time_in_force,
        client_order_id=None,
        created_at=START,
    )


def test_equity_equal_to_maintenance_liquidates() -> None:
    # 1 BTC long from 60000, mark 59000: equity 1295 - 1000 = 295 = 59000 * 0.5%.
    book = Book("1295", [("BTC-USD", "1", "60000")], {"BTC-USD": "59000"})
    assert is_liquidatable(book.trader, book.venue)
    assert book.liquidate() is True
    assert book.trader.positions == {}
    # Closed at mark: -1000 realized to the house; the 1% fee (590) is capped at the 295 left.
    assert book.house.collateral == D(1000)
    assert book.insurance.collateral == D(1000295)
    assert book.trader.collateral == 0
    (fill,) = book.events(OrderFilled)
    assert (fill.price, fill.size, fill.side, fill.fee, fill.liquidity, fill.order_id) == (
        D(59000),
        D(1),
        "sell",
        D(0),
        "liquidation",
        None,
    )
    (closed,) = book.events(PositionClosed)
    assert (closed.market, closed.realized_pnl, closed.liquidated) == ("BTC-USD", D(-1000), True)
    (liquidated,) = book.events(AccountLiquidated)
    assert liquidated.markets == ["BTC-USD"]
    assert liquidated.equity_before == D(295)
    assert liquidated.maintenance_before == D(295)
    assert liquidated.liquidation_fee == D(295)
    assert book.events(ShortfallCovered) == []
    assert book.total() == D(1295) + D(1000000)


def test_equity_just_above_maintenance_does_not_liquidate() -> None:
    # Mark 59000.1: equity 295.1 > maintenance 295.0005.
    book = Book("1295", [("BTC-USD", "1", "60000")], {"BTC-USD": "59000.1"})
    assert not is_liquidatable(book.trader, book.venue)
    assert book.liquidate() is False
    assert book.trader.positions["BTC-USD"].size == D(1)
    assert book.trader.collateral == D(1295)
    assert book.trader.pending_events == []


def test_fee_is_1_percent_of_closed_notional_when_equity_allows() -> None:
    # STRK's first tier keeps 2.5% maintenance: 20000 STRK at 0.4 = 8000 notional, 200.
    book = Book("2150", [("STRK-USD", "20000", "0.5")], {"STRK-USD": "0.4"})
    assert book.liquidate()
    assert book.insurance.collateral == D(1000080)  # 1% of 8000
    assert book.trader.collateral == D(70)  # 2150 - 2000 - 80 stays the trader's
    assert book.events(AccountLiquidated)[0].liquidation_fee == D(80)


def test_largest_loss_closes_first_and_liquidation_stops_above_maintenance() -> None:
    book = Book(
        "2400",
        [("ETH-USD", "10", "3010"), ("STRK-USD", "20000", "0.5")],
        {"ETH-USD": "3000", "STRK-USD": "0.4"},
    )
    # Equity 2400 - 100 - 2000 = 300 <= maintenance 150 (ETH) + 200 (STRK).
    assert book.liquidate()
    # STRK (-2000) before ETH (-100); after it: collateral 400, equity 300, fee 80 leaves
    # equity 220 > 150: ETH stays open.
    assert list(book.trader.positions) == ["ETH-USD"]
    assert book.trader.collateral == D(320)
    (liquidated,) = book.events(AccountLiquidated)
    assert liquidated.markets == ["STRK-USD"]
    assert (liquidated.equity_before, liquidated.maintenance_before) == (D(300), D(350))
    assert liquidated.liquidation_fee == D(80)
    assert [e.market for e in book.events(PositionClosed)] == ["STRK-USD"]
    assert not is_liquidatable(book.trader, book.venue)


def test_every_position_closes_while_equity_stays_at_or_below_maintenance() -> None:
    book = Book(
        "1500",
        [("BTC-USD", "1", "60000"), ("ETH-USD", "-10", "2990"), ("SOL-USD", "10", "140")],
        {"BTC-USD": "59000", "ETH-USD": "3000", "SOL-USD": "150"},
    )
    # Unrealized -1000 - 100 + 100: equity 500 > maintenance 295 + 150 + 15 = 460.
    assert not book.liquidate()
    book.venue.update(quote("BTC-USD", "58900"))
    # Equity 400 <= 294.5 + 150 + 15 = 459.5.
    assert book.liquidate()
    assert book.trader.positions == {}
    # Loss order: BTC -1100, ETH -100, then the SOL winner.
    assert [e.market for e in book.events(PositionClosed)] == ["BTC-USD", "ETH-USD", "SOL-USD"]
    # After BTC: collateral 400, equity 400 -> a 589 fee capped at 400; equity 0 after it, so
    # ETH and SOL close too, with no equity left for their fees.
    assert book.events(AccountLiquidated)[0].liquidation_fee == D(400)
    assert book.events(AccountLiquidated)[0].markets == ["BTC-USD", "ETH-USD", "SOL-USD"]
    assert book.trader.collateral == 0
    assert book.insurance.collateral == D(1000400)
    assert book.total() == D(1500) + D(1000000)


def test_shortfall_is_covered_by_the_insurance_fund() -> None:
    book = Book("1000", [("BTC-USD", "1", "60000")], {"BTC-USD": "58000"})
    assert book.liquidate()
    assert book.trader.collateral == 0
    assert book.house.collateral == D(2000)  # the loss at mark
    assert book.insurance.collateral == D(1000000) - D(1000)
    (covered,) = book.events(ShortfallCovered)
    assert (covered.amount, covered.from_insurance, covered.from_house) == (D(1000), D(1000), 0)
    (liquidated,) = book.events(AccountLiquidated)
    assert liquidated.liquidation_fee == 0  # no equity left for it
    # The liquidation reports the account as it ends: covered, at zero, the week's loss
    # the whole of its capital.
    kinds = [type(e).__name__ for e in book.trader.pending_events]
    assert kinds[-2:] == ["ShortfallCovered", "AccountLiquidated"]
    assert liquidated.collateral == 0
    assert liquidated.week_pnl == -liquidated.week_capital
    assert book.total() == D(1000) + D(1000000)


def test_house_covers_what_the_insurance_fund_cannot() -> None:
    book = Book("1000", [("BTC-USD", "1", "60000")], {"BTC-USD": "58000"}, insurance="300")
    assert book.liquidate()
    (covered,) = book.events(ShortfallCovered)
    assert (covered.amount, covered.from_insurance, covered.from_house) == (
        D(1000),
        D(300),
        D(700),
    )
    assert book.insurance.collateral == 0
    assert book.house.collateral == D(2000) - D(700)
    assert book.trader.collateral == 0
    assert book.total() == D(1300)


def test_open_orders_are_cancelled_before_positions_close() -> None:
    orders = [
        resting("stop", "BTC-USD", Side.SELL, "1", "50000", OrderType.STOP_LOSS),
        resting("bid", "ETH-USD", Side.BUY, "1", "2500"),
    ]
    book = Book("1000", [("BTC-USD", "1", "60000")], {"BTC-USD": "58000"}, orders=orders)
    assert book.liquidate()
    assert book.trader.open_orders == {}
    assert {o.id: (o.status, o.reason) for o in orders} == {
        "stop": (OrderStatus.CANCELLED, "liquidation"),
        "bid": (OrderStatus.CANCELLED, "liquidation"),
    }
    kinds = [type(e).__name__ for e in book.trader.pending_events]
    assert kinds == [
        "OrderCancelled",
        "OrderCancelled",
        "OrderFilled",
        "PositionClosed",
        "ShortfallCovered",
        "AccountLiquidated",
    ]


def test_liquidation_on_a_price_tick_through_the_handlers() -> None:
    trading = Trading()
    a = trading.open()
    b = trading.open("bystander")
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "1.6")  # at 60011.8: 9975.99528 collateral left
    bid = trading.place(a, "ETH-USD", "buy", "0.01", "limit", price="2000")
    trading.place(b, "BTC-USD", "buy", "0.01")
    trading.move("BTC-USD", "53800")  # equity 9975.99528 - 9938.88 = 37.11528 <= 430.4
    assert trading.account(a).positions == {}
    assert trading.account(a).open_orders == {}
    assert trading.account(a).collateral == 0
    assert trading.account(b).positions["BTC-USD"].size == D("0.01")  # not touched
    (cancelled,) = trading.store.events(OrderCancelled)
    assert (cancelled.order_id, cancelled.reason) == (bid.id, "liquidation")
    (liquidated,) = trading.store.events(AccountLiquidated)
    assert liquidated.account_id == a
    assert liquidated.equity_before == D("37.11528")
    assert liquidated.maintenance_before == D("430.4")  # 1.6 * 53800 * 0.5%
    assert liquidated.liquidation_fee == D("37.11528")
    closed = trading.store.events(PositionClosed)
    assert [(e.account_id, e.liquidated, e.realized_pnl) for e in closed] == [
        (a, True, D("-9938.88"))  # 1.6 * (53800 - 60011.8)
    ]
    assert trading.store.events(ShortfallCovered) == []
    assert trading.total_collateral() == 0


def test_gap_through_zero_equity_is_covered_through_the_handlers() -> None:
    trading = Trading()
    a = trading.open()
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "1.6")
    insurance = trading.insurance.collateral
    trading.move("BTC-USD", "50000")  # equity 9975.99528 - 16018.88 = -6042.88472
    assert trading.account(a).collateral == 0
    (covered,) = trading.store.events(ShortfallCovered)
    assert covered.amount == D("6042.88472")
    assert covered.from_insurance == D("6042.88472")
    assert trading.insurance.collateral == insurance - D("6042.88472")
    assert trading.store.events(AccountLiquidated)[0].liquidation_fee == 0
    assert trading.total_collateral() == 0
