"""End-to-end fixtures: a real `astratrade serve` process per test module, spoken to over HTTP.

Each module gets its own server with a fresh SQLite file, the manual price feed and the
manual clock, so tests of one file (one xdist worker with `--dist loadfile`) share market
prices and time only with each other. Tests that depend on prices reset them first
(`Admin.reset_prices`). A failing test gets the tail of the server's log in its report.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from support.databases import migrated_sqlite
from support.preloaded import Forked, run_cli, start_cli

ROOT = Path(__file__).resolve().parents[2]
ASTRATRADE = Path(sys.executable).with_name("astratrade")
if not ASTRATRADE.exists():  # not run from the project's virtualenv
    ASTRATRADE = ROOT / ".venv" / "bin" / "astratrade"

JWT_SECRET = "e2e-test-secret-that-is-long-enough-for-hs256-0123456789"
PASSWORD = "correct-horse-battery"
API = "/api/v1"
# A server's start (migrations included) is 2-3 s of CPU; with the run's other workers
# starting theirs on the same 2 cores, it has taken over 30 s.
STARTUP_TIMEOUT = 90.0
ACCOUNT_TIMEOUT = 15.0  # a loaded 2-core machine running a distributed platform

# Practice defaults of docs/trading-rules.md, restated here so the tests check the server
# against the specification rather than against its own code.
START_PRICES = {
    "BTC-USD": Decimal(60000),
    "ETH-USD": Decimal(3000),
    "SOL-USD": Decimal(150),
    "STRK-USD": Decimal("0.5"),
}
BTC_TICK = Decimal("0.1")
TAKER_FEE = Decimal("0.00025")
SLIPPAGE_BASE = Decimal("0.0001")
SLIPPAGE_PER_100K = Decimal("0.0001")
SLIPPAGE_CAP = Decimal("0.005")
BTC_FIRST_TIER_MMR = Decimal("0.5") / Decimal(100)
LIQUIDATION_FEE = Decimal("0.01")
FUNDING_CAP = Decimal("0.001")
STARTING_BALANCE = Decimal(10000)


# -- spec formulas ----------------------------------------------------------------------


def money(amount: Decimal) -> Decimal:
    """Money at a ledger boundary: 6 decimals, half-even (docs/trading-rules.md)."""
    return amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)


def taker_price(side: str, size: Decimal, mark: Decimal, tick: Decimal = BTC_TICK) -> Decimal:
    """mark * (1 +/- slippage), slippage = 1 bp + 1 bp per $100k notional (capped at 50 bp),
    rounded to the tick against the trader (docs/trading-rules.md)."""
    notional = size * mark
    slippage = min(SLIPPAGE_BASE + SLIPPAGE_PER_100K * notional / Decimal(100_000), SLIPPAGE_CAP)
    if side == "buy":
        raw, rounding = mark * (1 + slippage), ROUND_UP
    else:
        raw, rounding = mark * (1 - slippage), ROUND_DOWN
    return (raw / tick).to_integral_value(rounding=rounding) * tick


def taker_fee(size: Decimal, price: Decimal) -> Decimal:
    return money(size * price * TAKER_FEE)


def funding_rate(premiums: list[Decimal]) -> Decimal:
    """clamp(mean premium / 8, -0.1%, +0.1%)."""
    mean = sum(premiums, Decimal(0)) / len(premiums)
    return max(-FUNDING_CAP, min(FUNDING_CAP, mean / 8))


def D(value: Any) -> Decimal:
    assert isinstance(value, str), f"decimals travel as JSON strings, got {value!r}"
    return Decimal(value)


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The spec's error format: {"error": {"code", "message"}} with the given status."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str), body
    assert error["code"], body
    assert isinstance(error.get("message"), str), body
    assert error["message"], body
    if field is not None:  # the field is named in the error (its message may say more)
        assert error.get("field") == field, body
    return error


# -- the server -------------------------------------------------------------------------


T = TypeVar("T")
READ_MODEL_LAG = 5.0  # seconds: read models follow the events within moments


def eventually(read: Callable[[], T], until: Callable[[T], bool]) -> T:
    """Read until `until` holds or the read models' lag has passed; the last read either way
    (the caller's assertions then say what was missing)."""
    deadline = time.monotonic() + READ_MODEL_LAG
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] | Forked  # `up` runs as a process, a server forked
    admins: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = 200) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"(no log: {error})"
        return "\n".join(text.splitlines()[-lines:])

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `astratrade` CLI against this server's database (forked from a process
        with the platform imported: see support.preloaded)."""
        return run_cli(args, self.env, self.data_dir, timeout=60)


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRATRADE_")}
    env.update(
        ASTRATRADE_PRICE_FEED="manual",
        ASTRATRADE_CLOCK="manual",
        ASTRATRADE_DATA_DIR=str(data_dir),
        ASTRATRADE_JWT_SECRET=JWT_SECRET,
        ASTRATRADE_LOG_LEVEL="INFO",
        # The run's workers share one PostgreSQL (max_connections 100): a test server
        # never needs the production pool.
        ASTRATRADE_DATABASE_POOL_SIZE="4",
        ASTRATRADE_DATABASE_MAX_OVERFLOW="4",
        # Every test client shares 127.0.0.1: the limits have a module of their own.
        **{
            f"ASTRATRADE_RATE_LIMIT_{action}_PER_IP": ""
            for action in ("LOGIN", "REGISTER", "ORDERS", "FAUCET")
        },
    )
    return env


def _stop(process: subprocess.Popen[bytes] | Forked) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """A fresh `astratrade serve` for this module, stopped (SIGTERM, then SIGKILL) after it."""
    yield from module_server(tmp_path_factory, request)


# A module whose tests must hold on both databases overrides `server` with
# `@pytest.fixture(scope="module", params=DATABASES)` over `module_server(..., request.param)`.
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def module_server(
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    database: str = "sqlite",
) -> Iterator[Server]:
    """A module's server on an SQLite file in its data directory, or on an empty
    PostgreSQL database of the module's own."""
    data_dir = tmp_path_factory.mktemp("astratrade-e2e")
    env = _server_env(data_dir)
    if database == "postgres":
        env["ASTRATRADE_DATABASE_URL"] = request.getfixturevalue("module_postgres_url")
    log_path = data_dir / "server.log"
    srv = None
    for _attempt in range(3):  # a free port may be taken by someone else before we bind it
        srv = _start(env, data_dir, log_path)
        if _wait_ready(srv):
            break
    assert srv is not None
    if srv.process.poll() is not None:
        pytest.fail(f"astratrade serve exited with {srv.process.returncode}:\n{srv.log_tail()}")
    failed_before = request.session.testsfailed
    try:
        yield srv
    finally:
        _stop(srv.process)
        if request.session.testsfailed > failed_before:
            sys.stderr.write(f"\n--- astratrade server log ({log_path}) ---\n{srv.log_tail()}\n")


@contextmanager
def own_server(data_dir: Path, *serve_args: str, **settings: str) -> Iterator[Server]:
    """A server of a test's own (`astratrade serve` with these arguments), with these
    ASTRATRADE_* settings over the usual ones."""
    env = _server_env(data_dir)
    env.update({f"ASTRATRADE_{name.upper()}": value for name, value in settings.items()})
    srv = _start(env, data_dir, data_dir / "server.log", *serve_args)
    assert _wait_ready(srv), srv.log_tail()
    try:
        yield srv
    finally:
        _stop(srv.process)


def _start(env: dict[str, str], data_dir: Path, log_path: Path, *serve_args: str) -> Server:
    database = data_dir / "astratrade.db"
    if "ASTRATRADE_DATABASE_URL" not in env and not database.exists():
        shutil.copyfile(migrated_sqlite(), database)
    port = free_port()
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), *serve_args]
    process = start_cli(serve, env, data_dir, log_path)  # forked: see support.preloaded
    return Server(f"http://127.0.0.1:{port}", env, data_dir, log_path, process)


def _wait_ready(srv: Server) -> bool:
    """True once /readyz answers 200; False if the process exited (e.g. port taken)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if srv.process.poll() is not None:
            return False
        try:
            response = httpx.get(f"{srv.base_url}/readyz", timeout=2)
            if response.status_code == 200:
                return True
            last = f"{response.status_code} {response.text}"
        except httpx.TransportError as error:
            last = repr(error)
        time.sleep(0.1)
    _stop(srv.process)
    pytest.fail(f"astratrade serve not ready after {STARTUP_TIMEOUT}s ({last}):\n{srv.log_tail()}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, "funcargs", {})
    srv = funcargs.get("server")
    if report.failed and isinstance(srv, Server):
        report.sections.append(("astratrade server log (tail)", srv.log_tail(80)))


# -- HTTP clients -----------------------------------------------------------------------


def make_client(srv: Server) -> httpx.Client:
    # No keep-alive: a 500 makes uvicorn drop the connection, which must not break the
    # next request of the test.
    return httpx.Client(
        base_url=srv.base_url + API,
        timeout=15,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    """An unauthenticated client."""
    with make_client(server) as client:
        yield client


class User:
    """A registered, logged-in user with a client carrying its bearer token."""

    def __init__(self, srv: Server, username: str, user_id: str) -> None:
        self.server = srv
        self.username = username
        self.user_id = user_id
        self.client = make_client(srv)
        self.access_token = ""
        self.refresh_token = ""
        self.login()

    def login(self) -> None:
        """Log in again (a new role after promotion, or new tokens after the clock moved)."""
        response = self.client.post(
            "/auth/login", json={"username": self.username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
        assert tokens["token_type"] == "bearer"
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        self.client.headers["Authorization"] = f"Bearer {self.access_token}"

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.put(url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.delete(url, **kwargs)

    def close(self) -> None:
        self.client.close()


class Trader(User):
    """A user with its practice account (opened asynchronously after registration)."""

    def __init__(self, srv: Server, username: str, user_id: str) -> None:
        super().__init__(srv, username, user_id)
        self.account_id = self.wait_for_practice_account()

    def wait_for_practice_account(self) -> str:
        deadline = time.monotonic() + ACCOUNT_TIMEOUT
        while True:
            response = self.get("/accounts")
            assert response.status_code == 200, response.text
            practice = [a for a in response.json() if a["kind"] == "practice"]
            if practice:
                assert len(practice) == 1, practice
                account_id: str = practice[0]["account_id"]
                return account_id
            if time.monotonic() > deadline:
                pytest.fail(f"no practice account for {self.username} after {ACCOUNT_TIMEOUT}s")
            time.sleep(0.05)

    # -- reads --

    def account(self) -> dict[str, Any]:
        response = self.get(f"/accounts/{self.account_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def collateral(self) -> Decimal:
        return D(self.account()["collateral"])

    def positions(self) -> list[dict[str, Any]]:
        response = self.get("/positions", params={"account_id": self.account_id})
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def position(self, market: str = "BTC-USD") -> dict[str, Any] | None:
        found = [p for p in self.positions() if p["market"] == market]
        return found[0] if found else None

    def orders(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/orders", params={"account_id": self.account_id, **params})
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.get(f"/orders/{order_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def snapshot(self) -> dict[str, Any]:
        """Everything a bad request must leave untouched."""
        return {
            "account": self.account(),
            "positions": self.positions(),
            "orders": self.orders(),
        }

    # -- writes --

    def place(self, **fields: Any) -> httpx.Response:
        body = {"account_id": self.account_id, "market": "BTC-USD", **fields}
        return self.post("/orders", json=body)

    def order_ok(self, **fields: Any) -> dict[str, Any]:
        response = self.place(**fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def market(self, side: str, size: str, **fields: Any) -> dict[str, Any]:
        return self.order_ok(side=side, type="market", size=size, **fields)


class Admin(User):
    """An admin: drives the manual price feed and the manual clock."""

    def set_price(
        self, market: str, mark: Decimal | str, index: Decimal | str | None = None
    ) -> dict[str, Any]:
        body: dict[str, str] = {"mark": str(mark)}
        if index is not None:
            body["index"] = str(index)
        response = self.post(f"/admin/markets/{market}/price", json=body)
        assert response.status_code == 200, response.text
        quote: dict[str, Any] = response.json()
        return quote

    def reset_prices(self) -> None:
        for market, price in START_PRICES.items():
            self.set_price(market, price)

    def clock(self, **body: Any) -> str:
        response = self.post("/admin/clock", json=body)
        assert response.status_code == 200, response.text
        now: str = response.json()["now"]
        return now


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:16]}"


def register(client: httpx.Client, username: str) -> str:
    response = client.post(
        "/auth/register",
        json={"email": f"{username}@e2e.example.com", "username": username, "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["username"] == username
    user_id: str = body["user_id"]
    return user_id


def create_trader(srv: Server, prefix: str = "t") -> Trader:
    """Register a new trader, log in, and wait for the practice account."""
    username = unique_name(prefix)
    with make_client(srv) as client:
        user_id = register(client, username)
    return Trader(srv, username, user_id)


@pytest.fixture
def new_trader(server: Server) -> Iterator[Any]:
    """A factory of freshly registered, logged-in traders with their practice accounts."""
    made: list[Trader] = []

    def make(prefix: str = "t") -> Trader:
        trader = create_trader(server, prefix)
        made.append(trader)
        return trader

    yield make
    for trader in made:
        trader.close()


@pytest.fixture
def trader(new_trader: Any) -> Trader:
    trader: Trader = new_trader()
    return trader


@pytest.fixture(scope="module")
def admin_name(server: Server) -> str:
    """An admin of this module's server."""
    return new_admin(server)


def new_admin(server: Server) -> str:
    """A user registered, then promoted to admin through the CLI: their username."""
    username = unique_name("admin")
    with make_client(server) as client:
        register(client, username)
    result = server.cli("users", "promote", username)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "admin" in result.stdout, result.stdout
    return username


@pytest.fixture
def admin(server: Server, admin_name: str) -> Iterator[Admin]:
    """The module's admin, logged in afresh (the role is in the token; the manual clock may
    have moved past an earlier token's expiry)."""
    user = Admin(server, admin_name, "")
    me = user.get("/me").json()
    assert me["role"] == "admin", me
    user.user_id = me["user_id"]
    yield user
    user.close()
