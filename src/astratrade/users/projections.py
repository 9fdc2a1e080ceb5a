"""Users' read model of each trader's progression, fed by gamification's events (GET /me)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

from astratrade.infrastructure.upsert import upsert
from astratrade.shared.messages import Envelope
from astratrade.users.adapters.tables import progress


class UserProgress:
    """XP, level and unlocked leverage per user, as gamification last announced them."""

    name = "users.progress"
    source = "gamification"
    event_types = frozenset({"XpAwarded", "LevelReached", "LeverageUnlocked"})
    tables: tuple[Table, ...] = (progress,)

    def __init__(self, default_max_leverage: Decimal) -> None:
        self._default_max_leverage = default_max_leverage

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        row = self._row(conn, str(data["user_id"]))
        if envelope.type == "XpAwarded":
            row["xp"] = max(row["xp"], int(data["total"]))
        elif envelope.type == "LevelReached":
            row["level"] = max(row["level"], int(data["level"]))
        else:
            row["max_leverage"] = max(row["max_leverage"], Decimal(str(data["max_leverage"])))
        row["updated_at"] = envelope.occurred_at
        upsert(conn, progress, [row], ["user_id"])

    def _row(self, conn: Connection, user_id: str) -> dict[str, Any]:
        found = conn.execute(select(progress).where(progress.c.user_id == user_id)).first()
        if found is not None:
            return dict(found._mapping)
        return {"user_id": user_id, "xp": 0, "level": 1, "max_leverage": self._default_max_leverage}
