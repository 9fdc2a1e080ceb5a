"""Social's read models of other contexts' events (CQRS, exactly once, rebuildable from
the audit log with `astratrade projections rebuild NAME`):

- each trader's closed positions, from trading's fills and closes: what a trade share is
  built from on the server (side, entry and exit averaged over the parts closed);
- each trader's XP, level and achievements, from gamification: what a profile shows;
- tournaments' names, from gamification: what a podium item says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select

from astratrade.infrastructure.bulk import insert_rows
from astratrade.infrastructure.many_rows import execute_many
from astratrade.infrastructure.rows_by_key import rows_by_key
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope
from astratrade.social.adapters.tables import (
    closed_positions,
    open_positions,
    progress,
    tournaments,
)
from astratrade.social.domain.shares import average_price

ZERO = Decimal(0)


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


class ClosedPositions:
    """A position's closed parts add up (size, size x entry, size x exit) as its fills come;
    the fill that closes it (to zero, or flipping it) leaves the averages as `closing`, and
    its PositionClosed, which trading records right after, files them under the close's
    event id: the position_id a post shares. Every fill comes here, so a batch reads the
    rows it touches in one query and writes them in one statement (`apply_all`)."""

    name = "social.positions"
    source = "trading"
    event_types = frozenset({"OrderFilled", "PositionClosed"})
    tables: tuple[Table, ...] = (closed_positions, open_positions)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        """The events in order, as `apply` one by one would."""
        owned = [e for e in envelopes if e.payload.get("owner_id") is not None]
        stored = rows_by_key(conn, open_positions, OPEN_KEY, {_key(e) for e in owned})
        rows: dict[tuple[str, str], dict[str, Any] | None] = dict(stored)
        closes = []
        for envelope in owned:
            key = _key(envelope)
            if envelope.type == "OrderFilled":
                rows[key] = _fill(key, rows.get(key), envelope.payload)
            else:
                closed, rows[key] = _close(key, rows.get(key), envelope)
                if closed is not None:
                    closes.append(closed)
        upsert(conn, open_positions, [r for r in rows.values() if r is not None], OPEN_KEY)
        gone = [k for k, r in rows.items() if r is None and k in stored]
        if gone:
            execute_many(conn, _DELETE_OPEN, [{"b_account": a, "b_market": m} for a, m in gone])
        if closes:
            insert_rows(conn, closed_positions, closes)


OPEN_KEY = ("account_id", "market")
_DELETE_OPEN = delete(open_positions).where(
    open_positions.c.account_id == bindparam("b_account"),
    open_positions.c.market == bindparam("b_market"),
)


def _key(envelope: Envelope) -> tuple[str, str]:
    return (str(envelope.payload["account_id"]), str(envelope.payload["market"]))


def _fill(key: tuple[str, str], row: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    size, price = Decimal(str(data["size"])), Decimal(str(data["price"]))
    delta = size if data["side"] == "buy" else -size
    after = Decimal(str(data["position_size"]))
    entry_after = Decimal(str(data["position_entry_price"]))
    before = after - delta
    flipped = after != 0 and before != 0 and _sign(after) != _sign(before)
    known = row is not None
    if row is None:
        # Nothing seen of this position before (it opened before this read model did): a
        # reduction keeps the entry, so the event alone still gives it; a flip does not.
        row = dict(zip(OPEN_KEY, key, strict=True))
        row.update(size=before, closed_size=ZERO, entry_value=ZERO, exit_value=ZERO)
        row.update(entry_price=entry_after, closing=None)
    else:
        row = dict(row)
    if before == 0 or _sign(before) == _sign(delta):  # opened or increased
        row.update(size=after, entry_price=entry_after, closing=None)
        return row
    closed = min(abs(delta), abs(before))
    row["closed_size"] += closed
    row["entry_value"] += closed * row["entry_price"]
    row["exit_value"] += closed * price
    row["size"] = after
    if after == 0 or flipped:
        row["closing"] = None
        if known or not flipped:
            row["closing"] = {
                "side": "long" if before > 0 else "short",
                "entry_price": str(average_price(row["entry_value"], row["closed_size"])),
                "exit_price": str(average_price(row["exit_value"], row["closed_size"])),
            }
        row.update(closed_size=ZERO, entry_value=ZERO, exit_value=ZERO)
    row["entry_price"] = entry_after  # a reduction keeps it; a flip opens at the fill
    return row


def _close(
    key: tuple[str, str], row: dict[str, Any] | None, envelope: Envelope
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The closed position to file (None: its fills were never seen here, it cannot be
    shared), and the open row after it (None once nothing is open)."""
    closing = None if row is None else row["closing"]
    if row is None or closing is None:
        return None, row
    data = envelope.payload
    closed = {
        "position_id": envelope.event_id,
        "owner_id": str(data["owner_id"]),
        "market": key[1],
        "side": closing["side"],
        "entry_price": Decimal(closing["entry_price"]),
        "exit_price": Decimal(closing["exit_price"]),
        "opened_at": moment(data["opened_at"]),
        "closed_at": envelope.occurred_at,
    }
    return closed, (None if row["size"] == 0 else {**row, "closing": None})


class Progress:
    """XP (the running total), level and achievements as gamification announces them."""

    name = "social.progress"
    source = "gamification"
    event_types = frozenset({"XpAwarded", "LevelReached", "AchievementUnlocked"})
    tables: tuple[Table, ...] = (progress,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        user_id = str(data["user_id"])
        found = conn.execute(select(progress).where(progress.c.user_id == user_id)).first()
        row: dict[str, Any] = (
            dict(found._mapping)
            if found is not None
            else {"user_id": user_id, "xp": 0, "level": 1, "achievements": []}
        )
        if envelope.type == "XpAwarded":
            row["xp"] = max(row["xp"], int(data["total"]))
        elif envelope.type == "LevelReached":
            row["level"] = max(row["level"], int(data["level"]))
        else:
            row["achievements"] = sorted({*row["achievements"], str(data["achievement"])})
        upsert(conn, progress, [row], ["user_id"])


class TournamentNames:
    name = "social.tournaments"
    source = "gamification"
    event_types = frozenset({"TournamentCreated"})
    tables: tuple[Table, ...] = (tournaments,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        row = {"id": str(data["tournament_id"]), "name": str(data["name"])}
        upsert(conn, tournaments, [row], ["id"])


PROJECTIONS = (ClosedPositions(), Progress(), TournamentNames())
