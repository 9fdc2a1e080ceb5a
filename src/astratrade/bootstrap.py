"""The composition root: builds every adapter from settings and wires the contexts."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import Settings, items
from astratrade.event_wiring import event_backbone
from astratrade.financial import wiring as financial_wiring
from astratrade.financial.adapters.trading_funds import HttpTrading
from astratrade.financial.domain.transfers import Funds
from astratrade.financial.ports import AccountFunds, FundsQuery
from astratrade.financial.projections import PROJECTIONS as FINANCIAL_PROJECTIONS
from astratrade.gamification import wiring as gamification_wiring
from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.adapters.redis_boards import RedisBoards
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.infrastructure import projections, streams
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.infrastructure.writer import Writer, writer_for
from astratrade.platform import Platform
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock, ManualClock, SystemClock
from astratrade.shared.ids import IdFactory, new_id
from astratrade.trading import subscriptions as trading_subscriptions
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.feeds.replay import ReplayFeed
from astratrade.trading.adapters.feeds.synthetic import SyntheticFeed
from astratrade.trading.adapters.read_models import SqlLiveAccess, SqlOpenOrderLimits
from astratrade.trading.adapters.repository import SqlTradingUnitOfWork
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.domain.venue import Venue
from astratrade.trading.engine import TradingEngine
from astratrade.trading.ports import PriceFeed
from astratrade.trading.projections import PROJECTIONS as TRADING_PROJECTIONS
from astratrade.trading.queries import TradingQueries
from astratrade.users import wiring as users_wiring
from astratrade.users.adapters.http_sessions import HttpSessionStates
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.adapters.sessions import SessionGuard
from astratrade.users.adapters.starknet_signatures import RpcSignatures, StarknetSignatures
from astratrade.users.ports import PasswordHasher
from astratrade.users.projections import UserProgress

logger = logging.getLogger(__name__)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    ids: IdFactory = new_id,
    hasher: PasswordHasher | None = None,
    feed: PriceFeed | None = None,
    rules: TradingRules | None = None,
) -> Platform:
    settings = settings or Settings()
    if clock is None:
        clock = ManualClock() if settings.clock == "manual" else SystemClock()
    db = create_engine(settings.resolved_database_url)
    read_db = create_engine(settings.resolved_database_url, read_only=True)
    writer = writer_for(settings.resolved_database_url, db)
    bus = MessageBus()
    # The backbone is built once every subscription is in place; units of work need only
    # the publisher side of it now.
    publisher, events_backbone = event_backbone(settings, bus, db, read_db, writer, clock)
    tokens = TokenCodec(settings.signing_secret, settings.jwt_issuer, clock)

    remote_sessions = _session_states(settings)
    sessions = _users(settings, bus, db, read_db, publisher, clock, tokens,
                      hasher or _hasher(settings), ids, remote_sessions)  # fmt: skip

    venue = _venue(rules or TradingRules(), clock, ids)
    trading = _trading_engine(settings, venue, read_db, writer, publisher, clock, ids)
    trading.wire(bus)

    # Without trading in this process, financial asks the trading service.
    remote_trading = _remote_trading(settings)
    funds_of = _funds_of(trading.queries)
    renew_subscriptions = financial_wiring.wire(
        bus, engine=db, read_db=read_db, publisher=publisher, clock=clock, ids=ids,
        funds_of=funds_of if remote_trading is None else remote_trading.funds_of,
    )  # fmt: skip

    user_read_models = (UserProgress(settings.default_unlocked_leverage),)
    for projection in (*TRADING_PROJECTIONS, *user_read_models, *FINANCIAL_PROJECTIONS):
        projections.subscribe(bus, projection, writer, clock)
    boards = _board_index(settings, read_db)
    gamification = gamification_wiring.wire(
        bus, engine=db, read_db=read_db, writer=writer, publisher=publisher, clock=clock,
        rules=DEFAULT_RULES, markets=list(venue.markets), boards=boards,
    )  # fmt: skip
    read_models: tuple[Projection, ...] = (*TRADING_PROJECTIONS, *user_read_models,
                                           *gamification.projections,
                                           *FINANCIAL_PROJECTIONS)  # fmt: skip
    trading_subscriptions.subscribe(bus)

    timers = (*(("gamification", job) for job in gamification.on_time),
              ("financial", renew_subscriptions))  # fmt: skip
    return Platform(
        settings, clock, db, read_db, writer, bus, events_backbone(), tokens, trading,
        feed if feed is not None else _feed_from(settings, venue, clock), read_models, boards,
        timers, sessions, settings.contexts, funds_of, remote_trading,
        tuple(c.close for c in (remote_trading, remote_sessions) if c is not None),
    )  # fmt: skip


def _users(
    settings: Settings, bus: MessageBus, db: AsyncEngine, read_db: AsyncEngine,
    publisher: EventPublisher, clock: Clock, tokens: TokenCodec, hasher: PasswordHasher,
    ids: IdFactory, remote_sessions: HttpSessionStates | None,
) -> SessionGuard:  # fmt: skip
    return users_wiring.wire(
        bus, read_db=read_db, chain_id=settings.starknet_chain_id,
        signatures=wallet_signatures(settings), engine=db, publisher=publisher, clock=clock,
        tokens=tokens, hasher=hasher, ids=ids,
        access_ttl=timedelta(minutes=settings.access_token_minutes),
        refresh_ttl=timedelta(days=settings.refresh_token_days), session_states=remote_sessions,
    )  # fmt: skip


def _remote_trading(settings: Settings) -> HttpTrading | None:
    if "trading" in settings.contexts:
        return None
    return HttpTrading(*settings.service_call("trading"))


def _hasher(settings: Settings) -> PasswordHasher:
    return Argon2Hasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )


def _venue(rules: TradingRules, clock: Clock, ids: IdFactory) -> Venue:
    now = clock.now()
    return Venue(
        markets={m.id: m for m in DEFAULT_MARKETS},
        quotes={m.id: Quote(m.id, m.start_price, m.start_price, now) for m in DEFAULT_MARKETS},
        rules=rules,
        ids=ids,
    )


def _trading_engine(
    settings: Settings, venue: Venue, read_db: AsyncEngine, writer: Writer,
    publisher: EventPublisher, clock: Clock, ids: IdFactory,
) -> TradingEngine:  # fmt: skip
    cache = AccountCache()
    rules = venue.rules
    return TradingEngine(
        uow_factory=lambda: SqlTradingUnitOfWork(
            read_db,
            writer,
            publisher,
            clock,
            ids,
            cache,
            rules.default_leverage,
            settings.default_unlocked_leverage,
        ),
        venue=venue,
        clock=clock,
        practice_grant=settings.practice_starting_balance,
        insurance_seed=settings.insurance_fund_seed,
        live_access=SqlLiveAccess(read_db),
        queries=TradingQueries(read_db, cache, venue, clock, rules.default_leverage),
        plan_limits=SqlOpenOrderLimits(read_db),
    )


def _funds_of(queries: TradingQueries) -> FundsQuery:
    async def funds_of(account_id: str) -> AccountFunds | None:
        """Financial asks trading for an account's committed funds now."""
        found = await queries.account_funds(account_id)
        if found is None:
            return None
        return AccountFunds(found.owner_id, Funds(found.kind, found.collateral, found.available))

    return funds_of


def _board_index(settings: Settings, read_db: AsyncEngine) -> BoardIndex | None:
    """The boards' Redis index, when there is Redis (SQL answers without it)."""
    if settings.redis_url is None:
        return None
    # Board reads are on request paths: a Redis that does not answer in 2 s is down.
    index = RedisBoards(streams.connect(settings.redis_url, command_timeout=2.0),
                        settings.redis_prefix)  # fmt: skip
    return BoardIndex(index, read_db)


def _session_states(settings: Settings) -> HttpSessionStates | None:
    """Outside the users service, a request's session is asked of it (None: its table)."""
    if "users" in settings.contexts:
        return None
    return HttpSessionStates(*settings.service_call("users"))


def wallet_signatures(settings: Settings) -> StarknetSignatures:
    hashes = [int(h, 16) for h in items(settings.wallet_account_class_hashes)]
    node = RpcSignatures(settings.starknet_rpc_url) if settings.starknet_rpc_url else None
    return StarknetSignatures(hashes, node)


def _feed_from(settings: Settings, venue: Venue, clock: Clock) -> PriceFeed | None:
    markets = list(venue.markets.values())
    if settings.price_feed == "synthetic":
        return SyntheticFeed(
            markets,
            seed=settings.feed_seed,
            interval_seconds=settings.feed_interval_seconds,
            clock=clock,
        )
    if settings.price_feed == "replay" and settings.replay_file is not None:
        return ReplayFeed(settings.replay_file, markets, speed=settings.replay_speed)
    return None  # manual: prices arrive through the admin API
