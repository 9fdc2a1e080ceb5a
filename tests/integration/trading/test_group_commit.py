"""Group commit: commands decided while a batch is written commit together, and decide
exactly as they would one at a time; a batch that fails to commit leaves memory equal to
the database."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trading_platform import market_order, new_trader, set_mark

from astratrade.infrastructure import event_store
from astratrade.shared.errors import DomainError, Unavailable
from astratrade.trading.adapters.rows import load_account
from astratrade.trading.domain.commands import CancelOrder, ClosePosition, PlaceOrder
from astratrade.trading.domain.orders import Order, OrderType, Side
from astratrade.trading.engine import TradingEngine

names = (f"trader{n}" for n in itertools.count())
MARKS = {
    "BTC-USD": ("60000", "60600", "59400", "57000"),
    "ETH-USD": ("3000", "3090", "2940", "2700"),
}


@dataclass(frozen=True)
class Place:
    trader: int
    market: str
    side: Side
    type: OrderType
    size: Decimal
    offset: Decimal  # a limit's price off the current mark, in per cent
    reduce_only: bool


@dataclass(frozen=True)
class Cancel:
    trader: int
    earlier: int  # which earlier command's order


@dataclass(frozen=True)
class Close:
    trader: int
    market: str


places = st.builds(
    Place,
    trader=st.integers(0, 1),
    market=st.sampled_from(sorted(MARKS)),
    side=st.sampled_from(list(Side)),
    type=st.sampled_from([OrderType.MARKET, OrderType.LIMIT]),
    size=st.sampled_from([Decimal("0.01"), Decimal("0.3"), Decimal("1"), Decimal("2.5")]),
    offset=st.sampled_from([Decimal(-3), Decimal(-1), Decimal(1), Decimal(4)]),
    reduce_only=st.booleans(),
)
commands = st.one_of(
    places,
    places,
    st.builds(Cancel, trader=st.integers(0, 1), earlier=st.integers(0, 20)),
    st.builds(Close, trader=st.integers(0, 1), market=st.sampled_from(sorted(MARKS))),
)
segments = st.lists(
    st.tuples(
        st.lists(commands, min_size=1, max_size=12),
        st.sampled_from(sorted(MARKS)),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=3,
)


def _command(step: Any, traders: list[tuple[str, str]], placed: list[Order | None], platform: Any):
    owner, account = traders[step.trader]
    if isinstance(step, Place):
        market = step.market
        price = None
        if step.type is OrderType.LIMIT:
            mark = platform.port(TradingEngine).venue.marks[market]
            price = (mark * (1 + step.offset / 100)).quantize(Decimal(1))
        return PlaceOrder(
            owner_id=owner,
            account_id=account,
            market=market,
            side=step.side,
            type=step.type,
            size=step.size if market == "BTC-USD" else step.size * 10,
            price=price,
            reduce_only=step.reduce_only,
        )
    if isinstance(step, Cancel):
        earlier = [o for o in placed if o is not None and o.account_id == account]
        order_id = earlier[step.earlier % len(earlier)].id if earlier else "no-such-order"
        return CancelOrder(owner_id=owner, order_id=order_id)
    return ClosePosition(owner_id=owner, account_id=account, market=step.market)


async def _outcome(platform: Any, command: Any) -> Order | DomainError:
    try:
        result: Order = await platform.bus.execute(command)
        return result
    except DomainError as refused:
        return refused


async def _run(platform: Any, steps: list[Any], traders: Any, placed: list[Any], together: bool):
    """The steps' commands (a cancel names an order of an earlier segment), sent one at a
    time, or all at once so that they are decided while earlier ones are written."""
    built = [_command(step, traders, placed, platform) for step in steps]
    if together:
        outcomes = list(await asyncio.gather(*(_outcome(platform, c) for c in built)))
    else:
        outcomes = [await _outcome(platform, command) for command in built]
    placed.extend(o if isinstance(o, Order) else None for o in outcomes)
    return outcomes


def _shape(outcome: Any) -> tuple[Any, ...]:
    if isinstance(outcome, DomainError):
        return ("refused", outcome.code)
    order: Order = outcome
    return (order.status, order.filled_size, order.average_price, order.reason)


async def _state(platform: Any, accounts: list[str]) -> list[tuple[Any, ...]]:
    """What the database holds for these accounts (ids aside)."""
    found = []
    async with platform.read_db.connect() as conn:
        for account_id in accounts:
            account = await load_account(conn, account_id, Decimal(10))
            assert account is not None
            positions = sorted(
                (p.market, p.size, p.entry_price, p.realized_pnl)
                for p in account.positions.values()
            )
            orders = sorted(
                (o.market, o.side, o.type, o.size, o.price, o.filled_size)
                for o in account.open_orders.values()
            )
            found.append((account.collateral, positions, orders))
    return found


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=segments)
async def test_a_batch_decides_as_the_same_commands_one_by_one(platform, plan) -> None:
    one_by_one = [await new_trader(platform, next(names)) for _ in range(2)]
    together = [await new_trader(platform, next(names)) for _ in range(2)]
    engine = platform.port(TradingEngine)
    placed_alone: list[Any] = []
    placed_together: list[Any] = []
    for steps, market, move in plan:
        alone = await _run(platform, steps, one_by_one, placed_alone, together=False)
        batched = await _run(platform, steps, together, placed_together, together=True)
        assert [_shape(o) for o in batched] == [_shape(o) for o in alone]
        await set_mark(platform, market, MARKS[market][move])
    assert await _state(platform, [a for _, a in together]) == await _state(
        platform, [a for _, a in one_by_one]
    )
    assert engine.writes.batches <= engine.writes.staged_count


async def test_commands_arriving_during_a_write_share_the_next_transaction(platform) -> None:
    traders = [await new_trader(platform, next(names)) for _ in range(4)]
    writes = platform.port(TradingEngine).writes
    batches, staged = writes.batches, writes.staged_count
    orders = [market_order(owner, account, "0.01") for owner, account in traders for _ in range(10)]
    filled = await asyncio.gather(*(platform.bus.execute(o) for o in orders))
    assert len({o.id for o in filled}) == 40
    assert writes.staged_count - staged == 40
    assert writes.batches - batches < 20  # most transactions carried several orders


async def test_a_failed_batch_fails_its_commands_and_memory_equals_the_database(
    platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    traders = [await new_trader(platform, next(names)) for _ in range(3)]
    engine = platform.port(TradingEngine)
    first = [market_order(owner, account) for owner, account in traders]
    await asyncio.gather(*(platform.bus.execute(o) for o in first))
    real_append = event_store.append_sync

    def broken_append(*_args: object) -> None:
        raise ConnectionError("database went away mid-commit")

    monkeypatch.setattr(event_store, "append_sync", broken_append)
    sells = [market_order(owner, account, "0.05", Side.SELL) for owner, account in traders]
    outcomes = await asyncio.gather(
        *(platform.bus.execute(o) for o in sells), return_exceptions=True
    )
    assert all(isinstance(o, Unavailable) for o in outcomes)
    monkeypatch.setattr(event_store, "append_sync", real_append)

    for _, account_id in traders:
        in_memory = await engine.run(lambda uow, a=account_id: uow.accounts.get(a))
        async with platform.read_db.connect() as conn:
            stored = await load_account(conn, account_id, Decimal(10))
        assert stored is not None
        assert in_memory is not None
        assert in_memory.collateral == stored.collateral
        assert in_memory.positions == stored.positions
        assert in_memory.positions["BTC-USD"].size == Decimal("0.1")  # the sells left nothing
    # And trading goes on: the same sells succeed now.
    done = await asyncio.gather(*(platform.bus.execute(o) for o in sells))
    assert all(o.filled_size == Decimal("0.05") for o in done)
