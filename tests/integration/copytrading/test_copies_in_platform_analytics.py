"""Platform analytics hears copy trading, gamification and financial (SQLite and
PostgreSQL), on a whole platform: a Pro plan's MRR, a copy started, a leader's fill copied
(copied volume, and no activity of the copier's), the copy stopped on the next day, a
tournament entry; then a rebuild of every platform read model from the audit log gives the
same rows as the live path."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from copy_figures import fill_price
from copying_support import Api
from sqlalchemy import Table, select

from astratrade.analytics import views
from astratrade.analytics.adapters import platform_tables
from astratrade.analytics.projections import PLATFORM_PROJECTIONS
from astratrade.gamification.domain.commands import CreateTournament, JoinTournament
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform

D = Decimal


async def stored(platform: Platform) -> dict[str, list[tuple[Any, ...]]]:
    tables = [t for t in vars(platform_tables).values() if isinstance(t, Table)]
    async with platform.read_db.connect() as conn:
        return {t.name: sorted(tuple(r) for r in await conn.execute(select(t))) for t in tables}


async def test_copies_entrants_and_mrr_by_day_and_their_rebuild(api: Api) -> None:
    platform = api.platform
    clock: Any = platform.clock
    first = clock.now().date()
    await api.sign_up("ada", "ben")
    await api.lead("ada")
    await api.subscribe("ben")  # Pro: 14.99 a month
    await api.mark("BTC-USD", "60000")
    answer = await api.call("ben", "POST", "/copies", json={"leader": "ada", "allocation": "1000"})
    assert answer.status_code == 201, answer.text
    copy_id = answer.json()["id"]
    await api.trade("ada", "0.5", "buy")
    copied = await api.decisions("ben", copy_id)
    [decision] = [d for d in copied if d["kind"] == "copied"]
    now = clock.now()
    tournament = await platform.bus.execute(
        CreateTournament(
            name="Sprint",
            markets=("ETH-USD",),
            starts_at=now,
            ends_at=now + timedelta(days=3),
            starting_capital=D(5_000),
            max_entrants=10,
            min_level=1,
        )
    )
    await platform.bus.execute(JoinTournament(tournament_id=tournament.id, user_id=api.ids["ada"]))
    clock.advance(86400)
    await api.login("ben")
    stopping = await api.call("ben", "DELETE", f"/copies/{copy_id}")
    assert stopping.status_code == 202, stopping.text
    await platform.backbone.drain()

    found = await views.platform_report(
        platform.read_db, first, first + timedelta(days=1), clock.now().date()
    )

    one, two = found.days
    assert [d.copies_started for d in found.days] == [1, 0]
    assert [d.active_copies for d in found.days] == [1, 0]  # stopped on the second day
    assert [d.tournament_entrants for d in found.days] == [1, 0]
    assert [d.mrr for d in found.days] == [D("14.99"), D("14.99")]
    # The copy's fill: its size at the copy's price; only ada placed an order herself.
    copy_size = D(decision["size"])
    assert one.copied_volume == copy_size * fill_price("BTC-USD", "buy", copy_size, "60000")
    assert one.active.daily == 1
    assert two.copied_volume > 0  # the stop closed the copy's position at market
    assert two.active.daily == 0

    live = await stored(platform)
    for projection in PLATFORM_PROJECTIONS:
        await rebuild(platform.read_db, platform.writer, projection, clock.now())
    assert await stored(platform) == live
    assert len(live["analytics_platform_copy_accounts"]) == 1
