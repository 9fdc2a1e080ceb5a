"""The Tournament aggregate: who may join and until when, and its frozen result.

A tournament runs from `starts_at` to `ends_at`; anyone at `min_level` or above may join
before the end while places last, and gets a tournament account with the starting capital
(opened by trading, no deposits). Standings rank by ROI of that account from the
`tournament_min_closes`th close; when the clock passes the end they are frozen and the top 3
get their prizes, once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from astratrade.gamification.domain import events
from astratrade.shared.errors import Conflict, DomainError, ValidationFailed
from astratrade.shared.messages import Aggregate
from astratrade.shared.money import MONEY_PLACES, decimal_places
from astratrade.shared.shards import shard_of

MAX_CAPITAL = Decimal(1_000_000_000)
MAX_ENTRANTS = 100_000
# A tournament is announced at most a year ahead and lasts at most a year: its window is
# something people plan around, and nothing downstream meets an open-ended one.
MAX_LEAD = MAX_DURATION = timedelta(days=366)
# Tournament accounts get ids derived from (tournament, user): a join delivered twice opens
# one account.
_ACCOUNTS = uuid.UUID("6f1c4a52-3b0e-4d5e-9a61-0c7f1e2d9b40")
# Candidates tried for an id in the owner's shard: one in `shards` falls there, so with the
# most shards there are (256) the chance that none of these does is about e^-64.
_TRIES_PER_SHARD = 64


class Status(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"  # past its end, standings not frozen yet
    FINISHED = "finished"


class LevelTooLow(DomainError):
    code = "level_too_low"


@dataclass(frozen=True, slots=True)
class Placing:
    rank: int
    user_id: str
    score: Decimal
    closes: int


def account_id_for(tournament_id: str, user_id: str, shards: int = 1) -> str:
    """The trader's account in the tournament: the same id every time, and in the trader's
    own shard of trading's accounts (`shards` of them), like their practice and live
    accounts, so the replica that serves a trader follows from who they are alone.

    The first candidate is the id tournaments had before shards (one shard keeps it); the
    next ones number the seed until one falls in the trader's shard."""
    wanted = shard_of(user_id, shards)
    for attempt in range(_TRIES_PER_SHARD * shards):
        seed = f"{tournament_id}:{user_id}" + (f":{attempt}" if attempt else "")
        candidate = str(uuid.uuid5(_ACCOUNTS, seed))
        if shard_of(candidate, shards) == wanted:
            return candidate
    raise RuntimeError(f"no tournament account id in shard {wanted} of {shards}")


class Tournament(Aggregate):
    aggregate_type = "tournament"

    def __init__(
        self,
        tournament_id: str,
        *,
        name: str,
        markets: Sequence[str],
        starts_at: datetime,
        ends_at: datetime,
        starting_capital: Decimal,
        max_entrants: int,
        min_level: int,
        created_at: datetime,
        entrants: int = 0,
        finished_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(tournament_id, version)
        self.name = name
        self.markets = tuple(markets)
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.starting_capital = starting_capital
        self.max_entrants = max_entrants
        self.min_level = min_level
        self.created_at = created_at
        self.entrants = entrants
        self.finished_at = finished_at
        # What the repository writes besides the row: new entries, and the frozen results.
        self.new_entries: list[tuple[str, str, datetime]] = []
        self.results: list[Placing] = []

    @classmethod
    def create(
        cls,
        tournament_id: str,
        *,
        name: str,
        markets: Sequence[str],
        listed: Sequence[str],
        starts_at: datetime,
        ends_at: datetime,
        starting_capital: Decimal,
        max_entrants: int,
        min_level: int,
        at: datetime,
    ) -> Tournament:
        name = name.strip()
        chosen = sorted(set(markets))
        _check_terms(name, chosen, markets, listed, starts_at, ends_at, at)
        _check_stakes(starting_capital, max_entrants, min_level)
        tournament = cls(
            tournament_id,
            name=name,
            markets=chosen,
            starts_at=starts_at,
            ends_at=ends_at,
            starting_capital=starting_capital,
            max_entrants=max_entrants,
            min_level=min_level,
            created_at=at,
        )
        tournament.record(
            events.TournamentCreated(
                tournament_id=tournament_id,
                name=name,
                markets=chosen,
                starts_at=starts_at,
                ends_at=ends_at,
                starting_capital=starting_capital,
                max_entrants=max_entrants,
                min_level=min_level,
            )
        )
        return tournament

    def status(self, now: datetime) -> Status:
        if self.finished_at is not None:
            return Status.FINISHED
        if now >= self.ends_at:
            return Status.ENDED
        return Status.RUNNING if now >= self.starts_at else Status.UPCOMING

    def join(self, user_id: str, level: int, at: datetime, shards: int = 1) -> str:
        """Enter the trader; return their tournament account's id, in their shard of
        trading's `shards`. (A second join of the same trader is answered by the use case
        before it gets here.)"""
        if at >= self.ends_at:
            raise Conflict(f"tournament {self.name!r} is over")
        if self.entrants >= self.max_entrants:
            raise Conflict(f"tournament {self.name!r} is full ({self.max_entrants} entrants)")
        if level < self.min_level:
            raise LevelTooLow(
                f"tournament {self.name!r} needs level {self.min_level}; yours is {level}"
            )
        self.entrants += 1
        account_id = account_id_for(self.id, user_id, shards)
        self.new_entries.append((user_id, account_id, at))
        self.record(
            events.TournamentJoined(
                tournament_id=self.id,
                user_id=user_id,
                account_id=account_id,
                starting_capital=self.starting_capital,
                markets=list(self.markets),
                starts_at=self.starts_at,
                ends_at=self.ends_at,
            )
        )
        return account_id

    def finish(self, standings: Sequence[Placing], at: datetime, podium_size: int) -> list[Placing]:
        """Freeze the standings (ranked entrants, best first); return the podium."""
        if self.finished_at is not None:
            raise Conflict(f"tournament {self.name!r} already finished")
        if at < self.ends_at:
            raise Conflict(f"tournament {self.name!r} runs until {self.ends_at.isoformat()}")
        self.finished_at = at
        self.results = list(standings)
        podium = self.results[:podium_size]
        self.record(
            events.TournamentFinished(
                tournament_id=self.id, podium=[p.user_id for p in podium], ranked=len(self.results)
            )
        )
        return podium


def _check_terms(
    name: str,
    chosen: list[str],
    markets: Sequence[str],
    listed: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    at: datetime,
) -> None:
    """Its name, markets and dates, each refused with the field named."""
    if not 1 <= len(name) <= 80:
        raise ValidationFailed("name", "name must be 1 to 80 characters")
    unknown = [m for m in chosen if m not in listed]
    if not chosen or unknown:
        raise ValidationFailed(
            "markets", f"markets must be some of {', '.join(listed)}; got {list(markets)}"
        )
    for name_, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment.tzinfo is None:
            raise ValidationFailed(name_, f"{name_} must carry a timezone")
    if ends_at <= starts_at:
        raise ValidationFailed("ends_at", "ends_at must be after starts_at")
    if ends_at <= at:
        raise ValidationFailed("ends_at", "ends_at must be in the future")
    if starts_at - at > MAX_LEAD:
        raise ValidationFailed(
            "starts_at",
            f"starts_at may be at most {MAX_LEAD.days} days ahead, was {starts_at.isoformat()}",
        )
    if ends_at - starts_at > MAX_DURATION:
        raise ValidationFailed(
            "ends_at",
            f"a tournament lasts at most {MAX_DURATION.days} "
            f"days; ends_at was {ends_at.isoformat()}",
        )


def _check_stakes(starting_capital: Decimal, max_entrants: int, min_level: int) -> None:
    """Its capital, size and entry level, each refused with the field named."""
    if not Decimal(0) < starting_capital <= MAX_CAPITAL:
        raise ValidationFailed(
            "starting_capital", f"starting_capital must be above 0 and at most {MAX_CAPITAL}"
        )
    if decimal_places(starting_capital) > MONEY_PLACES:
        raise ValidationFailed(
            "starting_capital",
            f"starting_capital {starting_capital} has more than {MONEY_PLACES} decimal places",
        )
    if not 2 <= max_entrants <= MAX_ENTRANTS:
        raise ValidationFailed("max_entrants", f"max_entrants must be 2 to {MAX_ENTRANTS}")
    if min_level < 1:
        raise ValidationFailed("min_level", "min_level must be at least 1")
