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

CONTEXTS = ("users", "trading", "financial", "gamification")  # each deployable alone


def context_of(consumer: str) -> str:
    """The context a consumer or projection belongs to: its name's first part
    ("trading", "gamification.xp_boards", "financial.ledger")."""
    return consumer.split(".", 1)[0]


def items(listed: str) -> list[str]:
    """The entries of a comma-separated setting, trimmed, empty ones dropped."""
    return [item.strip() for item in listed.split(",") if item.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASTRATRADE_", extra="ignore")

    database_url: str | None = None
    data_dir: Path = Path("var")
    # Set: events travel through Redis Streams (outbox relay, consumer groups); unset: the
    # in-process bus. The prefix keeps deployments and test runs on one Redis apart.
    redis_url: str | None = None
    redis_prefix: str = ""
    # With Redis: does `serve` run the relay and consumers itself, or do `worker` processes?
    event_workers: Literal["in-process", "external"] = "in-process"
    # With in-process workers: contexts (comma-separated) whose consumers still run as
    # `astratrade worker consume` processes of their own, e.g. "financial.ledger".
    external_consumers: str = ""
    consumer_name: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    consumer_max_attempts: int = 3
    consumer_max_deliveries: int = 5
    # One consumer of a context works at a time; a standby takes over within this lease.
    consumer_lease_ms: int = 5_000
    # If Redis loses its streams (a restart without persistence), the relay sends the
    # events of this window again; consumers skip the ones they already applied.
    relay_replay_window_seconds: int = 86_400
    # A relay in a worker process of its own cannot be woken by commits: it looks at the
    # outbox this often when idle (one indexed query). In-process, commits wake it.
    relay_poll_ms: int = 10

    price_feed: Literal["synthetic", "replay", "manual"] = "synthetic"
    replay_file: Path | None = None
    replay_speed: Decimal = Decimal(1)
    feed_interval_seconds: Decimal = Decimal("0.25")
    feed_seed: int = 7
    clock: Literal["system", "manual"] = "system"

    jwt_secret: str | None = None
    jwt_issuer: str = "astratrade"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane): ~50 ms a hash here.
    password_hash_time_cost: int = 2
    password_hash_memory_kib: int = 19_456
    password_hash_parallelism: int = 1

    # 10x until the gamification context feeds each trader's unlocked leverage.
    default_unlocked_leverage: Decimal = Decimal(10)
    practice_starting_balance: Decimal = Decimal(10_000)
    insurance_fund_seed: Decimal = Decimal(1_000_000)

    # "N/second|minute|hour" per client IP and per signed-in user ("" turns one off). Login
    # names have their own lockout (users.domain.rules) besides these.
    rate_limit_login_per_ip: str = "30/minute"
    rate_limit_register_per_ip: str = "10/minute"
    rate_limit_orders_per_user: str = "100/second"
    rate_limit_orders_per_ip: str = "1000/second"
    rate_limit_faucet_per_user: str = "10/minute"
    rate_limit_faucet_per_ip: str = "60/minute"
    rate_limit_requests_per_ip: str = "2000/second"  # every API request, at the gateway

    # Browsers' origins allowed to call the API (comma-separated; empty: none, same origin).
    cors_origins: str = ""
    ws_max_connections_per_user: int = 5
    max_request_bytes: int = 65_536  # larger request bodies answer 413
    max_header_bytes: int = 16_384  # larger request heads (line and headers) answer 431

    # Starknet wallet sign-in: the chain the typed data names, the account classes whose
    # address proves the public key offline (OpenZeppelin-style: salt and constructor are the
    # key), and a node for other accounts' on-chain is_valid_signature.
    starknet_chain_id: str = "SN_MAIN"
    wallet_account_class_hashes: str = (
        "0x061dac032f228abef9c6626f995015233097ae253a7f72d68552db02f2971b8f,"
        "0x04d07e40e93398ed3c76981e72dd1fd22557a78ce36c0515f679e27f0bb5bc5f,"
        "0x0540d7f5ec7ecf317e68d48564934cb99259781b1ee3cedbbc37ec5337f8e688"
    )
    starknet_rpc_url: str | None = None

    # The built web client (`make web`); unset: the checkout's web/dist.
    web_dir: Path | None = None

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    embedded: bool = Field(default=True, description="all contexts in one process")

    # Distributed mode. A service serves one context (`serve --service`); the relay runs
    # as `astratrade worker relay`. The gateway routes to the services at these URLs
    # (Kubernetes service names by default), each call within the timeout; after
    # `gateway_failures` failures in a row a service is given `gateway_cooldown_seconds`
    # before it is tried again (503 meanwhile).
    service: str | None = None
    service_urls: str = (
        "users=http://users:8000,trading=http://trading:8000,"
        "financial=http://financial:8000,gamification=http://gamification:8000"
    )
    gateway_timeout_seconds: float = 10.0
    gateway_failures: int = 5
    gateway_cooldown_seconds: float = 5.0
    # OpenTelemetry: traces go to this OTLP/HTTP endpoint when set.
    otel_endpoint: str | None = None

    @model_validator(mode="after")
    def _require_secret_outside_embedded(self) -> Settings:
        if self.jwt_secret is None:
            if not self.embedded:
                raise ValueError("ASTRATRADE_JWT_SECRET is required outside embedded mode")
            # A fresh secret per start: tokens from an earlier run stop working, by design.
            self.jwt_secret = secrets.token_urlsafe(48)
        if self.service is not None and self.service not in CONTEXTS:
            raise ValueError(f"ASTRATRADE_SERVICE must be one of {', '.join(CONTEXTS)}")
        if self.service is not None and self.redis_url is None:
            raise ValueError("a service needs ASTRATRADE_REDIS_URL: services share events there")
        if self.price_feed == "replay" and self.replay_file is None:
            raise ValueError("ASTRATRADE_REPLAY_FILE is required with ASTRATRADE_PRICE_FEED=replay")
        return self

    @property
    def contexts(self) -> tuple[str, ...]:
        """What this process serves: one context as a service, else every one."""
        return CONTEXTS if self.service is None else (self.service,)

    def service_url(self, context: str) -> str:
        urls = dict(item.split("=", 1) for item in items(self.service_urls))
        return urls[context].rstrip("/")

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
