"""Copy trading's read models of other contexts' events (CQRS, exactly once, rebuildable
from the audit log with `astratrade projections rebuild NAME`):

- each trader's username, from users' sign-ups: what the directory shows and looks up;
- each trader's level, from gamification: the first leader condition;
- each trader's practice account, its closed positions and its last liquidation, from
  trading: the other two conditions, and the statistics kept of those closes;
- the blocks between traders, from social: a block hides each from the other here too;
- each trader's plan, from financial: how many copies they may run at once.

Each read model has tables of its own, so rebuilding one leaves the others whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.tables import (
    blocks,
    closed_positions,
    leader_statistics,
    levels,
    plans,
    practice_accounts,
    traders,
)
from astratrade.copytrading.domain.statistics import ClosedTrade
from astratrade.infrastructure.rows_by_key import rows_by_key
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope

PRACTICE = "practice"


class TraderNames:
    name = "copytrading.traders"
    source = "users"
    event_types = frozenset({"UserRegistered"})
    tables: tuple[Table, ...] = (traders,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        username = str(data["username"])
        row = {
            "user_id": str(data["user_id"]),
            "username": username,
            "username_key": username.strip().lower(),
        }
        upsert(conn, traders, [row], ["user_id"])


class Levels:
    """Levels never go down: the highest announced is kept, whatever the order."""

    name = "copytrading.levels"
    source = "gamification"
    event_types = frozenset({"LevelReached"})
    tables: tuple[Table, ...] = (levels,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        user_id = str(data["user_id"])
        known = conn.scalar(select(levels.c.level).where(levels.c.user_id == user_id))
        level = max(int(data["level"]), 1 if known is None else int(known))
        upsert(conn, levels, [{"user_id": user_id, "level": level}], ["user_id"])


class PracticeRecords:
    """Only practice accounts lead, so only theirs are kept: an account is known as one
    from its AccountOpened, and the closes and liquidations of other accounts pass by.
    Each close updates the account's statistics in the same transaction (a batch's closes
    together, each account's once), and rebuilt with the closes."""

    name = "copytrading.practice"
    source = "trading"
    event_types = frozenset({"AccountOpened", "PositionClosed", "AccountLiquidated"})
    tables: tuple[Table, ...] = (practice_accounts, closed_positions, leader_statistics)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        """As `apply` on each event in order, in a few statements whatever the batch's size:
        the owners of the accounts it names read at once, the openings, liquidations and
        closes written a table at a time, then each account's closes added to its
        statistics together (the same sums as one at a time)."""
        owners = self._owners(conn, envelopes)
        opened: dict[str, dict[str, Any]] = {}
        liquidated: dict[str, Any] = {}
        rows: dict[str, dict[str, Any]] = {}
        closes: dict[str, list[ClosedTrade]] = {}
        for envelope in envelopes:
            data = envelope.payload
            account_id = str(data["account_id"])
            if envelope.type == "AccountOpened":
                if data["kind"] == PRACTICE and data.get("owner_id") is not None:
                    owners[account_id] = str(data["owner_id"])
                    opened[account_id] = {"account_id": account_id, "owner_id": owners[account_id]}
            elif account_id not in owners:
                continue  # not a practice account: its events pass by
            elif envelope.type == "AccountLiquidated":
                liquidated[account_id] = envelope.occurred_at
            else:
                row = _closed_row(envelope, owners[account_id])
                rows[row["position_id"]] = row
                closes.setdefault(account_id, []).append(
                    ClosedTrade(
                        row["opened_at"],
                        row["closed_at"],
                        row["realized_pnl"],
                        row["equity_at_open"],
                    )
                )
        self._open(conn, list(opened.values()))
        if liquidated:
            conn.execute(
                _LIQUIDATED,
                [{"b_account": a, "b_at": at} for a, at in liquidated.items()],
            )
        upsert(conn, closed_positions, list(rows.values()), ["position_id"])
        statistics.add_closes(conn, closes)

    @staticmethod
    def _owners(conn: Connection, envelopes: list[Envelope]) -> dict[str, str]:
        """The owner of each practice account already known that these events name."""
        named = {(str(e.payload["account_id"]),) for e in envelopes if e.type != "AccountOpened"}
        found = rows_by_key(conn, practice_accounts, ["account_id"], named)
        return {key[0]: str(row["owner_id"]) for key, row in found.items()}

    @staticmethod
    def _open(conn: Connection, opened: list[dict[str, Any]]) -> None:
        """Practice accounts known from now on, each with its statistics' zero row."""
        if not opened:
            return
        upsert(conn, practice_accounts, opened, ["account_id"])
        kept = rows_by_key(
            conn, leader_statistics, ["account_id"], {(o["account_id"],) for o in opened}
        )
        zeros = [
            statistics.zero_row(o["owner_id"], o["account_id"])
            for o in opened
            if (o["account_id"],) not in kept
        ]
        if zeros:
            conn.execute(insert(leader_statistics), zeros)


_LIQUIDATED = (
    update(practice_accounts)
    .where(practice_accounts.c.account_id == bindparam("b_account"))
    .values(last_liquidation_at=bindparam("b_at"))
)


def _closed_row(envelope: Envelope, owner: str) -> dict[str, Any]:
    data = envelope.payload
    return {
        "position_id": envelope.event_id,
        "account_id": str(data["account_id"]),
        "owner_id": owner,
        "market": str(data["market"]),
        "opened_at": moment(data["opened_at"]),
        "closed_at": envelope.occurred_at,
        "realized_pnl": Decimal(str(data["realized_pnl"])),
        "equity_at_open": Decimal(str(data.get("equity_at_open", 0))),
        "liquidated": bool(data["liquidated"]),
        "sequence": envelope.aggregate_version,
    }


class Blocks:
    name = "copytrading.blocks"
    source = "social"
    event_types = frozenset({"UserBlocked", "UserUnblocked"})
    tables: tuple[Table, ...] = (blocks,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        blocker, blocked = str(data["blocker_id"]), str(data["blocked_id"])
        b = blocks.c
        this = (b.blocker_id == blocker, b.blocked_id == blocked)
        # A block's row has nothing but its key: a second block of the same pair (blocked,
        # unblocked, blocked again) finds it there already.
        known = conn.scalar(select(b.blocker_id).where(*this)) is not None
        if envelope.type == "UserBlocked" and not known:
            conn.execute(insert(blocks).values(blocker_id=blocker, blocked_id=blocked))
        elif envelope.type == "UserUnblocked":
            conn.execute(delete(blocks).where(*this))


class Plans:
    """The plan as financial last announced it (a plan's slots are CopyRules' table)."""

    name = "copytrading.plans"
    source = "financial"
    event_types = frozenset({"SubscriptionChanged"})
    tables: tuple[Table, ...] = (plans,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        row = {
            "user_id": str(data["user_id"]),
            "plan": str(data["plan"]),
            "copy_trading_slots": int(data.get("copy_trading_slots", 0)),
        }
        upsert(conn, plans, [row], ["user_id"])


PROJECTIONS = (TraderNames(), Levels(), PracticeRecords(), Blocks(), Plans())
