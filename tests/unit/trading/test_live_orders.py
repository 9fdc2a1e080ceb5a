"""Orders on live accounts: checked against Extended's market rules and the unlocked
leverage (a property over sizes and prices), sent to the venue (a fake behind the port),
never filled by the practice engine, refused orders recorded nowhere."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from fakes import START, FakeTradingUnitOfWork, Trading, open_practice_account
from hypothesis import given, settings
from hypothesis import strategies as st

from astratrade.shared.errors import Unavailable, ValidationFailed
from astratrade.trading import handlers
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import (
    CancelLiveOrders,
    CancelOrder,
    PlaceOrder,
    RecordVenueReports,
)
from astratrade.trading.domain.errors import OrderRejected, VenueUnavailable
from astratrade.trading.domain.events import CollateralDeposited, CollateralWithdrawn
from astratrade.trading.domain.live_orders import (
    VenueMarketRules,
    VenueRefused,
    check_live_order,
)
from astratrade.trading.domain.orders import Order, OrderStatus, OrderType, Side
from astratrade.trading.domain.venue_link import VenueLink
from astratrade.trading.domain.venue_reports import (
    VenueFill,
    VenueFunding,
    VenueOrderEnd,
    VenueOrderState,
    VenueTransfer,
)
from astratrade.trading.handlers.live_steps import LiveDesk, SendToVenue
from astratrade.trading.ports import LiveTrading

RULES = VenueMarketRules(
    market="BTC-USD",
    venue_market="BTC-USD",
    min_size=Decimal("0.0001"),
    size_step=Decimal("0.00001"),
    tick=Decimal("0.1"),
    max_leverage=Decimal(50),
)


def cmd(size: Decimal, price: Decimal | None = None, **changes: object) -> PlaceOrder:
    values: dict[str, object] = {
        "owner_id": "u1",
        "account_id": "a1",
        "market": "BTC-USD",
        "side": Side.BUY,
        "type": OrderType.LIMIT if price is not None else OrderType.MARKET,
        "size": size,
        "price": price,
    }
    return PlaceOrder(**(values | changes))  # type: ignore[arg-type]


steps = st.integers(min_value=0, max_value=10**7)


@given(steps, st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=10**7))
def test_a_limit_passes_exactly_when_the_venue_would_take_it(n: int, off: int, ticks: int) -> None:
    size = n * RULES.size_step + off * Decimal("0.000001")  # off the step unless off is 0 or 10
    price = ticks * RULES.tick
    acceptable = size >= RULES.min_size and size % RULES.size_step == 0
    if acceptable:
        check_live_order(cmd(size, price), RULES, Decimal(5), Decimal(10))
        return
    with pytest.raises(ValidationFailed) as refused:
        check_live_order(cmd(size, price), RULES, Decimal(5), Decimal(10))
    assert refused.value.field == "size"


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=1, max_value=9))
def test_a_price_off_the_venues_tick_is_refused_naming_price(ticks: int, hundredths: int) -> None:
    price = ticks * RULES.tick + hundredths * Decimal("0.01")
    with pytest.raises(ValidationFailed) as refused:
        check_live_order(cmd(Decimal("0.01"), price), RULES, Decimal(5), Decimal(10))
    assert refused.value.field == "price"


@given(
    st.decimals(min_value=1, max_value=100, places=1),
    st.decimals(min_value=1, max_value=100, places=0),
)
def test_leverage_is_capped_by_the_lower_of_unlocked_and_the_venue(
    leverage: Decimal, unlocked: Decimal
) -> None:
    if leverage <= min(unlocked, RULES.max_leverage):
        check_live_order(cmd(Decimal("0.01")), RULES, leverage, unlocked)
        return
    with pytest.raises(OrderRejected):
        check_live_order(cmd(Decimal("0.01")), RULES, leverage, unlocked)


@dataclass
class FakeVenue:
    """The live venue behind its port: keeps what it was sent, refuses on demand."""

    placed: list[Order] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    mass_cancels: int = 0
    refuse_with: int | None = None
    unreachable: bool = False

    async def market_rules(self, market: str) -> VenueMarketRules:
        return RULES

    async def place(self, link: VenueLink, order: Order) -> None:
        if self.refuse_with is not None:
            raise VenueRefused(self.refuse_with, "Invalid StarkEx signature")
        if self.unreachable:
            raise Unavailable("Extended cannot be reached")
        self.placed.append(order)

    async def cancel(self, link: VenueLink, order: Order) -> None:
        self.cancelled.append(order.id)

    async def cancel_all(self, link: VenueLink) -> None:
        self.mass_cancels += 1


@dataclass
class FakeLinks:
    links: dict[str, VenueLink] = field(default_factory=dict)

    async def save(self, link: VenueLink) -> None:
        self.links[link.account_id] = link

    async def get(self, account_id: str) -> VenueLink | None:
        return self.links.get(account_id)

    async def delete(self, account_id: str) -> bool:
        return self.links.pop(account_id, None) is not None


def live_account(
    trading: Trading, connected: bool = True
) -> tuple[Account, LiveTrading, FakeVenue]:
    account = Account.open(
        "live-1",
        owner_id="u1",
        kind=AccountKind.LIVE,
        currency="USDC",
        default_leverage=Decimal(5),
        at=trading.now,
    )

    async def add(uow: FakeTradingUnitOfWork) -> None:
        uow.accounts.add(account)
        await uow.commit()

    trading.call(add)
    links, venue = FakeLinks(), FakeVenue()
    if connected:
        links.links[account.id] = VenueLink(
            account_id=account.id,
            owner_id="u1",
            vault_id=1,
            public_key=2,
            venue_account_id=3,
            connected_at=trading.now,
            api_key="k" * 10,
            private_key=4,
        )
    return account, LiveTrading(links=links, venue=venue), venue


class Writer:
    """The engine's single writer over the fakes: one use case at a time, each in a unit of
    work of its own (rolled back if it raises)."""

    def __init__(self, trading: Trading) -> None:
        self.trading, self.lock = trading, asyncio.Lock()

    async def run(self, use_case: Any) -> Any:
        async with self.lock, FakeTradingUnitOfWork(self.trading.store, self.trading.clock) as u:
            return await use_case(u)


def deciding(trading: Trading, live: LiveTrading | None, command: PlaceOrder) -> Any:
    return lambda uow, rules: handlers.place_order(
        command, uow, trading.venue, trading.now, None, live, rules
    )


def place(trading: Trading, live: LiveTrading | None, command: PlaceOrder) -> Order:
    """As the platform places: the writer decides and records, the desk asks the venue."""
    desk = LiveDesk(live, lambda: trading.now)

    async def go() -> Order:
        order: Order = await desk.place(Writer(trading).run, deciding(trading, live, command))
        return order

    return asyncio.run(go())


def cancel(trading: Trading, live: LiveTrading, decide: Any) -> Any:
    return asyncio.run(LiveDesk(live, lambda: trading.now).cancel(Writer(trading).run, decide))


def test_a_live_order_goes_to_the_venue_once_and_never_fills_in_practice(
    trading: Trading,
) -> None:
    account, live, venue = live_account(trading)
    limit = cmd(Decimal("0.01"), Decimal("1.0"), account_id=account.id, client_order_id="c1")
    order = place(trading, live, limit)
    assert place(trading, live, limit).id == order.id  # a retry answers the same order
    assert [o.id for o in venue.placed] == [order.id]
    market = cmd(Decimal("0.5"), account_id=account.id)
    place(trading, live, market)
    trading.move("BTC-USD", "0.5")  # a practice mark that crosses the resting buy at 1.0
    trading.pay_funding({"BTC-USD": Decimal("0.01")})
    held = trading.account(account.id)
    assert held.positions == {}  # the venue fills, not us
    assert len(held.open_orders) == 2
    assert all(o.status is OrderStatus.OPEN for o in held.open_orders.values())


def test_a_refused_live_order_ends_rejected_with_the_venues_reason(trading: Trading) -> None:
    account, live, venue = live_account(trading)
    venue.refuse_with = 1142
    with pytest.raises(VenueRefused):
        place(trading, live, cmd(Decimal("0.5"), account_id=account.id))
    with pytest.raises(VenueUnavailable):  # no live venue configured
        place(trading, None, cmd(Decimal("0.5"), account_id=account.id))
    assert not trading.account(account.id).open_orders
    [refused] = trading.store.orders.values()
    assert refused.status is OrderStatus.REJECTED
    assert refused.reason == "Extended refused the order (1142): Invalid StarkEx signature"
    other = Trading()
    unlinked, live_unlinked, _ = live_account(other, connected=False)
    with pytest.raises(VenueUnavailable):  # not connected to Extended
        place(other, live_unlinked, cmd(Decimal("0.5"), account_id=unlinked.id))


def test_cancel_and_mass_cancel_go_to_the_venue_first(trading: Trading) -> None:
    account, live, venue = live_account(trading)
    first = place(trading, live, cmd(Decimal("0.01"), Decimal("1.0"), account_id=account.id))
    place(trading, live, cmd(Decimal("0.02"), Decimal("1.0"), account_id=account.id))
    one = CancelOrder(owner_id="u1", order_id=first.id)
    cancel(trading, live, lambda uow: handlers.cancel_order(one, uow, trading.now, live))
    assert venue.cancelled == [first.id]
    assert trading.store.orders[first.id].status is OrderStatus.CANCELLED
    every = CancelLiveOrders(owner_id="u1", account_id=account.id)
    ended = cancel(trading, live, lambda uow: handlers.cancel_live_orders(every, uow, live))
    assert (ended, venue.mass_cancels) == (1, 1)
    assert not trading.account(account.id).open_orders


def report(
    account_id: str, *fills: VenueFill, ended: tuple[VenueOrderState, ...] = ()
) -> RecordVenueReports:
    return RecordVenueReports(account_id=account_id, fills=fills, ended=ended)


def venue_fill(
    trade_id: int, size: str, external: str | None = "c1", side: Side = Side.BUY
) -> VenueFill:
    return VenueFill(
        trade_id=trade_id,
        external_id=external,
        market="BTC-USD",
        side=side,
        size=Decimal(size),
        price=Decimal("60000"),
        fee=Decimal(size) * Decimal(30),  # 0.05 % of the value
        is_taker=True,
        at=START,
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=12))
def test_each_venue_trade_is_recorded_once_however_often_it_is_reported(
    reported: list[int],
) -> None:
    trading = Trading()
    account, live, _ = live_account(trading)
    place(
        trading,
        live,
        cmd(Decimal("1"), Decimal("60000.0"), account_id=account.id, client_order_id="c1"),
    )
    for trade_id in reported:  # the stream, a re-sync, the stream again…
        command = report(account.id, venue_fill(trade_id, "0.01"), venue_fill(trade_id, "0.01"))
        trading.call(lambda uow, c=command: handlers.record_venue_reports(c, uow, trading.now))
    held = trading.account(account.id)
    assert sorted(f.id for f in trading.store.fills) == sorted(f"x10-{t}" for t in set(reported))
    assert held.positions["BTC-USD"].size == Decimal("0.01") * len(set(reported))
    assert held.open_orders  # 1 BTC ordered, less filled: still open


def test_the_venue_ends_orders_and_its_fills_close_positions(trading: Trading) -> None:
    account, live, _ = live_account(trading)
    place(trading, live, cmd(Decimal("0.5"), account_id=account.id, client_order_id="c1"))
    resting = place(
        trading,
        live,
        cmd(Decimal("0.1"), Decimal("1.0"), account_id=account.id, client_order_id="c2"),
    )
    opened = report(account.id, venue_fill(1, "0.5"))
    trading.call(lambda uow: handlers.record_venue_reports(opened, uow, trading.now))
    closing = report(
        account.id,
        venue_fill(2, "0.2", external=None, side=Side.SELL),
        ended=(VenueOrderState("c2", VenueOrderEnd.CANCELLED),),
    )
    trading.call(lambda uow: handlers.record_venue_reports(closing, uow, trading.now))
    held = trading.account(account.id)
    assert held.positions["BTC-USD"].size == Decimal("0.3")
    assert resting.id not in held.open_orders
    assert trading.store.orders[resting.id].status is OrderStatus.CANCELLED
    assert not held.open_orders


@dataclass
class SlowVenue(FakeVenue):
    """A venue that answers only when told: the writer must not wait for it."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    answer: asyncio.Event = field(default_factory=asyncio.Event)

    async def place(self, link: VenueLink, order: Order) -> None:
        self.arrived.set()
        await self.answer.wait()
        await super().place(link, order)


def test_a_slow_venue_never_holds_the_writer(trading: Trading) -> None:
    account, live, _ = live_account(trading)
    slow = SlowVenue()
    live = LiveTrading(links=live.links, venue=slow)
    practice = open_practice_account(trading.store, trading.venue, "u2")
    practice_order = cmd(Decimal("0.01"), owner_id="u2", account_id=practice.id)
    live_order = cmd(Decimal("0.01"), Decimal("1.0"), account_id=account.id)

    async def go() -> None:
        writer, desk = Writer(trading), LiveDesk(live, lambda: trading.now)
        sending = asyncio.create_task(desk.place(writer.run, deciding(trading, live, live_order)))
        await asyncio.wait_for(slow.arrived.wait(), 1)
        # Extended has not answered: the practice order on the same writer completes anyway.
        practising = deciding(trading, None, practice_order)
        done = await asyncio.wait_for(writer.run(lambda uow: practising(uow, None)), 1)
        assert done.status is OrderStatus.FILLED
        [waiting] = trading.account(account.id).open_orders.values()
        assert waiting.status is OrderStatus.PENDING  # recorded before it was sent
        slow.answer.set()
        confirmed = await asyncio.wait_for(sending, 1)
        assert confirmed.status is OrderStatus.OPEN

    asyncio.run(go())


def test_a_crash_between_recorded_and_sent_is_settled_by_the_resync(trading: Trading) -> None:
    account, live, venue = live_account(trading)

    def recorded_not_sent(client_id: str) -> Order:  # the process stops after the first command
        command = cmd(Decimal("0.5"), account_id=account.id, client_order_id=client_id)
        step = trading.call(lambda uow: deciding(trading, live, command)(uow, RULES))
        assert isinstance(step, SendToVenue)
        return step.order

    reached, lost, on_its_way = (recorded_not_sent(c) for c in ("c1", "c2", "c3"))
    assert not venue.placed
    resync = RecordVenueReports(
        account_id=account.id,
        fills=(venue_fill(7, "0.2"),),  # c1 reached Extended and partly filled
        known=("c1",),
        complete_as_of=trading.now,
    )
    for _ in range(2):  # the re-sync after each connection reports the same again
        trading.call(
            lambda uow: handlers.record_venue_reports(resync, uow, trading.now, {on_its_way.id})
        )
    held = trading.account(account.id)
    assert held.open_orders[reached.id].status is OrderStatus.OPEN
    assert held.open_orders[reached.id].filled_size == Decimal("0.2")
    assert [f.id for f in trading.store.fills] == ["x10-7"]  # once
    assert trading.store.orders[lost.id].status is OrderStatus.REJECTED
    assert held.open_orders[on_its_way.id].status is OrderStatus.PENDING  # its answer is coming
    assert held.positions["BTC-USD"].size == Decimal("0.2")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=10))
def test_each_venue_funding_payment_is_recorded_once(reported: list[int]) -> None:
    trading = Trading()
    account, live, _ = live_account(trading)
    place(trading, live, cmd(Decimal("1"), account_id=account.id, client_order_id="c1"))
    opened = report(account.id, venue_fill(1, "1"))
    trading.call(lambda uow: handlers.record_venue_reports(opened, uow, trading.now))
    before = trading.account(account.id).collateral

    def paid(payment_id: int) -> VenueFunding:
        amount = Decimal(payment_id) / 100  # > 0: the long paid
        return VenueFunding(payment_id, "BTC-USD", amount, Decimal("0.0001"), Decimal(1), START)

    for payment_id in reported:  # a balance update, a re-sync, another…
        command = RecordVenueReports(account_id=account.id, funding=(paid(payment_id),) * 2)
        trading.call(lambda uow, c=command: handlers.record_venue_reports(c, uow, trading.now))
    once = sum((paid(p).payment for p in set(reported)), Decimal(0))
    assert trading.account(account.id).collateral == before - once
    assert trading.store.venue_payments == {f"x10-funding-{p}" for p in set(reported)}


def test_deposits_and_withdrawals_on_the_venue_are_mirrored_once(trading: Trading) -> None:
    account, _, _ = live_account(trading)
    moves = (
        VenueTransfer("d1", Decimal("1000"), START),
        VenueTransfer("w1", Decimal("-250.5"), START),
    )
    for _ in range(3):  # the balance update, the re-sync, another re-sync…
        command = RecordVenueReports(account_id=account.id, transfers=moves + moves)
        trading.call(lambda uow, c=command: handlers.record_venue_reports(c, uow, trading.now))
    assert trading.account(account.id).collateral == Decimal("749.5")
    moved = [
        (e.source if isinstance(e, CollateralDeposited) else e.destination, e.reason)
        for e in trading.store.committed
        if isinstance(e, CollateralDeposited | CollateralWithdrawn) and e.account_id == account.id
    ]
    assert moved == [("external", "venue_deposit"), ("external", "venue_withdrawal")]
    assert trading.store.venue_payments == {"x10-transfer-d1", "x10-transfer-w1"}


def test_a_retry_sends_again_an_order_whose_answer_never_came(trading: Trading) -> None:
    account, live, venue = live_account(trading)
    order = cmd(Decimal("0.01"), Decimal("1.0"), account_id=account.id, client_order_id="c9")
    venue.unreachable = True
    with pytest.raises(Unavailable):
        place(trading, live, order)
    [waiting] = trading.account(account.id).open_orders.values()
    assert waiting.status is OrderStatus.PENDING  # recorded, its fate unknown
    venue.unreachable = False
    again = place(trading, live, order)  # the trader retries with the same client order id
    assert (again.id, again.status) == (waiting.id, OrderStatus.OPEN)
    assert [o.id for o in venue.placed] == [waiting.id]
    assert place(trading, live, order).id == waiting.id  # and open: not sent a third time
    assert len(venue.placed) == 1
