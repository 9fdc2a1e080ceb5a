"""`astratrade up --distributed --trading-replicas N`: what it starts, before starting it."""

from __future__ import annotations

import asyncio
import socket
from typing import ClassVar

import pytest

from astratrade.config import Settings
from astratrade.entrypoints.supervisor import SupervisorError, free_ports, plan, run_distributed

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/none"


def test_each_trading_replica_advertises_its_own_url_and_the_gateway_knows_them_all() -> None:
    children, shared = plan(8000, trading_replicas=3)
    names = [child.name for child in children]
    assert names == [
        "relay",
        "users",
        "trading-1",
        "trading-2",
        "trading-3",
        "financial",
        "gamification",
        "social",
        "copytrading",
        "badges",
        "analytics",
        "gateway",
    ]
    urls = dict(entry.split("=", 1) for entry in shared["ASTRATRADE_SERVICE_URLS"].split(","))
    replicas = [c for c in children if c.name.startswith("trading")]
    advertised = [c.env["ASTRATRADE_TRADING_ADVERTISE_URL"] for c in replicas]
    assert urls["trading"].split("|") == advertised
    assert len(set(advertised)) == 3
    for child, url in zip(replicas, advertised, strict=True):
        assert child.args[-1] == url.rsplit(":", 1)[1]  # it listens where it advertises
    assert all(not c.env for c in children if c not in replicas)


def test_one_replica_keeps_the_names_it_always_had() -> None:
    children, shared = plan(8000)
    assert [c.name for c in children].count("trading") == 1
    assert "|" not in shared["ASTRATRADE_SERVICE_URLS"]


def test_more_replicas_than_shards_is_refused_before_anything_starts() -> None:
    settings = Settings(database_url=POSTGRES, redis_url="redis://127.0.0.1:1", trading_shards=2)
    with pytest.raises(SupervisorError, match="ASTRATRADE_TRADING_SHARDS"):
        asyncio.run(run_distributed(settings, 8000, 1, trading_replicas=3))


def test_realtime_replicas_each_serve_on_a_url_of_their_own_that_the_gateway_knows() -> None:
    children, shared = plan(8000, realtime_replicas=2)
    hubs = [c for c in children if c.name.startswith("realtime")]
    assert [c.name for c in hubs] == ["realtime-1", "realtime-2"]
    assert [c.name for c in children][-1] == "gateway"  # after the hubs it relays to
    settings = Settings(service_urls=shared["ASTRATRADE_SERVICE_URLS"])
    urls = settings.realtime_urls()
    assert len(set(urls)) == 2
    for child, url in zip(hubs, urls, strict=True):
        assert child.args[:3] == ["serve", "--service", "realtime"]
        assert child.args[-1] == url.rsplit(":", 1)[1]
    assert Settings(service_urls=plan(8000)[1]["ASTRATRADE_SERVICE_URLS"]).realtime_urls() == []


def test_every_process_gets_a_port_of_its_own_never_the_gateways() -> None:
    for _ in range(20):
        gateway = free_ports(1, taken=0)[0]  # as the e2e clusters take it: free a moment ago
        children, _shared = plan(gateway, trading_replicas=2, realtime_replicas=2)
        ports = [
            c.args[c.args.index("--port" if "--port" in c.args else "--health-port") + 1]
            for c in children
        ]
        assert len(set(ports)) == len(ports), ports
        assert ports.count(str(gateway)) == 1  # the gateway's own


class Probe:
    """A socket whose bind is given the next port of a script."""

    script: ClassVar[list[int]] = []
    closed = 0

    def bind(self, _address: object) -> None:
        self.port = Probe.script.pop(0)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def close(self) -> None:
        Probe.closed += 1


def test_the_gateways_port_is_passed_over_and_every_probe_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "socket", Probe)
    Probe.script, Probe.closed = [8000, 9001, 9002], 0
    assert free_ports(2, taken=8000) == [9001, 9002]
    assert Probe.closed == 3
