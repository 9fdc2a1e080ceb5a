"""The copies in the copy-trading unit of work: an identity map written back on commit,
all copies of one commit in one statement each way (a leader fill changes hundreds), with
a version check so that two writers of one copy cannot both win; and each copy's new
events written as lines of its history in the same transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.copytrading.adapters import leader_copies
from astratrade.copytrading.adapters.copy_rows import (
    HISTORY_COLUMNS,
    complete,
    copy_of,
    copy_row,
    history_line,
    line_id,
)
from astratrade.copytrading.adapters.tables import copies, copy_decisions
from astratrade.copytrading.domain.copies import Copy, CopyStatus
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import IdFactory

c = copies.c
NOT_CLOSED = (CopyStatus.ACTIVE.value, CopyStatus.STOPPING.value)


class SqlCopies:
    def __init__(self, uow: SqlUnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._seen: dict[str, Copy] = {}
        self._loaded: dict[str, dict[str, Any]] = {}  # each copy's row when read
        self._notes: list[dict[str, Any]] = []
        self._earned: dict[str, Decimal] = {}
        self._registered = False

    async def get(self, copy_id: str) -> Copy | None:
        if copy_id in self._seen:
            return self._seen[copy_id]
        found = await self._load(c.copy_id == copy_id)
        return found[0] if found else None

    async def active_of_leader(self, leader_id: str) -> list[Copy]:
        return await self._load(and_(c.leader_id == leader_id, c.status == "active"))

    async def active_between(self, user_a: str, user_b: str) -> list[Copy]:
        pair = or_(
            and_(c.copier_id == user_a, c.leader_id == user_b),
            and_(c.copier_id == user_b, c.leader_id == user_a),
        )
        return await self._load(and_(pair, c.status == "active"))

    async def due_for_settlement(self, week_start: datetime, limit: int) -> list[Copy]:
        due = and_(c.status == "active", c.last_settled_at < week_start)
        # Claimed: rows another replica's settlement holds are passed over (it settles
        # them), and a row it settled meanwhile is no longer due when locked here.
        return await self._load(due, limit, claim=True)

    async def counts(self, copier_id: str, leader_id: str) -> tuple[int, int]:
        conn = await self._uow.connection()
        open_ = c.status.in_(NOT_CLOSED)
        mine = await conn.scalar(select(func.count()).where(c.copier_id == copier_id, open_))
        theirs = await conn.scalar(select(func.count()).where(c.leader_id == leader_id, open_))
        return int(mine or 0), int(theirs or 0)

    def add(self, copy: Copy) -> None:
        self._register()
        self._seen.setdefault(copy.id, copy)
        self._uow.track(copy)

    def note(self, copy_id: str, kind: str, **fields: Any) -> None:
        self._register()
        line = {"at": self._clock.now(), **fields, "copy_id": copy_id, "kind": kind}
        line.setdefault("decision_id", self._ids())
        self._notes.append(complete(line))

    def credit_earned(self, copy_id: str, amount: Decimal) -> None:
        self._register()
        self._earned[copy_id] = self._earned.get(copy_id, Decimal(0)) + amount

    async def _load(
        self, where: Any, limit: int | None = None, *, claim: bool = False
    ) -> list[Copy]:
        conn = await self._uow.connection()
        query = select(copies).where(where).order_by(c.copy_id)
        if limit is not None:
            query = query.limit(limit)
        if claim:  # PostgreSQL's FOR UPDATE SKIP LOCKED (SQLite has one writer anyway)
            query = query.with_for_update(skip_locked=True)
        found = []
        for row in await conn.execute(query):
            known = self._seen.get(row.copy_id)
            if known is None:
                known = copy_of(row._mapping, self._ids)
                self._loaded[known.id] = copy_row(known)
                self.add(known)
            found.append(known)
        return found

    def _register(self) -> None:
        if not self._registered:
            self._registered = True
            self._uow.on_commit(self._flush)

    async def _flush(self, conn: AsyncConnection) -> None:
        """After the events are numbered (each copy's version is its last event's): the
        events each recorded become its history lines."""
        now = self._uow.committing_at or self._clock.now()  # the events' occurred_at
        new, changed, lines = [], [], list(self._notes)
        moves: dict[str, leader_copies.Moves] = {}
        for copy in self._seen.values():
            for version, event in copy.recorded:
                data = vars(event)  # the fields as recorded: Decimals stay Decimals
                line = history_line(event.type_name(), data, now, line_id(copy.id, version))
                if line is not None:
                    lines.append(complete({**line, "copy_id": copy.id}))
            copy.recorded.clear()
            row = copy_row(copy)
            loaded = self._loaded.get(copy.id)
            if row == loaded:
                continue  # unchanged (a change records events, or at least moves a field)
            _count(moves, copy, loaded)
            if loaded is not None:
                moved = {k: v for k, v in row.items() if loaded[k] != v}
                changed.append({**moved, "b_id": copy.id, "b_version": loaded["version"]})
            else:
                new.append({**row, "profit_share_earned": Decimal(0)})
        if new:
            await conn.execute(insert(copies), new)
        if changed:
            await self._update(conn, changed)
        for copy_id, amount in self._earned.items():
            # Read, then written: SQLite holds the Decimal as text, so no SQL addition.
            query = select(c.profit_share_earned, c.leader_id).where(c.copy_id == copy_id)
            found = (await conn.execute(query)).first()
            if found is not None:
                await conn.execute(
                    update(copies)
                    .where(c.copy_id == copy_id)
                    .values(profit_share_earned=found.profit_share_earned + amount)
                )
                moves.setdefault(found.leader_id, leader_copies.Moves()).earned += amount
        if moves:
            await conn.run_sync(leader_copies.apply, moves)
        if lines and conn.dialect.name == "postgresql":
            await conn.execute(_HISTORY_FROM_ARRAYS, _arrays(lines, HISTORY_COLUMNS))
        elif lines:
            await conn.execute(insert(copy_decisions), lines)

    async def _update(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        """Only the columns that moved, one statement for the copies that moved the same
        ones (a leader fill moves `followed` and `version` of hundreds)."""
        alike: dict[frozenset[str], list[dict[str, Any]]] = {}
        for row in rows:
            alike.setdefault(frozenset(row), []).append(row)
        for group in alike.values():
            if conn.dialect.name == "postgresql":
                statement, arrays = _from_arrays(group)
                count = (await conn.execute(statement, arrays)).rowcount
            else:
                # The rows' column keys become the SET clause; b_id and b_version the WHERE.
                statement = update(copies).where(
                    c.copy_id == bindparam("b_id"), c.version == bindparam("b_version")
                )
                result = await conn.execute(statement, group)
                count = result.rowcount if conn.dialect.supports_sane_multi_rowcount else -1
            # A copy another writer changed since it was read refuses the whole commit.
            if count not in (-1, len(group)):
                raise Conflict("a copy was changed by another writer meanwhile; try again")


def _count(
    moves: dict[str, leader_copies.Moves], copy: Copy, loaded: dict[str, Any] | None
) -> None:
    """A copy opening adds a copier and its allocation to its leader's; closing takes them
    away."""
    was_open = loaded is not None and loaded["status"] in NOT_CLOSED
    is_open = copy.status is not CopyStatus.CLOSED
    if was_open == is_open:
        return
    move = moves.setdefault(copy.leader_id, leader_copies.Moves())
    sign = 1 if is_open else -1
    move.copiers += sign
    move.allocated += sign * copy.allocation


def _arrays(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in rows] for name in names}


def _pg_type(table: Any, name: str) -> str:
    return _ARRAY_OF[type(table.c[name].type).__name__]


def _history_from_arrays() -> Any:
    """The history lines of a commit as one INSERT ... SELECT FROM unnest(arrays) on
    PostgreSQL: a leader fill writes hundreds, one statement and one plan."""
    table = f"{copy_decisions.schema}.{copy_decisions.name}"
    typed = ", ".join(f"CAST(:{n} AS {_pg_type(copy_decisions, n)}[])" for n in HISTORY_COLUMNS)
    columns = ", ".join(HISTORY_COLUMNS)
    # Names from the table's own metadata, values all bound: nothing a caller writes.
    return text(f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({typed})")  # noqa: S608


def _from_arrays(group: list[dict[str, Any]]) -> tuple[Any, dict[str, list[Any]]]:
    """One UPDATE ... FROM unnest(arrays) for the whole group: one statement, one round
    trip and one cached plan on PostgreSQL (an executemany runs one per row; a VALUES list
    is compiled anew for each size)."""
    names = sorted(k for k in group[0] if k not in ("b_id", "b_version"))
    arrays = {"b_id": [r["b_id"] for r in group], "b_version": [r["b_version"] for r in group]}
    arrays |= {f"v_{n}": [r[n] for r in group] for n in names}
    table = f"{copies.schema}.{copies.name}"
    sets = ", ".join(f"{n} = moved.{n}" for n in names)
    typed = ", ".join(
        [
            "CAST(:b_id AS text[])",
            "CAST(:b_version AS integer[])",
            *(f"CAST(:v_{n} AS {_pg_type(copies, n)}[])" for n in names),
        ]
    )
    # Names from the table's own metadata, values all bound: nothing a caller writes.
    statement = text(
        f"UPDATE {table} SET {sets} FROM unnest({typed})"  # noqa: S608
        f" AS moved(b_id, b_version, {', '.join(names)})"
        f" WHERE {table}.copy_id = moved.b_id AND {table}.version = moved.b_version"
    )
    return statement, arrays


# The PostgreSQL type of each kind of column the copies table has.
_ARRAY_OF = {
    "String": "text",
    "Integer": "integer",
    "Boolean": "boolean",
    "ExactDecimal": "numeric",
    "UtcDateTime": "timestamptz",
}


_HISTORY_FROM_ARRAYS = _history_from_arrays()
