"""What every social use case is given, and the checks they share: the caller's own
profile, and a viewer's standing towards an author."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from astratrade.shared.clock import Clock
from astratrade.shared.errors import Forbidden, NotFound
from astratrade.shared.ids import IdFactory
from astratrade.social.domain.profiles import Profile
from astratrade.social.domain.rules import SocialRules
from astratrade.social.domain.visibility import Standing
from astratrade.social.ports import SocialUnitOfWork


@dataclass(frozen=True, slots=True)
class Tools:
    new_uow: Callable[[], SocialUnitOfWork]
    clock: Clock
    ids: IdFactory
    rules: SocialRules
    markets: tuple[str, ...]  # the markets trading lists: what `$BTC` may tag


async def caller(uow: SocialUnitOfWork, user_id: str) -> Profile:
    """The caller's own profile, which they may act with (not while suspended)."""
    profile = await uow.profiles.get(user_id)
    if profile is None:
        # The profile opens from users' sign-up event, a moment after the sign-up.
        raise NotFound("your profile is not ready yet; try again in a moment")
    if profile.suspended:
        raise Forbidden("your social profile is suspended by the moderators")
    return profile


async def standing(uow: SocialUnitOfWork, viewer_id: str, author: Profile) -> Standing:
    blocked = viewer_id != author.user_id and await uow.blocks.between(viewer_id, author.user_id)
    follow = await uow.follows.get(viewer_id, author.user_id)
    return Standing(
        viewer_id=viewer_id,
        author_id=author.user_id,
        blocked=blocked,
        follows=follow is not None and follow.active,
        private=author.private,
        suspended=author.suspended,
    )


async def visible_profile(uow: SocialUnitOfWork, viewer_id: str, username: str) -> Profile:
    """Another user's profile the viewer may see; not found otherwise (a block reads as
    no such user, both ways)."""
    profile = await uow.profiles.by_username(username)
    if profile is None or not (await standing(uow, viewer_id, profile)).sees_profile():
        raise NotFound(f"no profile {username!r}")
    return profile
