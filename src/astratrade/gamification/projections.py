"""Gamification's read models: who the players are, the XP and ROI boards (CQRS, from
events).

Boards rank by score, ties going to whoever reached the score first. Each is rebuildable
from the audit log (`astratrade projections rebuild NAME`)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, select

from astratrade.gamification.adapters.tables import (
    board_scores,
    plan_limits,
    players,
    tournament_standings,
)
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.infrastructure.rows_by_key import rows_by_key
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope

ALL_TIME = "all"
ANY_MODE = "all"


def week_of(at: datetime) -> str:
    """The board period of a moment: its ISO week, which starts Monday 00:00 UTC."""
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


class Players:
    """Usernames, from users' sign-ups: boards show them."""

    name = "gamification.players"
    source = "users"
    event_types = frozenset({"UserRegistered"})
    tables: tuple[Table, ...] = (players,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        row = {"user_id": str(data["user_id"]), "username": str(data["username"])}
        upsert(conn, players, [row], ["user_id"])


class XpBoards:
    """XP all-time (a trader's total) and per week (XP earned in it)."""

    name = "gamification.xp_boards"
    source = "gamification"
    event_types = frozenset({"XpAwarded"})
    tables: tuple[Table, ...] = (board_scores,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        """The events in order, as `apply` one by one would: the weeks' rows they add to
        read in one query, the rows written in one statement."""
        weeks = {
            ("xp", week_of(e.occurred_at), ANY_MODE, str(e.payload["user_id"])) for e in envelopes
        }
        rows = rows_by_key(conn, board_scores, BOARD_KEY, weeks)
        for envelope in envelopes:
            data, at = envelope.payload, envelope.occurred_at
            user_id = str(data["user_id"])
            week = week_of(at)
            current = rows.get(("xp", week, ANY_MODE, user_id))
            weekly = (current["score"] if current is not None else Decimal(0)) + int(data["amount"])
            for row in (
                _row("xp", ALL_TIME, user_id, Decimal(int(data["total"])), at),
                _row("xp", week, user_id, weekly, at),
            ):
                rows[_key(row)] = row
        upsert(conn, board_scores, list(rows.values()), BOARD_KEY)


class RoiBoards:
    """ROI per week, practice and live apart: the week's P&L over its capital, as trading
    reports them with each close (deposits are capital, never gains). A trader ranks from
    the week's fifth close; tournament accounts have boards of their own."""

    name = "gamification.roi_boards"
    source = "trading"
    event_types = frozenset({"PositionClosed", "AccountLiquidated"})
    tables: tuple[Table, ...] = (board_scores,)

    def __init__(self, min_closes: int) -> None:
        self.min_closes = min_closes

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        self.apply_all(conn, [envelope])

    def apply_all(self, conn: Connection, envelopes: list[Envelope]) -> None:
        """The events in order, as `apply` one by one would: the weeks' rows they touch
        read in one query, written in one statement."""
        keyed = [(e, key) for e in envelopes if (key := _roi_key(e)) is not None]
        rows = rows_by_key(conn, board_scores, BOARD_KEY, {key for _, key in keyed})
        for envelope, key in keyed:
            data, at = envelope.payload, envelope.occurred_at
            _, week, mode, user_id = key
            current = rows.get(key)
            closes = (current["closes"] if current else 0) + (envelope.type == "PositionClosed")
            capital = Decimal(str(data["week_capital"]))
            score = roi(Decimal(str(data["week_pnl"])), capital)
            if current is not None and current["score"] == score:
                at = current["reached_at"]  # ties go to whoever reached the score first
            row = _row("roi", week, user_id, score, at, mode=mode)
            row.update(closes=closes, ranked=closes >= self.min_closes and capital > 0)
            rows[key] = row
        upsert(conn, board_scores, list(rows.values()), BOARD_KEY)


def _roi_key(envelope: Envelope) -> tuple[str, str, str, str] | None:
    """The ROI board row an event moves: its owner's, that week, in its account's mode;
    None for accounts no trader owns and modes without a board."""
    data = envelope.payload
    mode, owner = data["account_kind"], data["owner_id"]
    if owner is None or mode not in ROI_MODES:
        return None
    return ("roi", week_of(envelope.occurred_at), mode, str(owner))


class TournamentBoards:
    """Each entrant's live tournament standing: ROI of the tournament account, (collateral -
    starting capital) / starting capital, realized at each close before the end. Rows are
    keyed by account: the join (gamification) and the account's closes (trading) come on
    different streams, and either may arrive first."""

    name = "gamification.tournament_boards"
    source = "trading"
    sources: ClassVar[dict[str, str]] = {"TournamentJoined": "gamification"}
    event_types = frozenset({"TournamentJoined", "PositionClosed", "AccountLiquidated"})
    tables: tuple[Table, ...] = (tournament_standings,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data, at = envelope.payload, envelope.occurred_at
        if envelope.type == "TournamentJoined":
            account_id, user_id = str(data["account_id"]), str(data["user_id"])
        elif data["account_kind"] == "tournament" and data["owner_id"] is not None:
            account_id, user_id = str(data["account_id"]), str(data["owner_id"])
        else:
            return
        found = conn.execute(
            select(tournament_standings).where(tournament_standings.c.account_id == account_id)
        ).first()
        row: dict[str, Any] = (
            dict(found._mapping)
            if found is not None
            else {
                "account_id": account_id,
                "tournament_id": None,
                "user_id": user_id,
                "starting_capital": None,
                "ends_at": None,
                "collateral": None,
                "closes": 0,
                "score": Decimal(0),
                "reached_at": at,
            }
        )
        if envelope.type == "TournamentJoined":
            row.update(
                tournament_id=str(data["tournament_id"]),
                starting_capital=Decimal(str(data["starting_capital"])),
                ends_at=moment(data["ends_at"]),
            )
        elif row["ends_at"] is not None and at >= row["ends_at"]:
            return  # after the end: the standings no longer move
        else:
            row["collateral"] = Decimal(str(data["collateral"]))
            row["closes"] += envelope.type == "PositionClosed"
        capital, collateral = row["starting_capital"], row["collateral"]
        if capital is not None and collateral is not None:
            score = roi(collateral - capital, capital)
            if score != row["score"] or found is None:
                row.update(score=score, reached_at=at)
        upsert(conn, tournament_standings, [row], ["account_id"])


ROI_MODES = ("practice", "live")
_ROI_PLACES = Decimal("0.000001")


def roi(pnl: Decimal, capital: Decimal) -> Decimal:
    """P&L over capital as a fraction (0.125 is +12.5 %), to six places; 0 without capital."""
    if capital <= 0:
        return Decimal(0)
    return (pnl / capital).quantize(_ROI_PLACES, rounding=ROUND_HALF_EVEN)


BOARD_KEY = ("board", "period", "mode", "user_id")


def _key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["board"], row["period"], row["mode"], row["user_id"])


def _row(
    board: str, period: str, user_id: str, score: Decimal, at: datetime, mode: str = ANY_MODE
) -> dict[str, Any]:
    return {
        "board": board,
        "period": period,
        "mode": mode,
        "user_id": user_id,
        "score": score,
        "reached_at": at,
        "ranked": True,
        "closes": 0,
    }


class PlanLimits:
    """Each trader's tournaments per month, as financial's subscription sets it."""

    name = "gamification.plan_limits"
    source = "financial"
    event_types = frozenset({"SubscriptionChanged"})
    tables: tuple[Table, ...] = (plan_limits,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        limit = {
            "user_id": str(data["user_id"]),
            "plan": str(data["plan"]),
            "tournaments_per_month": int(data["tournaments_per_month"]),
        }
        upsert(conn, plan_limits, [limit], ["user_id"])


PLAYERS, XP_BOARDS = Players(), XpBoards()
ROI_BOARDS = RoiBoards(DEFAULT_RULES.roi_min_closes)
TOURNAMENT_BOARDS = TournamentBoards()
PLAN_LIMITS = PlanLimits()
PROJECTIONS = (PLAYERS, XP_BOARDS, ROI_BOARDS, TOURNAMENT_BOARDS, PLAN_LIMITS)
