"""Badges' module: its read models (badges from gamification's unlocks, traders' names and
profile visibility), its public routes and the admin's revocation, the key its
credentials are signed with, and the chain its tokens are minted on (none by default)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter

from astratrade.badges import handlers
from astratrade.badges.adapters.chain import chain_from
from astratrade.badges.adapters.minting import mint_round
from astratrade.badges.adapters.repository import SqlBadgesUnitOfWork
from astratrade.badges.adapters.signing import signer_from
from astratrade.badges.api import admin as admin_api
from astratrade.badges.api import keys as keys_api
from astratrade.badges.api import people as people_api
from astratrade.badges.api import public as public_api
from astratrade.badges.domain.commands import RevokeBadge
from astratrade.badges.domain.links import Links
from astratrade.badges.ports import Chain
from astratrade.badges.projections import PROJECTIONS
from astratrade.modules import Infrastructure, Module

logger = logging.getLogger(__name__)

# /badges/me before /badges/{token_id}: FastAPI tries routes in order.
ROUTERS: tuple[APIRouter, ...] = (
    people_api.router,
    public_api.router,
    admin_api.router,
    keys_api.router,
)


def wire(infra: Infrastructure, *, chain: Chain | None = None) -> Module:
    """`chain`: the chain port (tests' fakes); by default the one settings name."""
    settings = infra.settings
    chain = chain or chain_from(settings.badge_chain, settings)
    engine, publisher, clock, ids = infra.db, infra.publisher, infra.clock, infra.ids

    def new_uow() -> SqlBadgesUnitOfWork:
        return SqlBadgesUnitOfWork(engine, publisher, clock, ids)

    tools = handlers.Tools(new_uow, clock)

    async def revoke(command: Any) -> Any:
        return await handlers.revoke(command, tools)

    signer = signer_from(
        settings.badge_signing_key, embedded=settings.embedded, data_dir=settings.data_dir
    )
    commands: dict[type[Any], Callable[[Any], Awaitable[Any]]] = {RevokeBadge: revoke}

    async def minting() -> None:
        # A loop of its own, not a timed job: a mint waits for the network's acceptance,
        # which must never hold up funding, stops or tournaments.
        while True:
            try:
                await mint_round(infra.writer, chain, clock)
            except Exception:
                logger.exception("a minting round failed")
            await asyncio.sleep(settings.badge_mint_every_seconds)

    return Module(
        "badges",
        routers=ROUTERS,
        commands=commands,
        projections=PROJECTIONS,
        # Without a chain nothing is queued: badges stay off-chain and say so.
        background=(minting,) if chain.configured else (),
        provides={
            "badge_signer": signer,
            "badge_links": Links.under(settings.public_url),
            "badge_chain": chain,
        },
    )
