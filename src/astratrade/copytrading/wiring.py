"""Copy trading's module: the leaders' commands of its API, and its read models of other
contexts' events (names, levels, practice accounts, their closed positions and the
statistics kept of them, refreshed as their windows move)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter

from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.repository import SqlCopyTradingUnitOfWork
from astratrade.copytrading.api import leader_equity
from astratrade.copytrading.api import leaders as leaders_api
from astratrade.copytrading.domain import commands as c
from astratrade.copytrading.domain.rules import DEFAULT_RULES
from astratrade.copytrading.handlers import leaders
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.projections import PROJECTIONS
from astratrade.modules import Infrastructure, Module

ROUTERS: tuple[APIRouter, ...] = (leaders_api.router, leader_equity.router)

Handler = Callable[[Any, Tools], Awaitable[Any]]
COMMANDS: dict[type[Any], Handler] = {
    c.OptInAsLeader: leaders.lead,
    c.StopLeading: leaders.stop_leading,
}


def wire(infra: Infrastructure) -> Module:
    engine, publisher, clock, ids = infra.db, infra.publisher, infra.clock, infra.ids

    def new_uow() -> SqlCopyTradingUnitOfWork:
        return SqlCopyTradingUnitOfWork(engine, publisher, clock, ids)

    tools = Tools(new_uow, clock, DEFAULT_RULES)

    async def refresh_statistics() -> None:
        """The statistics whose windows have moved (a close leaving one): each second, as
        the clock moves. Looked for on the read side first, so that a second with nothing
        due takes no turn of the single writer."""
        now = clock.now()
        if await statistics.any_due(infra.read_db, now):
            await infra.writer.run(lambda conn: statistics.refresh_due(conn, now))

    return Module(
        "copytrading",
        routers=ROUTERS,
        commands={kind: _bound(handler, tools) for kind, handler in COMMANDS.items()},
        projections=PROJECTIONS,
        on_time=(refresh_statistics,),
    )


def _bound(handler: Handler, tools: Tools) -> Callable[[Any], Awaitable[Any]]:
    async def handle(command: Any) -> Any:
        return await handler(command, tools)

    handle.__name__ = handler.__name__
    return handle
