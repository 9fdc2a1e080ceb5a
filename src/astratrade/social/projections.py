"""Social's read models of other contexts' events (CQRS, exactly once, rebuildable from
the audit log with `astratrade projections rebuild NAME`):

- each trader's closed positions, from trading's fills and closes: what a trade share is
  built from on the server (side, entry and exit averaged over the parts closed);
- each trader's XP, level and achievements, from gamification: what a profile shows;
- tournaments' names, from gamification: what a podium item says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select

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
    event id: the position_id a post shares."""

    name = "social.positions"
    source = "trading"
    event_types = frozenset({"OrderFilled", "PositionClosed"})
    tables: tuple[Table, ...] = (closed_positions, open_positions)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        if data.get("owner_id") is None:
            return  # the venue's house and insurance accounts
        key = {"account_id": str(data["account_id"]), "market": str(data["market"])}
        o = open_positions.c
        found = conn.execute(
            select(open_positions).where(
                o.account_id == key["account_id"], o.market == key["market"]
            )
        ).first()
        row = None if found is None else dict(found._mapping)
        if envelope.type == "OrderFilled":
            self._fill(conn, key, row, data)
        else:
            self._close(conn, key, row, envelope)

    def _fill(
        self,
        conn: Connection,
        key: dict[str, str],
        row: dict[str, Any] | None,
        data: dict[str, Any],
    ) -> None:
        size, price = Decimal(str(data["size"])), Decimal(str(data["price"]))
        delta = size if data["side"] == "buy" else -size
        after = Decimal(str(data["position_size"]))
        entry_after = Decimal(str(data["position_entry_price"]))
        before = after - delta
        known = row is not None
        if row is None:
            # Nothing seen of this position before (it opened before this read model did):
            # a reduction keeps the entry, so the event alone still gives it.
            row = {
                **key,
                "size": before,
                "closed_size": ZERO,
                "entry_value": ZERO,
                "exit_value": ZERO,
            }
            row["entry_price"], row["closing"] = entry_after, None
        flipped = after != 0 and before != 0 and _sign(after) != _sign(before)
        if before == 0 or _sign(before) == _sign(delta):  # opened or increased
            row.update(size=after, entry_price=entry_after, closing=None)
        else:
            closed = min(abs(delta), abs(before))
            row["closed_size"] += closed
            row["entry_value"] += closed * row["entry_price"]
            row["exit_value"] += closed * price
            row["size"] = after
            if (after == 0 or flipped) and (known or not flipped):
                row["closing"] = {
                    "side": "long" if before > 0 else "short",
                    "entry_price": str(average_price(row["entry_value"], row["closed_size"])),
                    "exit_price": str(average_price(row["exit_value"], row["closed_size"])),
                }
            if after == 0 or flipped:  # a flip seen first: its entry is lost, no share
                row.update(closed_size=ZERO, entry_value=ZERO, exit_value=ZERO)
            row["entry_price"] = entry_after  # a reduction keeps it; a flip opens at the fill
        upsert(conn, open_positions, [row], ["account_id", "market"])

    def _close(
        self, conn: Connection, key: dict[str, str], row: dict[str, Any] | None, envelope: Envelope
    ) -> None:
        closing = None if row is None else row["closing"]
        if closing is None:
            return  # its fills were never seen here: it cannot be shared
        data = envelope.payload
        conn.execute(
            insert(closed_positions),
            {
                "position_id": envelope.event_id,
                "owner_id": str(data["owner_id"]),
                "market": key["market"],
                "side": closing["side"],
                "entry_price": Decimal(closing["entry_price"]),
                "exit_price": Decimal(closing["exit_price"]),
                "opened_at": moment(data["opened_at"]),
                "closed_at": envelope.occurred_at,
            },
        )
        o = open_positions.c
        where = (o.account_id == key["account_id"], o.market == key["market"])
        if row is not None and row["size"] == 0:
            conn.execute(delete(open_positions).where(*where))
        else:
            conn.execute(open_positions.update().where(*where).values(closing=None))


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
