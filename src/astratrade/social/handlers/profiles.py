"""Profiles and relations: open a profile on sign-up, update it, follow, answer requests,
remove a follower, block and unblock."""

from __future__ import annotations

from datetime import datetime

from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.social.domain.commands import (
    AnswerFollowRequest,
    BlockUser,
    FollowUser,
    RemoveFollower,
    UnblockUser,
    UnfollowUser,
    UpdateProfile,
)
from astratrade.social.domain.profiles import Profile
from astratrade.social.domain.relations import Block, Follow, FollowStatus
from astratrade.social.domain.rules import Visibility
from astratrade.social.handlers.common import Tools, caller, visible_profile
from astratrade.social.ports import SocialUnitOfWork


async def open_profile(user_id: str, username: str, uow: SocialUnitOfWork, at: datetime) -> None:
    """From users' UserRegistered: a public profile with every automatic item allowed."""
    async with uow:
        if await uow.profiles.get(user_id) is None:
            uow.profiles.add(Profile(user_id, username=username, created_at=at))
        await uow.commit()


async def update_profile(cmd: UpdateProfile, tools: Tools) -> Profile:
    """Going public approves the requests waiting: nobody has to ask any more."""
    uow = tools.new_uow()
    async with uow:
        profile = await caller(uow, cmd.user_id)
        was_private = profile.private
        profile.update(
            tools.rules,
            display_name=cmd.display_name,
            bio=cmd.bio,
            visibility=cmd.visibility,
            automatic=cmd.automatic_items,
        )
        if was_private and profile.visibility is Visibility.PUBLIC:
            at = tools.clock.now()
            for request in await uow.follows.requests_to(profile.user_id):
                request.approve(at)
        await uow.commit()
        return profile


async def follow(cmd: FollowUser, tools: Tools) -> Follow:
    uow = tools.new_uow()
    async with uow:
        me = await caller(uow, cmd.user_id)
        target = await visible_profile(uow, me.user_id, cmd.username)
        if target.user_id == me.user_id:
            raise ValidationFailed("username", "you cannot follow yourself")
        relation = await uow.follows.get(me.user_id, target.user_id)
        if relation is None:
            relation = Follow(tools.ids(), follower_id=me.user_id, followee_id=target.user_id)
            uow.follows.add(relation)
        relation.ask(needs_approval=target.private, at=tools.clock.now())
        await uow.commit()
        return relation


async def unfollow(cmd: UnfollowUser, tools: Tools) -> None:
    """Stop following, or withdraw a request; not following already changes nothing."""
    uow = tools.new_uow()
    async with uow:
        target = await uow.profiles.by_username(cmd.username)
        if target is None:
            raise NotFound(f"no profile {cmd.username!r}")
        relation = await uow.follows.get(cmd.user_id, target.user_id)
        if relation is not None:
            relation.end("unfollowed")
        await uow.commit()


async def answer_request(cmd: AnswerFollowRequest, tools: Tools) -> Follow:
    uow = tools.new_uow()
    async with uow:
        me = await caller(uow, cmd.user_id)
        request = await uow.follows.by_id(cmd.follow_id)
        if request is None or request.followee_id != me.user_id:
            raise NotFound(f"no follow request {cmd.follow_id}")
        if request.status is not FollowStatus.REQUESTED:
            raise NotFound(f"no follow request {cmd.follow_id} waiting")
        if cmd.approve:  # a block since the request ended it: it is not waiting any more
            request.approve(tools.clock.now())
        else:
            request.decline()
        await uow.commit()
        return request


async def remove_follower(cmd: RemoveFollower, tools: Tools) -> None:
    uow = tools.new_uow()
    async with uow:
        follower = await uow.profiles.by_username(cmd.username)
        relation = (
            None if follower is None else await uow.follows.get(follower.user_id, cmd.user_id)
        )
        if relation is None or relation.status is FollowStatus.NONE:
            raise NotFound(f"{cmd.username!r} does not follow you")
        relation.end("removed")
        await uow.commit()


async def block(cmd: BlockUser, tools: Tools) -> Block:
    """Block anyone but oneself, whether or not they blocked you first: follows both ways
    end with it."""
    uow = tools.new_uow()
    async with uow:
        target = await uow.profiles.by_username(cmd.username)
        if target is None:
            raise NotFound(f"no profile {cmd.username!r}")
        if target.user_id == cmd.user_id:
            raise ValidationFailed("username", "you cannot block yourself")
        found = await uow.blocks.get(cmd.user_id, target.user_id)
        if found is None:
            found = Block(tools.ids(), blocker_id=cmd.user_id, blocked_id=target.user_id)
            uow.blocks.add(found)
        if found.block(tools.clock.now()):
            for follower, followee in (
                (cmd.user_id, target.user_id),
                (target.user_id, cmd.user_id),
            ):
                relation = await uow.follows.get(follower, followee)
                if relation is not None:
                    relation.end("blocked")
        await uow.commit()
        return found


async def unblock(cmd: UnblockUser, tools: Tools) -> None:
    """Lift one's own block (theirs, if any, stands); follows do not come back."""
    uow = tools.new_uow()
    async with uow:
        target = await uow.profiles.by_username(cmd.username)
        found = None if target is None else await uow.blocks.get(cmd.user_id, target.user_id)
        if found is None or not found.active:
            raise NotFound(f"you have not blocked {cmd.username!r}")
        found.unblock()
        await uow.commit()
