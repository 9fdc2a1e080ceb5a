"""Leaderboards with 100,000 traders: rank queries and updates beside raw Redis, and the
time from a closing tick to the trader's new standing on the board.

One process, one event loop; the platform's own pieces unchanged (bootstrap with Redis
configured: events through Redis Streams, boards indexed in Redis sorted sets). The
100,000 standings are written straight into the board read model (SQL) and loaded into
Redis with `RedisBoards.load`, as a start does. The floor, same run, same Redis: raw
redis-py ZADD of the same members and scores into a sorted set of its own, then ZREVRANK
and ZREVRANGE on it, one awaited call at a time, as the platform's queries are made.

Targets (issue): rank queries >= 50 % of the raw Redis rate; a closed position on the board
within 1 s end to end."""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from astratrade.bootstrap import Platform, bootstrap
from astratrade.config import Settings
from astratrade.gamification import views
from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.adapters.redis_boards import RedisBoards
from astratrade.gamification.adapters.tables import board_scores, players
from astratrade.infrastructure import streams
from astratrade.shared.clock import ManualClock
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.domain.prices import Quote
from astratrade.trading.engine import TradingEngine
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.domain.commands import RegisterUser
from bench.common import load_average, percentile
from bench.common import main as bench_main

START = datetime(2026, 11, 16, 9, tzinfo=UTC)
XP = views.Board("xp", "all", "all")
CHUNK = 5000


def eth(mark: int, clock: ManualClock) -> list[Quote]:
    return [Quote("ETH-USD", Decimal(mark), Decimal(mark), clock.now())]


async def fill_board(platform: Platform, traders: int, seed: int) -> dict[str, int]:
    """`traders` standings on the all-time XP board, straight into the read model."""
    rng = random.Random(seed)
    user_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(traders)]
    scores = {u: rng.randrange(0, 50_000) for u in user_ids}
    for start in range(0, traders, CHUNK):
        chunk = user_ids[start : start + CHUNK]
        people = [{"user_id": u, "username": f"trader{start + i}"} for i, u in enumerate(chunk)]
        rows = [
            {
                "board": "xp",
                "period": "all",
                "mode": "all",
                "user_id": u,
                "score": Decimal(scores[u]),
                "reached_at": START - timedelta(seconds=rng.randrange(0, 10**7)),
                "ranked": True,
            }
            for u in chunk
        ]

        def write(conn, people=people, rows=rows):  # type: ignore[no-untyped-def]
            conn.execute(insert(players), people)
            conn.execute(insert(board_scores), rows)

        await platform.writer.run(write)
    return scores


async def rate(calls: int, call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for i in range(calls):
        await call(i)
    return calls / (time.perf_counter() - started)


async def queries(
    args: argparse.Namespace, boards: RedisBoards, user_ids: list[str], redis, raw_key: str
) -> dict[str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    """(platform, floor) calls a second for each kind of query, interleaved twice."""
    rng = random.Random(args.seed)
    picks = [rng.choice(user_ids) for _ in range(args.queries)]
    results: dict[str, tuple[list[float], list[float]]] = {}

    async def ours_rank(i: int) -> None:
        assert await boards.around(XP, picks[i], 0)

    async def raw_rank(i: int) -> None:
        assert await redis.zrevrank(raw_key, picks[i]) is not None

    async def ours_around(i: int) -> None:
        assert await boards.around(XP, picks[i], 5)

    async def raw_around(i: int) -> None:
        rank = await redis.zrevrank(raw_key, picks[i])
        assert await redis.zrevrange(raw_key, max(rank - 5, 0), rank + 5, withscores=True)

    async def ours_top(_: int) -> None:
        assert len(await boards.top(XP, 100)) == 100

    async def raw_top(_: int) -> None:
        assert len(await redis.zrevrange(raw_key, 0, 99, withscores=True)) == 100

    pairs = {
        "my rank (around=0) vs ZREVRANK": (ours_rank, raw_rank),
        "me with 5 each side vs ZREVRANK + ZREVRANGE": (ours_around, raw_around),
        "top 100 vs ZREVRANGE 0 99 WITHSCORES": (ours_top, raw_top),
    }
    for _ in range(2):
        for name, (ours, raw) in pairs.items():
            mine, floor = results.setdefault(name, ([], []))
            mine.append(await rate(args.queries, ours))
            floor.append(await rate(args.queries, raw))
    return {name: (max(m), max(f)) for name, (m, f) in results.items()}


async def close_to_board(platform: Platform, boards: RedisBoards, rounds: int) -> list[float]:
    """Seconds from the tick that closes a protected position to the trader's new score
    on the board (read through Redis, as the API reads it)."""
    clock = platform.clock
    assert isinstance(clock, ManualClock)
    seconds = []
    for n in range(rounds):
        user = await platform.bus.execute(
            RegisterUser(email=f"e2e{n}@example.com", username=f"e2e{n}", password="correct horse")
        )
        await platform.backbone.drain()
        (account,) = await platform.port(TradingEngine).run(
            lambda uow, u=user: uow.accounts.ids_of_owner(u.user_id)
        )
        await platform.port(TradingEngine).on_quotes(eth(3000, clock))
        for kind, side, trigger in (
            (OrderType.MARKET, Side.BUY, None),
            (OrderType.STOP_LOSS, Side.SELL, Decimal(2990)),
        ):
            await platform.bus.execute(
                PlaceOrder(
                    owner_id=user.user_id,
                    account_id=account,
                    market="ETH-USD",
                    side=side,
                    type=kind,
                    size=Decimal(1),
                    trigger_price=trigger,
                )
            )
        await platform.backbone.drain()
        clock.advance(600)
        started = time.perf_counter()
        await platform.port(TradingEngine).on_quotes(eth(2990, clock))
        while not await boards.around(XP, user.user_id, 0):
            if time.perf_counter() - started > 10:
                raise AssertionError("the close did not reach the board within 10 s")
        seconds.append(time.perf_counter() - started)
        await platform.port(TradingEngine).on_quotes(eth(3000, clock))
    return seconds


async def run(args: argparse.Namespace, workdir: Path) -> bool:
    prefix = f"bench-boards-{uuid.uuid4().hex[:8]}:"
    print(f"load average before: {load_average()} on 2 CPUs; Redis keys under {prefix!r}")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir}/bench.db",
        data_dir=workdir,
        redis_url=args.redis_url,
        redis_prefix=prefix,
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
    )
    platform = bootstrap(
        settings, clock=ManualClock(START), hasher=Argon2Hasher(time_cost=1, memory_cost=8)
    )
    await platform.start()
    redis = streams.connect(args.redis_url)
    raw_key = f"{prefix}raw-floor"
    try:
        boards = platform.port(BoardIndex)
        assert boards is not None
        scores = await fill_board(platform, args.traders, args.seed)
        user_ids = list(scores)
        started = time.perf_counter()
        async with platform.read_db.connect() as conn:
            loaded = await boards.load(conn)
        load_seconds = time.perf_counter() - started
        rows = list(scores.items())  # the same members and scores
        started = time.perf_counter()
        for start in range(0, len(rows), CHUNK):
            await redis.zadd(raw_key, dict(rows[start : start + CHUNK]))
        raw_load = time.perf_counter() - started
        measured = await queries(args, boards, user_ids, redis, raw_key)
        e2e = await close_to_board(platform, boards, args.rounds)
    finally:
        await platform.stop()
        async for key in redis.scan_iter(match=f"{prefix}*"):
            await redis.delete(key)
        await redis.aclose()

    print(
        f"\nLeaderboards with {args.traders:,} traders (SQLite read model, Redis index); "
        f"load average now {load_average()}"
    )
    print(
        f"  load {loaded:,} standings from SQL into Redis: {load_seconds:.2f} s "
        f"(raw ZADD of {len(rows):,} members in batches of {CHUNK}: {raw_load:.2f} s)"
    )
    print(f"  {'query':<48}{'platform/s':>12}{'raw/s':>10}{'ratio':>8}")
    passed = True
    for name, (ours, floor) in measured.items():
        print(f"  {name:<48}{ours:>12,.0f}{floor:>10,.0f}{ours / floor:>8.1%}")
    rank_ratio = measured["my rank (around=0) vs ZREVRANK"]
    ratio = rank_ratio[0] / rank_ratio[1]
    verdict = ratio >= 0.5
    passed &= verdict
    print(
        f"{'PASS' if verdict else 'FAIL'}  rank queries at {ratio:.1%} of raw ZREVRANK "
        "(target >= 50%)"
    )
    worst = max(e2e)
    verdict = worst < 1.0
    passed &= verdict
    print(
        f"{'PASS' if verdict else 'FAIL'}  closing tick -> on the board: p50 "
        f"{percentile(e2e, 50) * 1000:.1f} ms, max {worst * 1000:.1f} ms over {len(e2e)} "
        "closes, through Redis Streams (target < 1 s)"
    )
    return passed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traders", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


def main() -> None:
    bench_main(run, parse_args(), "astratrade-bench-boards-")


if __name__ == "__main__":
    main()
