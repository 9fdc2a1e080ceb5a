"""What copy trading's use cases need from the outside: its leaders, the read models of
other contexts' events that eligibility reads, and the unit of work holding them."""

from __future__ import annotations

from typing import Any, Protocol, Self

from astratrade.copytrading.domain.leaders import Leader, TraderRecord


class LeaderRepository(Protocol):
    async def get(self, user_id: str) -> Leader | None: ...
    def add(self, leader: Leader) -> None: ...


class TraderFacts(Protocol):
    """Copy trading's read models of users', gamification's and trading's events."""

    async def practice_account(self, user_id: str) -> str | None:
        """The trader's practice account (None until trading has opened it)."""
        ...

    async def record(self, user_id: str, account_id: str) -> TraderRecord:
        """What eligibility reads of the trader leading from this practice account."""
        ...


class CopyTradingUnitOfWork(Protocol):
    @property
    def leaders(self) -> LeaderRepository: ...
    @property
    def facts(self) -> TraderFacts: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> Any: ...
