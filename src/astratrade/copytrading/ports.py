"""What copy trading's use cases need from the outside: its leaders and copies, the read
models of other contexts' events that its rules read, trading's copy accounts (one batched
read), and the unit of work holding them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, Self

from astratrade.copytrading.domain.copies import Copy
from astratrade.copytrading.domain.leaders import Leader, TraderRecord


class LeaderRepository(Protocol):
    async def get(self, user_id: str) -> Leader | None: ...
    def add(self, leader: Leader) -> None: ...


class CopyRepository(Protocol):
    async def get(self, copy_id: str) -> Copy | None: ...
    async def active_of_leader(self, leader_id: str) -> list[Copy]:
        """The leader's copies still active, for a fill or the leader stopping."""
        ...

    async def active_between(self, user_a: str, user_b: str) -> list[Copy]:
        """Active copies of either by the other (a block ends them)."""
        ...

    async def due_for_settlement(self, week_start: datetime, limit: int) -> list[Copy]:
        """Active copies last settled before `week_start`."""
        ...

    async def counts(self, copier_id: str, leader_id: str) -> tuple[int, int]:
        """The copier's copies not closed, and the leader's."""
        ...

    def add(self, copy: Copy) -> None: ...

    def note(self, copy_id: str, kind: str, **fields: Any) -> None:
        """A line of the copy's history that is no event of its own (funded, refused)."""
        ...

    def credit_earned(self, copy_id: str, amount: Decimal) -> None:
        """Profit share credited to the leader from this copy (trading's ProfitShareDebited)."""
        ...


class TraderFacts(Protocol):
    """Copy trading's read models of users', gamification's, financial's, social's and
    trading's events."""

    async def practice_account(self, user_id: str) -> str | None:
        """The trader's practice account (None until trading has opened it)."""
        ...

    async def record(self, user_id: str, account_id: str) -> TraderRecord:
        """What eligibility reads of the trader leading from this practice account."""
        ...

    async def user_by_username(self, username: str) -> str | None: ...
    async def plan(self, user_id: str) -> str:
        """The trader's plan ("free" before financial has said otherwise)."""
        ...

    async def blocked(self, user_a: str, user_b: str) -> bool:
        """Either has blocked the other."""
        ...


@dataclass(frozen=True, slots=True)
class CopyAccountState:
    """A trading account as trading has committed it, in one market."""

    equity: Decimal
    available: Decimal
    collateral: Decimal
    position: Decimal  # signed size in the market asked about
    unlocked_leverage: Decimal


@dataclass(frozen=True, slots=True)
class CopyStates:
    mark: Decimal  # the market's mark now
    accounts: Mapping[str, CopyAccountState]  # ids trading does not know are left out


class CopyAccounts(Protocol):
    """Trading's answer for many accounts at once (contract: TradingQueries.copy_states, or
    POST /internal/v1/accounts/states in distributed mode)."""

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates: ...


MAX_STATES = 1000  # the most account ids one read names (the contract's bound)


class CopyTradingUnitOfWork(Protocol):
    @property
    def leaders(self) -> LeaderRepository: ...
    @property
    def copies(self) -> CopyRepository: ...
    @property
    def facts(self) -> TraderFacts: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> Any: ...
