"""In-memory stand-ins for copy trading's ports: its unit of work (copies, leaders, facts)
and trading's copy accounts, which count the reads asked of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from astratrade.copytrading.domain.copies import Copy, CopyStatus
from astratrade.copytrading.domain.leaders import Leader, TraderRecord
from astratrade.copytrading.ports import CopyAccountState, CopyStates


class FakeAccounts:
    def __init__(self, mark: str = "60000") -> None:
        self.mark = Decimal(mark)
        self.held: dict[str, CopyAccountState] = {}
        self.reads: list[tuple[tuple[str, ...], str]] = []

    def hold(self, account_id: str, equity: str, position: str = "0") -> None:
        amount = Decimal(equity)
        self.held[account_id] = CopyAccountState(
            equity=amount,
            available=amount,
            collateral=amount,
            position=Decimal(position),
            unlocked_leverage=Decimal(20),
        )

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        self.reads.append((tuple(account_ids), market))
        known = {a: self.held[a] for a in account_ids if a in self.held}
        return CopyStates(self.mark, known)


class FakeCopies:
    def __init__(self) -> None:
        self.rows: dict[str, Copy] = {}
        self.notes: list[tuple[str, str, dict[str, Any]]] = []
        self.earned: dict[str, Decimal] = {}

    async def get(self, copy_id: str) -> Copy | None:
        return self.rows.get(copy_id)

    async def active_of_leader(self, leader_id: str) -> list[Copy]:
        return [c for c in self.rows.values() if c.leader_id == leader_id and _active(c)]

    async def active_between(self, user_a: str, user_b: str) -> list[Copy]:
        pair = {user_a, user_b}
        return [c for c in self.rows.values() if {c.copier_id, c.leader_id} == pair and _active(c)]

    async def due_for_settlement(self, week_start: datetime, limit: int) -> list[Copy]:
        due = [c for c in self.rows.values() if _active(c) and c.last_settled_at < week_start]
        return due[:limit]

    async def counts(self, copier_id: str, leader_id: str) -> tuple[int, int]:
        open_ = [c for c in self.rows.values() if c.status is not CopyStatus.CLOSED]
        return (
            sum(c.copier_id == copier_id for c in open_),
            sum(c.leader_id == leader_id for c in open_),
        )

    def add(self, copy: Copy) -> None:
        self.rows[copy.id] = copy

    def note(self, copy_id: str, kind: str, **fields: Any) -> None:
        self.notes.append((copy_id, kind, fields))

    def credit_earned(self, copy_id: str, amount: Decimal) -> None:
        self.earned[copy_id] = self.earned.get(copy_id, Decimal(0)) + amount


def _active(copy: Copy) -> bool:
    return copy.status is CopyStatus.ACTIVE


class FakeLeaders:
    def __init__(self) -> None:
        self.rows: dict[str, Leader] = {}

    async def get(self, user_id: str) -> Leader | None:
        return self.rows.get(user_id)

    def add(self, leader: Leader) -> None:
        self.rows[leader.leader_id] = leader


class FakeFacts:
    async def practice_account(self, user_id: str) -> str | None:
        return f"{user_id}-practice"

    async def record(self, user_id: str, account_id: str) -> TraderRecord:
        raise NotImplementedError

    async def user_by_username(self, username: str) -> str | None:
        return username

    async def plan(self, user_id: str) -> str:
        return "pro"

    async def blocked(self, user_a: str, user_b: str) -> bool:
        return False


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.leaders = FakeLeaders()
        self.copies = FakeCopies()
        self.facts = FakeFacts()
        self.commits = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self.commits += 1
