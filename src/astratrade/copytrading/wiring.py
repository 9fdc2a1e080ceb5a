"""Copy trading's module: the leaders' commands of its API, and its read models of other
contexts' events (names, levels, practice accounts and their closed positions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter

from astratrade.copytrading.adapters.repository import SqlCopyTradingUnitOfWork
from astratrade.copytrading.api import leaders as leaders_api
from astratrade.copytrading.domain import commands as c
from astratrade.copytrading.domain.rules import DEFAULT_RULES
from astratrade.copytrading.handlers import leaders
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.projections import PROJECTIONS
from astratrade.modules import Infrastructure, Module

ROUTERS: tuple[APIRouter, ...] = (leaders_api.router,)

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
    return Module(
        "copytrading",
        routers=ROUTERS,
        commands={kind: _bound(handler, tools) for kind, handler in COMMANDS.items()},
        projections=PROJECTIONS,
    )


def _bound(handler: Handler, tools: Tools) -> Callable[[Any], Awaitable[Any]]:
    async def handle(command: Any) -> Any:
        return await handler(command, tools)

    handle.__name__ = handler.__name__
    return handle
