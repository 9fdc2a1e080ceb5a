"""Each leader's copies added up (`copytrading_leader_copies`), moved in the commit that
opens, closes or credits a copy, so the directory reads and sorts them without adding up
the copies table. Money in millionths: integers both databases add in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from astratrade.copytrading.adapters.tables import leader_copies

held = leader_copies.c


def millionths(amount: Decimal) -> int:
    return int(amount.scaleb(6))


@dataclass
class Moves:
    """What one commit moves, by leader."""

    copiers: int = 0
    allocated: Decimal = Decimal(0)
    earned: Decimal = Decimal(0)


def ensure(conn: Connection, leader_ids: Iterable[str]) -> None:
    """A row for each leader who has none (at their first opt-in)."""
    for leader_id in leader_ids:
        if conn.scalar(select(held.leader_id).where(held.leader_id == leader_id)) is None:
            zero = {"copiers": 0, "allocated": 0, "profit_share_earned": 0}
            conn.execute(insert(leader_copies).values(leader_id=leader_id, **zero))


def apply(conn: Connection, moves: dict[str, Moves]) -> None:
    ensure(conn, moves)
    for leader_id, move in moves.items():
        values: dict[str, Any] = {
            "copiers": held.copiers + move.copiers,
            "allocated": held.allocated + millionths(move.allocated),
            "profit_share_earned": held.profit_share_earned + millionths(move.earned),
        }
        conn.execute(update(leader_copies).where(held.leader_id == leader_id).values(values))
