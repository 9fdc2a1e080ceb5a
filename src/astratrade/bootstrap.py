"""The composition root: the infrastructure from settings, every context's module over it,
composed generically into the platform this process runs."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from astratrade.analytics import wiring as analytics
from astratrade.analytics.adapters.candle_writer import CandleWriter
from astratrade.analytics.adapters.mark_follower import MarkFollower
from astratrade.badges import wiring as badges
from astratrade.config import Settings
from astratrade.copy_accounts import embedded_or_remote, http_copy_accounts, market_rules
from astratrade.copytrading import wiring as copytrading
from astratrade.deployment import Deployment
from astratrade.event_wiring import event_backbone
from astratrade.financial import wiring as financial
from astratrade.financial.adapters.trading_funds import HttpTrading
from astratrade.financial.domain.transfers import Funds
from astratrade.financial.ports import AccountFunds, CollateralQuery, FundsQuery
from astratrade.gamification import wiring as gamification
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.infrastructure.writer import writer_for
from astratrade.modules import Infrastructure, Module, register
from astratrade.platform import Platform
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock, ManualClock, SystemClock
from astratrade.shared.ids import IdFactory, new_id
from astratrade.social import wiring as social
from astratrade.trading import views as trading_views
from astratrade.trading import wiring as trading
from astratrade.trading.adapters.price_stream import decode_quotes, prices_stream
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.engine import TradingEngine
from astratrade.trading.ports import PriceFeed
from astratrade.trading.queries import TradingQueries
from astratrade.users import wiring as users
from astratrade.users.adapters.http_sessions import HttpSessionStates
from astratrade.users.ports import PasswordHasher


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    ids: IdFactory = new_id,
    hasher: PasswordHasher | None = None,
    feed: PriceFeed | None = None,
    rules: TradingRules | None = None,
) -> Platform:
    """The platform, with real adapters unless tests hand in their own."""
    settings = settings or Settings()
    if clock is None:
        clock = ManualClock() if settings.clock == "manual" else SystemClock()
    here = Deployment(settings)
    pool_size, max_overflow = settings.database_pool_size, settings.database_max_overflow
    db = create_engine(
        settings.resolved_database_url, pool_size=pool_size, max_overflow=max_overflow
    )
    read_db = create_engine(
        settings.resolved_database_url,
        read_only=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
    )
    writer = writer_for(settings.resolved_database_url, db)
    bus = MessageBus()
    # Units of work need the publisher now; the backbone is built once every module's
    # subscriptions are on the bus (they name the consumer groups and streams).
    publisher, backbone = event_backbone(here, bus, db, read_db, writer, clock)
    tokens = TokenCodec(settings.signing_secret, settings.jwt_issuer, clock)
    infra = Infrastructure(settings, clock, ids, db, read_db, writer, bus, publisher, tokens)
    modules = _modules(infra, here, hasher=hasher, feed=feed, rules=rules)
    for module in modules:  # every context's, whichever this process serves
        register(module, infra)
    gates = {name: gate for module in modules for name, gate in module.gates.items()}
    return Platform(infra, here, modules, backbone(gates))


def _modules(
    infra: Infrastructure,
    here: Deployment,
    *,
    hasher: PasswordHasher | None,
    feed: PriceFeed | None,
    rules: TradingRules | None,
) -> tuple[Module, ...]:
    """Every context's module, each given what it needs of those before it: a context of
    its own is a package with a `wiring.py`, and one line here."""
    trading_module = trading.wire(infra, rules=rules, feed=feed)
    remote_trading = here.client_of("trading", _trading_client(infra.settings))
    funds_of = remote_trading.funds_of if remote_trading else _funds_query(trading_module)
    venue_markets = trading_module.port(TradingEngine).venue.markets
    markets = list(venue_markets)
    copy_accounts = embedded_or_remote(
        trading_module.port(TradingQueries),
        here.client_of("trading", http_copy_accounts(infra.settings)),
    )
    return (
        users.wire(infra, hasher=hasher, session_states=here.client_of("users", HttpSessionStates)),
        trading_module,
        financial.wire(
            infra, funds_of=funds_of, collateral_of=_collateral_query(infra, remote_trading)
        ),
        gamification.wire(infra, markets=markets),
        social.wire(infra, markets=markets),
        copytrading.wire(
            infra, accounts=copy_accounts, markets=market_rules(list(venue_markets.values()))
        ),
        badges.wire(infra),
        _analytics(infra, here, trading_module, markets),
    )


def _analytics(
    infra: Infrastructure, here: Deployment, trading_module: Module, markets: list[str]
) -> Module:
    """Analytics' candles tick with trading's marks: told of each batch by the engine where
    both run in this process, else following the prices' stream trading shares."""
    settings = infra.settings
    follow = None
    if not here.serves("trading") and settings.redis_url is not None:
        follow = MarkFollower(
            settings.redis_url, prices_stream(settings.redis_prefix), decode_quotes
        )
    module = analytics.wire(infra, markets=markets, follow_marks=follow)
    if here.serves("analytics") and here.serves("trading"):
        candles = module.port(CandleWriter)
        trading_module.port(TradingEngine).quote_listeners.append(candles.marks_seen)
    return module


def _trading_client(settings: Settings) -> Callable[[str, str, float], HttpTrading]:
    """Financial's client of trading: to each of its replicas, by shard."""

    def client(_url: str, service_key: str, timeout: float) -> HttpTrading:
        urls = settings.service_urls_of("trading")
        return HttpTrading(urls, service_key, timeout, settings.trading_shards)

    return client


def _funds_query(trading_module: Module) -> FundsQuery:
    """Financial's question (an account's funds now) in trading's terms: its committed
    state, read beside the engine (never through its writer lock)."""
    queries = trading_module.port(TradingQueries)

    async def funds_of(account_id: str) -> AccountFunds | None:
        found = await queries.account_funds(account_id)
        if found is None:
            return None
        return AccountFunds(found.owner_id, Funds(found.kind, found.collateral, found.available))

    return funds_of


def _collateral_query(infra: Infrastructure, remote: HttpTrading | None) -> CollateralQuery:
    """Every trading account's committed collateral: the trading service's answer, or
    trading's tables in this database."""
    if remote is not None:
        return remote.collateral

    async def collateral_of() -> dict[str, Decimal]:
        return await trading_views.collateral_by_account(infra.read_db)

    return collateral_of
