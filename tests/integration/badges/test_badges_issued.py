"""Badges on a whole platform (SQLite and PostgreSQL), from real trades: a first close
issues one FIRST_TRADE badge with its derived token id and the level held then; the read
models rebuild from the audit log to the same rows; an admin's revocation is an audit
event, survives a rebuild, and cannot happen twice; a private profile's badges are its
owner's to see, and a block hides them from the other side."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from trading_platform import new_trader, round_trip

from astratrade.badges import views
from astratrade.badges.adapters.tables import badges, blocks, holders, levels
from astratrade.badges.domain.commands import RevokeBadge
from astratrade.badges.domain.revocation import aggregate_id_of
from astratrade.badges.domain.tokens import holder_key_of, token_id_of
from astratrade.badges.projections import PROJECTIONS
from astratrade.infrastructure import event_store
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.shared.errors import Conflict, NotFound, ValidationFailed
from astratrade.social.domain.commands import BlockUser, UnblockUser, UpdateProfile
from astratrade.social.domain.profiles import Visibility


async def rows(platform: Platform) -> list[list[Any]]:
    async with platform.read_db.connect() as conn:
        return [
            [tuple(r) for r in await conn.execute(select(t).order_by(*t.primary_key))]
            for t in (badges, levels, holders, blocks)
        ]


async def test_a_first_close_issues_one_badge_that_rebuilds_the_same(platform: Platform) -> None:
    ann, account = await new_trader(platform, "ann")
    await round_trip(platform, ann, account, "3030")
    await round_trip(platform, ann, account, "2970")  # a second close: no second badge

    held = await views.badges_of_user(platform.read_db, ann)
    assert [(b.achievement, b.level) for b in held] == [("FIRST_TRADE", 1)]
    first = held[0]
    assert first.token_id == token_id_of(ann, "FIRST_TRADE")
    assert first.holder == holder_key_of(ann)
    assert first.earned_at == platform.clock.now()
    assert await views.badge_by_token(platform.read_db, first.token_id) == first

    before = await rows(platform)
    for projection in PROJECTIONS:
        await rebuild(platform.read_db, platform.writer, projection, platform.clock.now())
    assert await rows(platform) == before


async def test_an_admins_revocation_is_audited_once_and_survives_a_rebuild(
    platform: Platform,
) -> None:
    bea, account = await new_trader(platform, "bea")
    await round_trip(platform, bea, account, "3030")
    token = token_id_of(bea, "FIRST_TRADE")

    with pytest.raises(ValidationFailed) as refused:
        await platform.bus.execute(RevokeBadge(token_id=token, reason="  ", admin_id="root"))
    assert refused.value.field == "reason"
    with pytest.raises(NotFound):
        await platform.bus.execute(RevokeBadge(token_id=token + 1, reason="x", admin_id="root"))

    revoked = await platform.bus.execute(
        RevokeBadge(token_id=token, reason="wash trading", admin_id="root")
    )
    assert revoked.revoked
    assert revoked.revoked_reason == "wash trading"
    await platform.backbone.drain()
    with pytest.raises(Conflict):
        await platform.bus.execute(RevokeBadge(token_id=token, reason="again", admin_id="root"))

    async with platform.read_db.connect() as conn:
        logged = await event_store.history(conn, aggregate_id_of(token))
    assert [(e.type, e.payload["reason"]) for e in logged] == [("BadgeRevoked", "wash trading")]
    stored = await views.badge_by_token(platform.read_db, token)
    assert stored.revoked_reason == "wash trading"

    for projection in PROJECTIONS:
        await rebuild(platform.read_db, platform.writer, projection, platform.clock.now())
    assert await views.badge_by_token(platform.read_db, token) == stored


async def test_a_private_profiles_badges_are_seen_by_its_owner_only(platform: Platform) -> None:
    cy, account = await new_trader(platform, "cyd")
    dee, _ = await new_trader(platform, "dee")
    await round_trip(platform, cy, account, "3030")
    assert len(await views.visible_badges(platform.read_db, "CYD", dee)) == 1
    assert len(await views.visible_badges(platform.read_db, "cyd", None)) == 1

    await platform.bus.execute(UpdateProfile(user_id=cy, visibility=Visibility.PRIVATE))
    await platform.backbone.drain()
    for viewer in (dee, None):
        with pytest.raises(NotFound):
            await views.visible_badges(platform.read_db, "cyd", viewer)
    assert len(await views.visible_badges(platform.read_db, "cyd", cy)) == 1
    for nobody in ("nobody", "x\x00y", "x" * 65):  # no such name; not even a name's shape
        with pytest.raises(NotFound):
            await views.visible_badges(platform.read_db, nobody, cy)


async def test_a_block_hides_each_ones_badges_from_the_other(platform: Platform) -> None:
    eve, account = await new_trader(platform, "eve")
    fay, _ = await new_trader(platform, "fay")
    await round_trip(platform, eve, account, "3030")
    await platform.bus.execute(BlockUser(user_id=fay, username="eve"))
    await platform.backbone.drain()
    with pytest.raises(NotFound):
        await views.visible_badges(platform.read_db, "eve", fay)
    assert len(await views.visible_badges(platform.read_db, "eve", None)) == 1
    assert len(await views.visible_badges(platform.read_db, "eve", eve)) == 1

    await platform.bus.execute(UnblockUser(user_id=fay, username="eve"))
    await platform.backbone.drain()
    assert len(await views.visible_badges(platform.read_db, "eve", fay)) == 1
