"""Weekly ROI boards from real trading: P&L over the week's capital, ranked from the fifth
close of the week, practice apart from live, rebuilt identically from the log."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete
from trading_platform import new_trader, round_trip

from astratrade.gamification import views
from astratrade.gamification.adapters.tables import board_scores
from astratrade.gamification.projections import RoiBoards, roi, week_of
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.trading.engine import TradingEngine


async def collateral(platform: Platform, account: str) -> Decimal:
    found = await platform.port(TradingEngine).run(lambda uow: uow.accounts.get(account))
    assert found is not None
    return found.collateral


async def test_roi_ranks_from_the_fifth_close_of_the_week(platform: Platform) -> None:
    board = views.Board("roi", week_of(platform.clock.now()), "practice")
    steady, steady_account = await new_trader(platform, "sam")
    bold, bold_account = await new_trader(platform, "tia")
    for _ in range(5):
        await round_trip(platform, steady, steady_account, "3010")
    for _ in range(4):
        await round_trip(platform, bold, bold_account, "3100")

    (only,) = await views.top(platform.read_db, board, 10)
    expected = roi(await collateral(platform, steady_account) - 10_000, Decimal(10_000))
    assert (only.username, only.score) == ("sam", expected)
    assert Decimal("0.0035") < only.score < Decimal("0.005")  # 5 x (+10 less costs) of 10,000
    assert await views.around(platform.read_db, board, bold, 2) == []  # 4 closes: unranked

    await round_trip(platform, bold, bold_account, "3100")
    standings = await views.top(platform.read_db, board, 10)
    assert [s.username for s in standings] == ["tia", "sam"]
    assert await views.top(platform.read_db, views.Board("roi", board.period, "live"), 10) == []

    await platform.writer.run(lambda conn: conn.execute(delete(board_scores)))
    await rebuild(platform.read_db, platform.writer, RoiBoards(5), platform.clock.now())
    assert await views.top(platform.read_db, board, 10) == standings


async def test_a_new_week_starts_a_new_board_from_the_collateral_it_opens_with(
    platform: Platform,
) -> None:
    owner, account = await new_trader(platform, "uma")
    for _ in range(5):
        await round_trip(platform, owner, account, "2990")  # a losing week
    opening = await collateral(platform, account)
    monday = week_of(platform.clock.now())
    platform.clock.advance(timedelta(days=7).total_seconds())  # type: ignore[attr-defined]
    for _ in range(5):
        await round_trip(platform, owner, account, "3010")

    last = views.Board("roi", monday, "practice")
    this = views.Board("roi", week_of(platform.clock.now()), "practice")
    (before,) = await views.top(platform.read_db, last, 1)
    (now,) = await views.top(platform.read_db, this, 1)
    assert before.score < 0 < now.score
    gained = await collateral(platform, account) - opening
    assert now.score == roi(gained, opening)
