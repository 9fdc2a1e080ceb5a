"""Tournaments' use cases: create, join, and finish those the clock has ended."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from astratrade.gamification.domain.commands import CreateTournament
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import ProgressionRules, level_for
from astratrade.gamification.domain.tournaments import Tournament
from astratrade.gamification.ports import TournamentRepository, TournamentUnitOfWork
from astratrade.shared.errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class Entry:
    tournament_id: str
    account_id: str
    joined_now: bool


async def create_tournament(
    new: CreateTournament,
    uow: TournamentUnitOfWork,
    *,
    tournament_id: str,
    listed: Sequence[str],
    at: datetime,
) -> Tournament:
    async with uow:
        tournament = Tournament.create(
            tournament_id,
            name=new.name,
            markets=new.markets,
            listed=listed,
            starts_at=new.starts_at,
            ends_at=new.ends_at,
            starting_capital=new.starting_capital,
            max_entrants=new.max_entrants,
            min_level=new.min_level,
            at=at,
        )
        uow.tournaments.add(tournament)
        await uow.commit()
        return tournament


async def join_tournament(
    tournament_id: str,
    user_id: str,
    uow: TournamentUnitOfWork,
    rules: ProgressionRules,
    at: datetime,
    shards: int = 1,
) -> Entry:
    """Joining twice answers the first entry and changes nothing. `shards`: how many
    trading's accounts are split into (the account is opened in the trader's)."""
    async with uow:
        tournament = await uow.tournaments.get(tournament_id)
        if tournament is None:
            raise NotFound(f"tournament {tournament_id} not found")
        joined = await uow.tournaments.entry(tournament_id, user_id)
        if joined is not None:
            return Entry(tournament_id, joined, joined_now=False)
        await _within_monthly_limit(uow.tournaments, user_id, at)
        trader = await uow.traders.get(user_id)
        level = trader.level if trader is not None else level_for(0, rules)
        account_id = tournament.join(user_id, level, at, shards)
        await uow.commit()
        return Entry(tournament_id, account_id, joined_now=True)


class TournamentLimitReached(Conflict):
    code = "tournament_limit_reached"


async def _within_monthly_limit(
    tournaments: TournamentRepository, user_id: str, at: datetime
) -> None:
    """The trader's plan caps the tournaments joined per UTC month (financial's limit)."""
    limit = await tournaments.monthly_limit(user_id)
    if limit is None:
        return
    plan, most = limit
    month = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if await tournaments.joined_since(user_id, month) >= most:
        raise TournamentLimitReached(
            f"the {plan} plan allows {most} tournaments a month; a higher plan allows more"
        )


async def finish_due_tournaments(
    new_uow: Callable[[], TournamentUnitOfWork], rules: ProgressionRules, now: datetime
) -> list[str]:
    """Freeze the standings of every tournament the clock has ended, and pay its podium:
    each in one transaction with the prizes, so they are paid once (a second finisher
    conflicts on the tournament's version and changes nothing)."""
    async with new_uow() as uow:
        due = await uow.tournaments.due(now - timedelta(seconds=rules.tournament_settle_seconds))
    for tournament_id in due:
        async with new_uow() as uow:
            tournament = await uow.tournaments.get(tournament_id)
            if tournament is None or tournament.finished_at is not None:
                continue
            standings = await uow.tournaments.standings(tournament_id, rules.tournament_min_closes)
            podium = tournament.finish(standings, now, len(rules.podium_prizes))
            for placing in podium:
                trader = await uow.traders.get(placing.user_id)
                if trader is None:
                    trader = Trader.start(placing.user_id, rules)
                    uow.traders.add(trader)
                trader.award_podium(tournament_id, placing.rank, now, rules)
            await uow.commit()
    return due
