"""A tournament from creation to frozen standings on real trading: joining opens funded
tournament accounts, closes move the live board, the clock ends it and prizes are paid once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from trading_platform import new_trader, round_trip

from astratrade.gamification import views
from astratrade.gamification.adapters.repository import ranked_standings
from astratrade.gamification.domain.commands import CreateTournament, JoinTournament
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.gamification.projections import TournamentBoards
from astratrade.infrastructure import event_store
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.shared.errors import Conflict
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.errors import OrderRejected

HOUR = timedelta(hours=1)


async def test_a_tournament_runs_from_join_to_frozen_standings_with_prizes_paid_once(
    platform: Platform,
) -> None:
    now = platform.clock.now()
    tournament = await platform.bus.execute(
        CreateTournament(
            name="Sprint",
            markets=("ETH-USD",),
            starts_at=now,
            ends_at=now + HOUR,
            starting_capital=Decimal(5_000),
            max_entrants=10,
            min_level=1,
        )
    )
    exits = {"ann": "3040", "ben": "3020", "cal": "3010", "dee": "3100"}
    entrants: dict[str, tuple[str, str]] = {}
    for name in exits:
        owner, _ = await new_trader(platform, name)
        entry = await platform.bus.execute(
            JoinTournament(tournament_id=tournament.id, user_id=owner)
        )
        again = await platform.bus.execute(
            JoinTournament(tournament_id=tournament.id, user_id=owner)
        )
        assert (again.account_id, again.joined_now) == (entry.account_id, False)
        entrants[name] = (owner, entry.account_id)
    await platform.backbone.drain()

    async with platform.read_db.connect() as conn:
        rows = await conn.execute(
            select(t.accounts.c.kind, t.accounts.c.collateral).where(
                t.accounts.c.id.in_([a for _, a in entrants.values()])
            )
        )
        assert sorted(rows) == [("tournament", Decimal(5_000))] * 4

    for name, (owner, account) in entrants.items():
        closes = 2 if name == "dee" else 3  # dee's best trade is not enough to rank
        for _ in range(closes):
            await round_trip(platform, owner, account, exits[name])
    frozen, live = await views.board(platform.read_db, tournament.id, 3, 10)
    assert not frozen
    assert [p.username for p in live] == ["ann", "ben", "cal"]
    assert live[0].score > live[1].score > live[2].score > 0

    xp_before = {
        n: (await views.progression_of(platform.read_db, o, DEFAULT_RULES)).xp
        for n, (o, _) in entrants.items()
    }
    assert set(xp_before.values()) == {0}  # tournament closes earn no XP of their own

    platform.clock.advance(HOUR.total_seconds())  # type: ignore[attr-defined]
    owner, account = entrants["ben"]
    with pytest.raises(OrderRejected, match="only reducing"):
        await round_trip(platform, owner, account, "3500")  # over: no new exposure
    await platform.on_time()
    frozen, _ = await views.board(platform.read_db, tournament.id, 3, 10)
    assert not frozen  # ended; closes still on their way get a moment to land
    platform.clock.advance(DEFAULT_RULES.tournament_settle_seconds)  # type: ignore[attr-defined]
    await platform.on_time()
    await platform.on_time()  # a second tick pays nothing more
    await platform.backbone.drain()

    frozen, final = await views.board(platform.read_db, tournament.id, 3, 10)
    assert frozen
    assert [(p.rank, p.username) for p in final] == [(1, "ann"), (2, "ben"), (3, "cal")]
    progress = {
        n: await views.progression_of(platform.read_db, o, DEFAULT_RULES)
        for n, (o, _) in entrants.items()
    }
    assert {n: p.xp for n, p in progress.items()} == {
        "ann": 2000,
        "ben": 1500,
        "cal": 1250,
        "dee": 0,
    }
    assert progress["ann"].achievements == ["TOURNAMENT_PODIUM"]
    async with platform.read_db.connect() as conn:
        history = await event_store.history(conn, tournament.id)
    assert [e.type for e in history].count("TournamentFinished") == 1
    with pytest.raises(Conflict, match="over"):
        await platform.bus.execute(JoinTournament(tournament_id=tournament.id, user_id="late"))

    # The live standings are a read model: rebuilt from the log, identical.
    async with platform.read_db.connect() as conn:
        before = await ranked_standings(conn, tournament.id, 3)
    await rebuild(platform.read_db, platform.writer, TournamentBoards(), platform.clock.now())
    async with platform.read_db.connect() as conn:
        assert await ranked_standings(conn, tournament.id, 3) == before
