"""Badges' read models (CQRS, exactly once through their tracking rows, rebuildable from
the audit log with `astratrade projections rebuild NAME`):

- the badges themselves: one per gamification AchievementUnlocked (the table's
  UNIQUE(user_id, achievement) and the token id, derived from that pair, make a second
  delivery or a replay a no-op), with the level the trader held then (gamification's
  LevelReached, followed here in the same order as the unlocks), and badges' own
  BadgeRevoked;
- each trader's username and profile visibility, from users and social, and the blocks
  between traders, from social;
- the wallet each trader's badges are minted to, from users' WalletLinked."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Connection, Table, delete, insert, select, update

from astratrade.badges.adapters.tables import badges, blocks, holders, levels, wallets
from astratrade.badges.domain.tokens import holder_key_of, token_id_of
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.messages import Envelope


class Badges:
    """Gamification records an AchievementUnlocked before the XP it brings, so the level
    read here when it arrives is the one the trader held when earning it."""

    name = "badges.badges"
    source = "gamification"
    sources: ClassVar[dict[str, str]] = {"BadgeRevoked": "badges"}
    event_types = frozenset({"LevelReached", "AchievementUnlocked", "BadgeRevoked"})
    tables: tuple[Table, ...] = (badges, levels)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        user_id = str(data["user_id"])
        if envelope.type == "LevelReached":
            known = conn.scalar(select(levels.c.level).where(levels.c.user_id == user_id))
            level = max(int(data["level"]), 0 if known is None else int(known))
            upsert(conn, levels, [{"user_id": user_id, "level": level}], ["user_id"])
        elif envelope.type == "AchievementUnlocked":
            _issue(conn, user_id, str(data["achievement"]), envelope)
        else:
            conn.execute(
                update(badges)
                .where(badges.c.token_id == str(data["token_id"]), badges.c.revoked_at.is_(None))
                .values(revoked_at=envelope.occurred_at, revoked_reason=str(data["reason"]))
            )


def _issue(conn: Connection, user_id: str, achievement: str, envelope: Envelope) -> None:
    token_id = str(token_id_of(user_id, achievement))
    if conn.scalar(select(badges.c.token_id).where(badges.c.token_id == token_id)):
        return  # gamification awards an achievement once; a replay of it issues nothing
    level = conn.scalar(select(levels.c.level).where(levels.c.user_id == user_id))
    row = {
        "token_id": token_id,
        "user_id": user_id,
        "holder": holder_key_of(user_id),
        "achievement": achievement,
        "earned_at": envelope.occurred_at,
        "level": 1 if level is None else int(level),
        "revoked_at": None,
        "revoked_reason": None,
    }
    conn.execute(badges.insert(), [row])


class Holders:
    """Sign-ups and profile changes come from two streams, in either order: each event
    changes only its own columns of the row."""

    name = "badges.holders"
    source = "users"
    sources: ClassVar[dict[str, str]] = {"ProfileUpdated": "social", "ProfileSuspended": "social"}
    event_types = frozenset({"UserRegistered", "ProfileUpdated", "ProfileSuspended"})
    tables: tuple[Table, ...] = (holders,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        user_id = str(data["user_id"])
        found = conn.execute(select(holders).where(holders.c.user_id == user_id)).first()
        row: dict[str, Any] = (
            dict(found._mapping)
            if found is not None
            else {
                "user_id": user_id,
                "username": None,
                "username_key": None,
                "visibility": "public",
                "suspended": False,
            }
        )
        if envelope.type == "UserRegistered":
            username = str(data["username"])
            row.update(username=username, username_key=username.strip().lower())
        elif envelope.type == "ProfileUpdated":
            row["visibility"] = str(data["visibility"])
        else:
            row["suspended"] = bool(data["suspended"])
        upsert(conn, holders, [row], ["user_id"])


class Blocks:
    """A block hides each one's profile from the other, its badges included."""

    name = "badges.blocks"
    source = "social"
    event_types = frozenset({"UserBlocked", "UserUnblocked"})
    tables: tuple[Table, ...] = (blocks,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        pair = {"blocker_id": str(data["blocker_id"]), "blocked_id": str(data["blocked_id"])}
        b = blocks.c
        conn.execute(
            delete(blocks).where(
                b.blocker_id == pair["blocker_id"], b.blocked_id == pair["blocked_id"]
            )
        )
        if envelope.type == "UserBlocked":  # blocked again after an unblock: one row still
            conn.execute(insert(blocks), [pair])


class Wallets:
    """The first wallet a trader links is where their badges are minted."""

    name = "badges.wallets"
    source = "users"
    event_types = frozenset({"WalletLinked"})
    tables: tuple[Table, ...] = (wallets,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        user_id = str(data["user_id"])
        if conn.scalar(select(wallets.c.user_id).where(wallets.c.user_id == user_id)) is None:
            conn.execute(insert(wallets), [{"user_id": user_id, "address": str(data["address"])}])


PROJECTIONS = (Badges(), Holders(), Blocks(), Wallets())
