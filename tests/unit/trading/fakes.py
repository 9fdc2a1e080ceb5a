"""In-memory fakes of the trading ports, builders, and a harness over the real handlers.

The trading engine is the single writer of trading state and keeps its accounts in memory
(the SQL adapter's AccountCache); the fake does the same: `FakeStore.accounts` holds the live
Account objects every unit of work shares, and `FakeStore.snapshots` the committed copies a
rollback goes back to (as the SQL unit of work evicts what a failed command touched).

The fakes never suspend, so a use case runs to completion in one `send(None)`: `run()` drives
it synchronously, which keeps Hypothesis tests free of event loops.
"""

from __future__ import annotations

import copy
from collections.abc import Coroutine, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

from astratrade.shared.clock import ManualClock
from astratrade.shared.ids import sequential_ids
from astratrade.shared.messages import Envelope, Event, number_events
from astratrade.trading import handlers
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import (
    CancelOrder,
    ClosePosition,
    OpenPracticeAccount,
    PlaceOrder,
    ProcessQuotes,
    SetDailyLossLimit,
    SetLeverage,
    SetLeverageLimit,
)
from astratrade.trading.domain.funding import FundingDue
from astratrade.trading.domain.markets import DEFAULT_MARKETS, Market
from astratrade.trading.domain.orders import Fill, Order, OrderType, Side, TimeInForce
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.domain.venue import Venue

T = TypeVar("T")
E = TypeVar("E", bound=Event)

START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday, on the hour
GRANT = Decimal(10_000)  # config.practice_starting_balance
INSURANCE_SEED = Decimal(1_000_000)  # config.insurance_fund_seed
UNLOCKED = Decimal(10)  # config.default_unlocked_leverage
MARKETS: dict[str, Market] = {m.id: m for m in DEFAULT_MARKETS}
HOUSE_ID = handlers.HOUSE_ID
INSURANCE_ID = handlers.INSURANCE_ID


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a use case over the fakes to completion (they never wait on anything)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a fake port suspended: use an event loop for this coroutine")


def clock(at: datetime = START) -> ManualClock:
    return ManualClock(at)


def quote(
    market: str,
    mark: Decimal | str | int,
    index: Decimal | str | int | None = None,
    at: datetime = START,
) -> Quote:
    mark = Decimal(mark)
    return Quote(market, mark, mark if index is None else Decimal(index), at)


def venue(
    marks: dict[str, Decimal] | None = None,
    rules: TradingRules | None = None,
    at: datetime = START,
    id_prefix: str = "id",
) -> Venue:
    """DEFAULT_MARKETS quoted at their start prices (mark == index), sequential ids."""
    marks = marks or {}
    return Venue(
        markets=dict(MARKETS),
        quotes={m.id: quote(m.id, marks.get(m.id, m.start_price), at=at) for m in DEFAULT_MARKETS},
        rules=rules or TradingRules(),
        ids=sequential_ids(id_prefix),
    )


class FakeStore:
    """What the database would hold, plus the engine's in-memory working set."""

    def __init__(self, default_unlocked: Decimal = UNLOCKED) -> None:
        self.accounts: dict[str, Account] = {}  # live, shared by every unit of work
        self.snapshots: dict[str, Account] = {}  # as last committed
        self.orders: dict[str, Order] = {}  # committed copies of every order ever accepted
        self.fills: list[Fill] = []
        self.venue_payments: set[str] = set()
        self.committed: list[Event] = []
        self.envelopes: list[Envelope] = []
        self.fundings: dict[tuple[str, datetime], tuple[Decimal, Decimal, int]] = {}
        self.limits: dict[str, Decimal] = {}
        self.default_unlocked = default_unlocked
        self.commits = 0
        self.rollbacks = 0
        self._event_ids = sequential_ids("evt")

    def events(self, kind: type[E]) -> list[E]:
        return [e for e in self.committed if isinstance(e, kind)]

    def total_collateral(self) -> Decimal:
        return sum((a.collateral for a in self.accounts.values()), Decimal(0))


class FakeAccountRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.seen: dict[str, Account] = {}
        self.new: set[str] = set()

    def add(self, account: Account) -> None:
        if account.id in self._store.accounts:
            raise AssertionError(f"account {account.id} added twice")
        self._store.accounts[account.id] = account
        self.new.add(account.id)
        self.see(account)

    async def get(self, account_id: str) -> Account | None:
        account = self._store.accounts.get(account_id)
        return None if account is None else self.see(account)

    async def ids_of_owner(self, owner_id: str) -> list[str]:
        owned = [a for a in self._store.accounts.values() if a.owner_id == owner_id]
        return [a.id for a in sorted(owned, key=lambda a: (a.created_at, a.id))]

    def active(self) -> list[Account]:
        return [a for a in self._store.accounts.values() if a.positions or a.open_orders]

    def see(self, account: Account) -> Account:
        self.seen.setdefault(account.id, account)
        return account

    async def load_active(self) -> int:
        return len(self.active())


class FakeOrderQueries:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def account_of(self, order_id: str) -> str | None:
        order = self._store.orders.get(order_id)
        return None if order is None else order.account_id

    async def by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        for order in self._store.orders.values():
            if order.account_id == account_id and order.client_order_id == client_order_id:
                return copy.deepcopy(order)  # a row read back, not the live object
        return None

    def staged_by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        return None  # the fake writes at once: nothing is staged

    async def fill_recorded(self, fill_id: str) -> bool:
        return any(fill.id == fill_id for fill in self._store.fills)

    async def venue_payment_recorded(self, record_id: str) -> bool:
        return record_id in self._store.venue_payments


class FakeLeverageLimits:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: dict[str, Decimal] = {}

    async def get(self, owner_id: str | None) -> Decimal:
        if owner_id is None:
            return self._store.default_unlocked
        return self.staged.get(
            owner_id, self._store.limits.get(owner_id, self._store.default_unlocked)
        )

    async def set(self, owner_id: str, max_leverage: Decimal, at: datetime) -> None:
        self.staged[owner_id] = max_leverage


class FakeTradingUnitOfWork:
    """Implements ports.TradingUnitOfWork over a FakeStore."""

    def __init__(self, store: FakeStore, clock: ManualClock | None = None) -> None:
        self.store = store
        self.clock = clock or ManualClock(START)
        self.accounts = FakeAccountRepository(store)
        self.orders = FakeOrderQueries(store)
        self.limits = FakeLeverageLimits(store)
        self._fundings: dict[tuple[str, datetime], tuple[Decimal, Decimal, int]] = {}

    async def __aenter__(self) -> FakeTradingUnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            await self.rollback()

    def held_shards(self) -> list[int]:
        return [0]  # the fakes' venue has one shard

    async def record_funding(
        self,
        market: str,
        at: datetime,
        rate: Decimal,
        mark: Decimal,
        accounts_paid: int,
        shard: int = 0,
    ) -> bool:
        key = (market, at)
        if key in self.store.fundings or key in self._fundings:
            return False
        self._fundings[key] = (rate, mark, accounts_paid)
        return True

    async def commit(self) -> list[Envelope]:
        store = self.store
        seen = list(self.accounts.seen.values())
        store.committed.extend(e for a in seen for e in a.pending_events)
        envelopes = number_events(seen, self.clock.now(), store._event_ids)
        for account in seen:
            for order in account.dirty_orders.values():
                store.orders[order.id] = copy.deepcopy(order)
            store.fills.extend(account.new_fills)
            store.venue_payments.update(f.record_id for f in account.new_venue_payments)
            account.new_venue_payments.clear()
            account.dirty_orders.clear()
            account.dirty_positions.clear()
            account.dirty_leverage.clear()
            account.new_fills.clear()
            account.row_changed = False
            store.snapshots[account.id] = copy.deepcopy(account)
        store.fundings.update(self._fundings)
        store.limits.update(self.limits.staged)
        store.envelopes.extend(envelopes)
        store.commits += 1
        self._reset()
        return envelopes

    async def durable(self) -> None:
        """Commits here are written at once."""

    async def rollback(self) -> None:
        """Forget what this unit of work changed: accounts go back to their committed state."""
        store = self.store
        for account_id in self.accounts.seen:
            if account_id in self.accounts.new or account_id not in store.snapshots:
                store.accounts.pop(account_id, None)
            else:
                store.accounts[account_id] = copy.deepcopy(store.snapshots[account_id])
        store.rollbacks += 1
        self._reset()

    def _reset(self) -> None:
        self.accounts = FakeAccountRepository(self.store)
        self.limits = FakeLeverageLimits(self.store)
        self._fundings = {}


# -- setup through the real handlers ---------------------------------------------------------


def in_unit_of_work(store: FakeStore, use_case: Any, clock: ManualClock | None = None) -> Any:
    """Run `use_case(uow)` as the engine does: one unit of work, rolled back if it raises."""

    async def unit() -> Any:
        async with FakeTradingUnitOfWork(store, clock) as uow:
            return await use_case(uow)

    return run(unit())


def ensure_system_accounts(
    store: FakeStore, venue: Venue, seed: Decimal = INSURANCE_SEED, at: datetime = START
) -> None:
    in_unit_of_work(store, lambda uow: handlers.ensure_system_accounts(uow, venue, seed, at))


def open_practice_account(
    store: FakeStore, venue: Venue, owner_id: str, grant: Decimal = GRANT, at: datetime = START
) -> Account:
    cmd = OpenPracticeAccount(owner_id=owner_id)
    account: Account = in_unit_of_work(
        store, lambda uow: handlers.open_practice_account(cmd, uow, venue, grant, at)
    )
    return account


class Trading:
    """The trading use cases over the fakes, one unit of work per call as the engine runs
    them (a failing call rolls back). Accounts are looked up by id on every use, since a
    rollback replaces the live object."""

    def __init__(
        self,
        marks: dict[str, Decimal] | None = None,
        *,
        rules: TradingRules | None = None,
        seed: Decimal = INSURANCE_SEED,
        at: datetime = START,
    ) -> None:
        self.store = FakeStore()
        self.clock = clock(at)
        self.venue = venue(marks, rules, at)
        ensure_system_accounts(self.store, self.venue, seed, at)

    # -- plumbing ---------------------------------------------------------------------------

    def uow(self) -> FakeTradingUnitOfWork:
        return FakeTradingUnitOfWork(self.store, self.clock)

    def call(self, use_case: Any) -> Any:
        return in_unit_of_work(self.store, use_case, self.clock)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def account(self, account_id: str) -> Account:
        return self.store.accounts[account_id]

    @property
    def house(self) -> Account:
        return self.store.accounts[HOUSE_ID]

    @property
    def insurance(self) -> Account:
        return self.store.accounts[INSURANCE_ID]

    def total_collateral(self) -> Decimal:
        return self.store.total_collateral()

    # -- use cases --------------------------------------------------------------------------

    def open(self, owner_id: str = "trader-1", grant: Decimal = GRANT) -> str:
        cmd = OpenPracticeAccount(owner_id=owner_id)
        account: Account = self.call(
            lambda uow: handlers.open_practice_account(cmd, uow, self.venue, grant, self.now)
        )
        return account.id

    def place_command(
        self,
        account_id: str,
        market: str,
        side: Side | str,
        size: Decimal | str | int,
        type: OrderType | str = OrderType.MARKET,
        *,
        price: Decimal | str | int | None = None,
        trigger_price: Decimal | str | int | None = None,
        reduce_only: bool = False,
        time_in_force: TimeInForce | str | None = None,
        client_order_id: str | None = None,
    ) -> PlaceOrder:
        return PlaceOrder(
            owner_id=self.account(account_id).owner_id or "",
            account_id=account_id,
            market=market,
            side=Side(side),
            type=OrderType(type),
            size=Decimal(size),
            price=None if price is None else Decimal(price),
            trigger_price=None if trigger_price is None else Decimal(trigger_price),
            reduce_only=reduce_only,
            time_in_force=None if time_in_force is None else TimeInForce(time_in_force),
            client_order_id=client_order_id,
        )

    def place(
        self,
        account_id: str,
        market: str,
        side: Side | str,
        size: Decimal | str | int,
        type: OrderType | str = OrderType.MARKET,
        **options: Any,
    ) -> Order:
        cmd = self.place_command(account_id, market, side, size, type, **options)
        order: Order = self.call(lambda uow: handlers.place_order(cmd, uow, self.venue, self.now))
        return order

    def cancel(self, account_id: str, order_id: str) -> Order:
        cmd = CancelOrder(owner_id=self.account(account_id).owner_id or "", order_id=order_id)
        order: Order = self.call(lambda uow: handlers.cancel_order(cmd, uow, self.now))
        return order

    def close(self, account_id: str, market: str) -> Order:
        cmd = ClosePosition(
            owner_id=self.account(account_id).owner_id or "", account_id=account_id, market=market
        )
        order: Order = self.call(
            lambda uow: handlers.close_position(cmd, uow, self.venue, self.now)
        )
        return order

    def set_leverage(self, account_id: str, market: str, leverage: Decimal | int | str) -> None:
        cmd = SetLeverage(
            owner_id=self.account(account_id).owner_id or "",
            account_id=account_id,
            market=market,
            leverage=Decimal(leverage),
        )
        self.call(lambda uow: handlers.set_leverage(cmd, uow, self.venue))

    def set_loss_limit(self, account_id: str, limit: Decimal | int | str | None) -> Account:
        cmd = SetDailyLossLimit(
            owner_id=self.account(account_id).owner_id or "",
            account_id=account_id,
            daily_loss_limit=None if limit is None else Decimal(limit),
        )
        account: Account = self.call(lambda uow: handlers.set_daily_loss_limit(cmd, uow, self.now))
        return account

    def set_limit(self, owner_id: str, max_leverage: Decimal | int) -> None:
        cmd = SetLeverageLimit(owner_id=owner_id, max_leverage=Decimal(max_leverage))
        self.call(lambda uow: handlers.set_leverage_limit(cmd, uow, self.now))

    def quotes(self, *quotes: Quote) -> None:
        cmd = ProcessQuotes(quotes=tuple(quotes))
        self.call(lambda uow: handlers.process_quotes(cmd, uow, self.venue, self.now))

    def move(
        self, market: str, mark: Decimal | str | int, index: Decimal | str | int | None = None
    ) -> None:
        """A new mark for one market, processed as the engine processes a feed's batch."""
        self.quotes(quote(market, mark, index, self.now))

    def pay_funding(self, rates: dict[str, Decimal], at: datetime | None = None) -> None:
        self.pay_due([FundingDue(at or self.now, dict(rates))])

    def pay_due(self, due: Iterable[FundingDue]) -> None:
        due = list(due)
        self.call(lambda uow: handlers.pay_funding(due, uow, self.venue, self.now))
