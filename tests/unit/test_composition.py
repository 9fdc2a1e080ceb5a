"""The composition root: one module per context, the gateway's table of routes agrees with
the modules, and each deployment runs its own contexts."""

from __future__ import annotations

import re

import pytest

from astratrade.bootstrap import bootstrap
from astratrade.config import CONTEXTS, Settings
from astratrade.deployment import Deployment
from astratrade.entrypoints.services import HOSTED, ROUTERS


@pytest.fixture
async def platform(tmp_path):
    running = bootstrap(Settings(data_dir=tmp_path, price_feed="manual"))
    yield running
    await running.stop()


async def test_every_context_has_one_module_in_the_order_of_the_contexts(platform) -> None:
    assert tuple(module.name for module in platform.modules) == CONTEXTS
    assert platform.running == platform.modules  # embedded: every one runs here


async def test_gateway_routes_each_path_to_the_module_that_serves_it(platform) -> None:
    for module in platform.modules:
        assert ROUTERS[module.name] == (*module.routers, *HOSTED.get(module.name, ()))


def test_no_two_contexts_answer_the_same_method_and_path() -> None:
    """So the order in which the app includes the contexts' routers (trading's first, for
    speed) decides nothing: a path with its parameters filled in matches one context's
    routes only."""
    routes = [
        (context, route)
        for context, routers in ROUTERS.items()
        for r in routers
        for route in r.routes
    ]
    for context, route in routes:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        for other, rival in routes:
            if other != context and rival.path_regex.match(path):
                methods = getattr(route, "methods", None) or set()  # a socket's: none
                assert not methods & (getattr(rival, "methods", None) or set()), (path, other)


def test_the_realtime_service_serves_the_sockets_and_no_context() -> None:
    redis = "redis://127.0.0.1:6379/0"
    with_hubs = "trading=http://t:8000,realtime=http://r1:8000|http://r2:8000"
    here = Deployment(Settings(service="realtime", redis_url=redis, service_urls=with_hubs))
    assert here.contexts == ()
    assert here.serves_sockets
    assert here.consumers_here(["trading", "gamification.xp_boards"]) == []
    trading = Deployment(Settings(service="trading", redis_url=redis, service_urls=with_hubs))
    assert not trading.serves_sockets  # the realtime replicas serve them
    assert trading.settings.realtime_urls() == ["http://r1:8000", "http://r2:8000"]


@pytest.mark.parametrize("service", CONTEXTS)
def test_a_service_serves_its_context_and_asks_the_others(service: str) -> None:
    here = Deployment(Settings(service=service, redis_url="redis://127.0.0.1:6379/0"))
    assert [c for c in CONTEXTS if here.serves(c)] == [service]
    assert not here.migrates_on_start
    assert not here.runs_relay
    assert here.serves_sockets == (service == "trading")
    assert here.consumers_here(["trading", "gamification.xp_boards", "financial.ledger"]) == [
        c
        for c in ("trading", "gamification.xp_boards", "financial.ledger")
        if c.split(".")[0] == service
    ]
