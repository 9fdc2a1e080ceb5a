"""Settings from ASTRATRADE_* environment variables; embedded defaults need none."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import socket
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from astratrade.infrastructure.sealing import key_from_text

CONTEXTS = (  # each deployable alone
    "users",
    "trading",
    "financial",
    "gamification",
    "social",
    "copytrading",
    "badges",
    "analytics",
)
REALTIME = "realtime"  # the WebSocket hub as a service of its own: no context, no schema
SERVICES = (*CONTEXTS, REALTIME)


def context_of(consumer: str) -> str:
    """The context a consumer or projection belongs to: its name's first part
    ("trading", "gamification.xp_boards", "financial.ledger")."""
    return consumer.split(".", 1)[0]


def items(listed: str) -> list[str]:
    """The entries of a comma-separated setting, trimmed, empty ones dropped."""
    return [item.strip() for item in listed.split(",") if item.strip()]


class Settings(BaseSettings):
    """Every setting is an ASTRATRADE_* environment variable (the field's name in capitals).
    Each field's docstring is its documentation: docs/configuration.md is generated from
    them (`make docs`) and a test fails when that page is stale."""

    model_config = SettingsConfigDict(
        env_prefix="ASTRATRADE_",
        extra="ignore",
        use_attribute_docstrings=True,
        # Errors name the setting, never repeat its value: some are secrets.
        hide_input_in_errors=True,
    )

    # -- storage and events --
    database_url: str | None = None
    """SQLAlchemy URL (`postgresql://…` or `sqlite://…`); unset: a SQLite file in data_dir."""
    database_pool_size: int = Field(default=10, ge=1, le=100)
    """PostgreSQL connections a process keeps per engine (it has two: commands and reads);
    every process of every service counts against the server's `max_connections`."""
    database_max_overflow: int = Field(default=10, ge=0, le=100)
    """Connections an engine may open beyond the pool under a burst, closed after it."""
    data_dir: Path = Path("var")
    """Where embedded mode keeps its SQLite database."""
    redis_url: str | None = None
    """Set: events travel through Redis Streams (outbox relay, consumer groups); unset: the
    in-process bus."""
    redis_prefix: str = ""
    """Prefix of every Redis key: keeps deployments and test runs on one Redis apart."""
    event_workers: Literal["in-process", "external"] = "in-process"
    """With Redis: `serve` runs the relay and consumers itself, or `worker` processes do."""
    external_consumers: str = ""
    """With in-process workers: consumers (comma-separated, e.g. `financial.ledger`) that
    still run as `astratrade worker consume` processes of their own."""
    consumer_name: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    """This process's name in the consumer groups (default: host and process id)."""
    consumer_max_attempts: int = 3
    """Tries per delivery of an event, with backoff between them; then it is a dead letter."""
    consumer_max_deliveries: int = 5
    """An event taken over this often (its consumers died on it) is a dead letter."""
    consumer_lease_ms: int = 5_000
    """One consumer of a context works at a time; a standby takes over within this lease."""
    relay_replay_window_seconds: int = 86_400
    """If Redis loses its streams (a restart without persistence), the relay sends the
    events of this window again; consumers skip the ones they already applied."""
    relay_poll_ms: int = 10
    """A relay in a worker process of its own looks at the outbox this often when idle (one
    indexed query); in-process, commits wake it."""

    # -- prices and time --
    price_feed: Literal["synthetic", "replay", "manual", "extended"] = "synthetic"
    """Where marks and index prices come from (`manual`: the admin API; `extended`: the
    public price stream of Extended, the live venue, for every account)."""
    extended_stream_url: str = (
        "wss://api.starknet.extended.exchange/stream.extended.exchange/v2/rpc"
    )
    """The `extended` feed's stream: Extended's mainnet stream RPC,
    `wss://api.starknet.extended.exchange/stream.extended.exchange/v2/rpc` (testnet:
    `wss://api.starknet.sepolia.extended.exchange/stream.extended.exchange/v2/rpc`)."""
    extended_api_url: str = "https://api.starknet.extended.exchange/api/v1"
    """Extended's REST API, where the `extended` feed reads every market's prices on each
    connection: mainnet `https://api.starknet.extended.exchange/api/v1` (testnet:
    `https://api.starknet.sepolia.extended.exchange/api/v1`)."""
    extended_markets: dict[str, str] = Field(
        default_factory=lambda: {m: m for m in ("BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD")}
    )
    """Our markets and Extended's name for each, as JSON; default: BTC-USD, ETH-USD,
    SOL-USD and STRK-USD, each under its own name (`{"BTC-USD": "BTC-USD", ...}`)."""
    secrets_key: str | None = Field(default=None, repr=False)
    """Seals the live venue's secrets at rest (each live account's Extended API key and
    Stark private key; AES-256-GCM): 32 bytes in URL-safe base64, e.g. from
    `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`.
    Unset: live accounts cannot connect to Extended. Changing it makes the stored keys
    unreadable: traders connect again."""
    price_stale_seconds: float = Field(default=10.0, gt=0, le=3600)
    """A live feed's market with no price for this long is stale: liquidations pause there
    and `/readyz` answers not ready, naming it."""
    replay_file: Path | None = None
    """CSV of timestamp, market, mark, index for the `replay` feed."""
    replay_speed: Decimal = Decimal(1)
    """How much faster than recorded the `replay` feed plays."""
    feed_interval_seconds: Decimal = Decimal("0.25")
    """Seconds between the synthetic feed's batches."""
    feed_seed: int = 7
    """The synthetic feed's random seed."""
    analytics_candle_flush_seconds: float = Field(default=1.0, gt=0, le=60)
    """How often the candles being formed are written (one batch for every tick between)."""
    analytics_gauges_seconds: float = Field(default=15.0, gt=0, le=3600)
    """How often platform analytics' gauges on /metrics (active traders, active copies,
    open interest, MRR) are read again from the read models."""
    reconciliation_check_seconds: float = Field(default=300.0, gt=0, le=86_400)
    """How often the financial service proves the ledger against trading for /metrics
    (`astratrade_reconciliation_discrepancies`; the check only reads)."""
    clock: Literal["system", "manual"] = "system"
    """`manual`: time moves only through the admin API (tests, demos)."""

    # -- sessions and passwords --
    jwt_secret: str | None = None
    """Signs tokens; required outside embedded mode (embedded: a random one per start)."""
    jwt_issuer: str = "astratrade"
    """The tokens' issuer claim."""
    access_token_minutes: int = 15
    """Lifetime of an access token (and of a WebSocket signed in with it)."""
    refresh_token_days: int = 30
    """Lifetime of a refresh token."""
    password_hash_time_cost: int = 2
    """argon2id passes (OWASP's floor: 19 MiB, 2 passes, 1 lane; ~50 ms a hash here)."""
    password_hash_memory_kib: int = 19_456
    """argon2id memory in KiB."""
    password_hash_parallelism: int = 1
    """argon2id lanes."""

    # -- money --
    default_unlocked_leverage: Decimal = Decimal(10)
    """Max leverage until the gamification context reports a trader's unlock."""
    practice_starting_balance: Decimal = Decimal(10_000)
    """USD a practice account opens with."""
    insurance_fund_seed: Decimal = Decimal(1_000_000)
    """What the house seeds the insurance fund with (each shard's)."""

    # -- request limits ("N/second|minute|hour"; "" turns one off) --
    rate_limit_login_per_ip: str = "30/minute"
    """Logins per client IP (login names also have their own lockout)."""
    rate_limit_register_per_ip: str = "10/minute"
    """Sign-ups per client IP."""
    rate_limit_orders_per_user: str = "100/second"
    """Orders per signed-in user."""
    rate_limit_orders_per_ip: str = "1000/second"
    """Orders per client IP."""
    rate_limit_faucet_per_user: str = "10/minute"
    """Faucet requests per signed-in user."""
    rate_limit_faucet_per_ip: str = "60/minute"
    """Faucet requests per client IP."""
    rate_limit_posts_per_user: str = "10/10 minutes"
    """Posts per signed-in user (social)."""
    rate_limit_interactions_per_user: str = "60/10 minutes"
    """Comments and reactions together per signed-in user (social)."""
    rate_limit_requests_per_ip: str = "2000/second"
    """Every API request per client IP, at the gateway."""
    cors_origins: str = ""
    """Browsers' origins allowed to call the API (comma-separated; empty: same origin only)."""
    ws_max_connections_per_user: int = 5
    """Open WebSockets one user may hold (more: 4029)."""
    max_request_bytes: int = 65_536
    """Larger request bodies answer 413."""
    max_header_bytes: int = 16_384
    """Larger request heads (request line and headers) answer 431."""

    # -- Starknet wallet sign-in --
    starknet_chain_id: str = "SN_MAIN"
    """The chain the sign-in typed data names."""
    wallet_account_class_hashes: str = (
        "0x061dac032f228abef9c6626f995015233097ae253a7f72d68552db02f2971b8f,"
        "0x04d07e40e93398ed3c76981e72dd1fd22557a78ce36c0515f679e27f0bb5bc5f,"
        "0x0540d7f5ec7ecf317e68d48564934cb99259781b1ee3cedbbc37ec5337f8e688"
    )
    """Account classes whose address proves the public key offline (OpenZeppelin-style:
    salt and constructor are the key), comma-separated."""
    starknet_rpc_url: str | None = None
    """A node for other accounts' on-chain `is_valid_signature`."""

    # -- badges --
    public_url: str = "http://127.0.0.1:8000"
    """Where people reach the platform: badges' metadata, images and credentials name their
    URLs under it (set it to the public https address in production)."""
    badge_signing_key: str | None = None
    """The Ed25519 key that signs badges' credentials: its 32-byte private seed in base64url
    (`python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`).
    Unset in embedded mode: one is created once and kept in data_dir/badge_signing_key;
    unset outside it: credentials answer 503 (each replica would otherwise sign with its own
    key). Its public half is published at /.well-known/jwks.json."""

    badge_chain: Literal["none", "starknet"] = "none"
    """Where badges are minted: `none` (badges stay off-chain and say so; the credential is
    the proof) or `starknet` (the five `badge_starknet_*` settings below, all required)."""
    badge_mint_every_seconds: float = Field(default=5.0, gt=0, le=3600)
    """With a chain configured, the wait between minting rounds (each queues the mints of
    new badges and of wallets linked since, then moves every due mint one step)."""
    badge_starknet_rpc_url: str | None = None
    """The Starknet JSON-RPC node badges are minted through."""
    badge_starknet_chain_id: str = "SN_SEPOLIA"
    """The network's chain id, as text (`SN_MAIN`, `SN_SEPOLIA`) or hex."""
    badge_starknet_account: str | None = None
    """The platform's account contract address (hex) that sends `mint`."""
    badge_starknet_private_key: str | None = None
    """That account's Stark private key (hex). A secret: never logged."""
    badge_starknet_contract: str | None = None
    """The soulbound ERC-721 badge contract's address (hex)."""
    badge_starknet_check_seconds: float = Field(default=2.0, gt=0, le=60)
    """How often a sent mint's transaction status is asked of the node while waiting for
    its acceptance (90 checks at most)."""

    # -- the process --
    web_dir: Path | None = None
    """The built web client (`make web`); unset: the checkout's web/dist."""
    log_level: str = "INFO"
    """Python logging level."""
    log_format: Literal["text", "json"] = "text"
    """`json`: one JSON object a line, with the request id and the process name."""
    embedded: bool = True
    """All contexts in one process (`serve` without --service or --gateway)."""

    # -- distributed mode --
    service: str | None = None
    """The one context this process serves (`serve --service`), or `realtime`: the
    WebSocket hub alone, fed by the event and price streams."""
    service_urls: str = (
        "users=http://users:8000,trading=http://trading:8000,"
        "financial=http://financial:8000,gamification=http://gamification:8000,"
        "social=http://social:8000,copytrading=http://copytrading:8000,"
        "badges=http://badges:8000,analytics=http://analytics:8000"
    )
    """Where the gateway and the services find each service (Kubernetes names by default).
    Trading's entry may name its replicas separated by `|`
    (`trading=http://10.0.0.5:8000|http://10.0.0.6:8000`): their shard map is asked of the
    first that answers, and each trader's requests go to the replica writing their shard.
    A `realtime=` entry (its replicas `|`-separated, or one Service URL in front of them)
    moves the WebSocket hub out of trading: the gateway relays each socket to a realtime
    replica, and trading's replicas no longer serve sockets."""
    gateway_timeout_seconds: float = 10.0
    """A call to a service gives up after this."""
    gateway_failures: int = 5
    """After this many failures in a row a service is given the cooldown (503 meanwhile)."""
    gateway_cooldown_seconds: float = 5.0
    """Seconds before a failing service is tried again."""
    otel_endpoint: str | None = None
    """OpenTelemetry: traces go to this OTLP/HTTP endpoint when set."""
    trading_shards: int = Field(default=1, ge=1, le=256)
    """Trading accounts are split into this many shards (1 to 256) by account id, each with
    a house and an insurance fund of its own; each trading replica writes only the
    accounts of the shards it leases; a trader's accounts are all in their user id's shard
    (gamification reads this to derive tournament account ids). Every process must use the
    same number, and it is fixed once the database has accounts: another number moves
    accounts between shards, away from their owners' (there is no re-shard)."""
    trading_shard_lease_seconds: float = Field(default=6.0, ge=1.0, le=60.0)
    """A trading replica's lease on a shard lasts this long unless renewed (every third of
    it; 1 to 60 s): a dead replica's shards are taken over within about 4/3 of it."""
    trading_advertise_url: str | None = None
    """The URL the gateway and the other services reach this trading replica at (e.g.
    `http://10.0.0.5:8000`), published with its leases so requests for its shards come
    here. Unset: `serve --service trading` on a named host says `http://HOST:PORT`; bound to
    every interface (0.0.0.0) it cannot tell, and the replica is not routable (logged)."""

    @model_validator(mode="after")
    def _require_secret_outside_embedded(self) -> Settings:
        if self.jwt_secret is None:
            if not self.embedded:
                raise ValueError("ASTRATRADE_JWT_SECRET is required outside embedded mode")
            # A fresh secret per start: tokens from an earlier run stop working, by design.
            self.jwt_secret = secrets.token_urlsafe(48)
        if self.service is not None and self.service not in SERVICES:
            raise ValueError(f"ASTRATRADE_SERVICE must be one of {', '.join(SERVICES)}")
        if self.service is not None and self.redis_url is None:
            raise ValueError("a service needs ASTRATRADE_REDIS_URL: services share events there")
        if self.secrets_key is not None:
            key_from_text(self.secrets_key)  # a bad key fails at start, not at a connection
        if self.price_feed == "replay" and self.replay_file is None:
            raise ValueError("ASTRATRADE_REPLAY_FILE is required with ASTRATRADE_PRICE_FEED=replay")
        return self

    def services_with_urls(self) -> tuple[str, ...]:
        """The contexts the service URLs name (a deployment may not run every context yet:
        the gateway answers 503 for the paths of one it has no URL for)."""
        named = {item.split("=", 1)[0].strip() for item in items(self.service_urls)}
        return tuple(c for c in CONTEXTS if c in named)

    def realtime_urls(self) -> list[str]:
        """The realtime service's replicas (none: trading's replicas serve the sockets)."""
        named = {item.split("=", 1)[0].strip() for item in items(self.service_urls)}
        return self.service_urls_of(REALTIME) if REALTIME in named else []

    def service_url(self, context: str) -> str:
        """The service's URL (the first, when its entry names several)."""
        return self.service_urls_of(context)[0]

    def service_urls_of(self, context: str) -> list[str]:
        """Every URL the service's entry names (`|`-separated: trading's replicas)."""
        urls = dict(item.split("=", 1) for item in items(self.service_urls))
        return [url.strip().rstrip("/") for url in urls[context].split("|") if url.strip()]

    def service_call(self, context: str) -> tuple[str, str, float]:
        """How this process calls `context`'s service: its URL, the key, the timeout."""
        return self.service_url(context), self.service_key, self.gateway_timeout_seconds

    @property
    def service_key(self) -> str:
        """What one service shows another on internal routes (derived from the secret
        every service holds, so there is nothing more to distribute)."""
        digest = hmac.new(self.signing_secret.encode(), b"astratrade-internal", hashlib.sha256)
        return digest.hexdigest()

    @property
    def signing_secret(self) -> str:
        if not self.jwt_secret:
            raise ValueError("ASTRATRADE_JWT_SECRET is not set")
        return self.jwt_secret

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'astratrade.db').resolve()}"
