"""Reports and moderators' decisions."""

from __future__ import annotations

from typing import Protocol

from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.social.domain.commands import ReportContent, ResolveReport
from astratrade.social.domain.moderation import (
    Report,
    state_after_decision,
    state_after_reports,
)
from astratrade.social.domain.rules import Moderation, ResolveAction, TargetType
from astratrade.social.handlers.common import Tools, caller, standing
from astratrade.social.handlers.posts import visible_post
from astratrade.social.ports import SocialUnitOfWork


class Moderated(Protocol):
    """A post, comment or profile: what moderation can hide."""

    @property
    def moderation(self) -> Moderation: ...
    def moderate(self, state: Moderation, by: str) -> None: ...


async def report(cmd: ReportContent, tools: Tools) -> Report:
    """File the caller's report (once per target: reporting again returns the first) and
    hide the target pending review once enough distinct users report it."""
    uow = tools.new_uow()
    async with uow:
        me = await caller(uow, cmd.user_id)
        target, owner_id = await _reportable(uow, me.user_id, cmd.target_type, cmd.target_id)
        if owner_id == me.user_id:
            raise ValidationFailed(
                "target_id", f"you cannot report your own {cmd.target_type.value}"
            )
        earlier = await uow.reports.of_reporter(me.user_id, cmd.target_type, cmd.target_id)
        if earlier is not None:
            return earlier
        filed = Report.file(
            tools.ids(),
            me.user_id,
            cmd.target_type,
            cmd.target_id,
            owner_id,
            cmd.reason,
            tools.clock.now(),
        )
        uow.reports.add(filed)
        reporters = {
            r.reporter_id for r in await uow.reports.open_on(filed.target_type, filed.target_id)
        }
        reporters.add(me.user_id)
        target.moderate(
            state_after_reports(target.moderation, len(reporters), tools.rules), "reports"
        )
        await uow.commit()
        return filed


async def _reportable(
    uow: SocialUnitOfWork, viewer_id: str, kind: TargetType, target_id: str
) -> tuple[Moderated, str]:
    """The target the viewer can see, and its owner."""
    if kind is TargetType.POST:
        post = await visible_post(uow, viewer_id, target_id)
        return post, post.author_id
    if kind is TargetType.COMMENT:
        found = await uow.comments.get(target_id)
        author = None if found is None else await uow.profiles.get(found.author_id)
        if found is None or author is None:
            raise NotFound(f"comment {target_id} not found", field="target_id")
        await visible_post(uow, viewer_id, found.post_id)
        if not (await standing(uow, viewer_id, author)).sees_comment(
            found.moderation, found.deleted
        ):
            raise NotFound(f"comment {target_id} not found", field="target_id")
        return found, found.author_id
    profile = await uow.profiles.get(target_id)
    if profile is None or not (await standing(uow, viewer_id, profile)).sees_profile():
        raise NotFound(f"profile {target_id} not found", field="target_id")
    return profile, profile.user_id


async def resolve(cmd: ResolveReport, tools: Tools) -> Report:
    """Apply the moderator's decision to the report's target and resolve every open report
    of that target with it."""
    uow = tools.new_uow()
    async with uow:
        found = await uow.reports.get(cmd.report_id)
        if found is None:
            raise NotFound(f"report {cmd.report_id} not found")
        target = await _target(uow, found.target_type, found.target_id)
        target.moderate(state_after_decision(target.moderation, cmd.action), "moderator")
        if cmd.action is ResolveAction.SUSPEND or (
            cmd.action is ResolveAction.RESTORE and found.target_type is TargetType.PROFILE
        ):
            owner = await uow.profiles.get(found.owner_id)
            if owner is not None:
                owner.suspend(cmd.action is ResolveAction.SUSPEND)
        at = tools.clock.now()
        others = await uow.reports.open_on(found.target_type, found.target_id)
        for each in {found.id: found, **{r.id: r for r in others}}.values():
            each.resolve(cmd.action, cmd.admin_id, at)
        await uow.commit()
        return found


async def _target(uow: SocialUnitOfWork, kind: TargetType, target_id: str) -> Moderated:
    found: Moderated | None
    if kind is TargetType.POST:
        found = await uow.posts.get(target_id)
    elif kind is TargetType.COMMENT:
        found = await uow.comments.get(target_id)
    else:
        found = await uow.profiles.get(target_id)
    if found is None:
        raise NotFound(f"the reported {kind.value} {target_id} no longer exists")
    return found
