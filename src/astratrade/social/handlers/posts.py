"""Posts, comments and reactions: write, edit within the window, delete, comment, react.
Another user's post, or one the caller may not see, is not found."""

from __future__ import annotations

from astratrade.shared.errors import NotFound
from astratrade.social.domain.commands import (
    AddComment,
    DeleteComment,
    DeletePost,
    EditPost,
    PublishPost,
    React,
)
from astratrade.social.domain.posts import Comment, Post, Reaction
from astratrade.social.domain.shares import TradeShare
from astratrade.social.handlers.common import Tools, caller, standing
from astratrade.social.ports import SocialUnitOfWork

SHARE_FIELD = "trade_share.position_id"


async def publish(cmd: PublishPost, tools: Tools) -> Post:
    uow = tools.new_uow()
    async with uow:
        me = await caller(uow, cmd.user_id)
        share = None
        if cmd.position_id is not None:
            share = await _own_share(uow, me.user_id, cmd.position_id)
        post = Post.write(
            tools.ids(),
            me.user_id,
            cmd.text,
            tools.clock.now(),
            tools.rules,
            tools.markets,
            trade_share=share,
        )
        uow.posts.add(post)
        await uow.commit()
        return post


async def _own_share(uow: SocialUnitOfWork, user_id: str, position_id: str) -> TradeShare:
    """The caller's closed position as a share; anyone else's is not found (as a position
    that never was: nothing says whose it is)."""
    closed = await uow.facts.closed_position(position_id)
    if closed is None or closed.owner_id != user_id:
        raise NotFound(f"no closed position {position_id} of yours", field=SHARE_FIELD)
    return closed.share()


async def edit(cmd: EditPost, tools: Tools) -> Post:
    uow = tools.new_uow()
    async with uow:
        post = await _own_post(uow, cmd.user_id, cmd.post_id)
        post.edit(cmd.text, tools.clock.now(), tools.rules, tools.markets)
        await uow.commit()
        return post


async def delete(cmd: DeletePost, tools: Tools) -> None:
    uow = tools.new_uow()
    async with uow:
        post = await _own_post(uow, cmd.user_id, cmd.post_id)
        post.delete(tools.clock.now())
        await uow.commit()


async def _own_post(uow: SocialUnitOfWork, user_id: str, post_id: str) -> Post:
    post = await uow.posts.get(post_id)
    if post is None or post.author_id != user_id or post.deleted:
        raise NotFound(f"post {post_id} not found")
    return post


async def visible_post(uow: SocialUnitOfWork, viewer_id: str, post_id: str) -> Post:
    """A post the viewer may see (and so answer); not found otherwise."""
    post = await uow.posts.get(post_id)
    author = None if post is None else await uow.profiles.get(post.author_id)
    if post is None or author is None:
        raise NotFound(f"post {post_id} not found")
    if not (await standing(uow, viewer_id, author)).sees(post.moderation, post.deleted):
        raise NotFound(f"post {post_id} not found")
    return post


async def comment(cmd: AddComment, tools: Tools) -> Comment:
    uow = tools.new_uow()
    async with uow:
        me = await caller(uow, cmd.user_id)
        post = await visible_post(uow, me.user_id, cmd.post_id)
        written = Comment.write(
            tools.ids(), post, me.user_id, cmd.text, tools.clock.now(), tools.rules
        )
        uow.comments.add(written)
        await uow.commit()
        return written


async def delete_comment(cmd: DeleteComment, tools: Tools) -> None:
    """By its author, or by the author of the post it answers (their thread)."""
    uow = tools.new_uow()
    async with uow:
        found = await uow.comments.get(cmd.comment_id)
        post = None if found is None else await uow.posts.get(found.post_id)
        if found is None or post is None or cmd.user_id not in (found.author_id, post.author_id):
            raise NotFound(f"comment {cmd.comment_id} not found")
        found.delete(cmd.user_id, tools.clock.now())
        await uow.commit()


async def react(cmd: React, tools: Tools) -> Reaction:
    """Set (or change) the caller's one reaction to the post; kind None takes it back."""
    uow = tools.new_uow()
    async with uow:
        me = await caller(uow, cmd.user_id)
        post = await visible_post(uow, me.user_id, cmd.post_id)
        reaction = await uow.reactions.get(post.id, me.user_id)
        if reaction is None:
            reaction = Reaction(tools.ids(), post_id=post.id, user_id=me.user_id)
            if cmd.kind is None:
                return reaction  # none to take back
            uow.reactions.add(reaction)
        if cmd.kind is None:
            reaction.remove(tools.clock.now())
        else:
            reaction.set(cmd.kind, tools.clock.now())
        await uow.commit()
        return reaction
