"""Reports: content reported by 3 distinct users is hidden pending review (its author
still sees it, marked); a moderator's decision resolves every report of it; suspend."""

from __future__ import annotations

import pytest
from social_platform import RULES, do, sign_up

from astratrade.platform import Platform
from astratrade.shared.errors import Forbidden, NotFound, ValidationFailed
from astratrade.social import views
from astratrade.social.domain.commands import (
    AddComment,
    PublishPost,
    ReportContent,
    ResolveReport,
)
from astratrade.social.domain.moderation import ReportStatus
from astratrade.social.domain.rules import ReportReason, ResolveAction, TargetType


async def test_three_distinct_reporters_hide_a_post_until_a_moderator_decides(
    platform: Platform,
) -> None:
    ids = await sign_up(platform, "ann", "bob", "cat", "dan", "eve", "mod")
    post = await do(platform, PublishPost(user_id=ids["ann"], text="guaranteed 100x $STRK"))

    def report(name: str) -> ReportContent:
        return ReportContent(
            user_id=ids[name],
            target_type=TargetType.POST,
            target_id=post.id,
            reason=ReportReason.SCAM,
        )

    first = await do(platform, report("bob"))
    again = await do(platform, report("bob"))  # the same reporter counts once
    assert again.id == first.id
    await do(platform, report("cat"))
    assert (
        len(
            (
                await views.market_feed(platform.read_db, ids["eve"], "STRK-USD", None, 9, RULES)
            ).items
        )
        == 1
    )

    await do(platform, report("dan"))

    assert (
        await views.market_feed(platform.read_db, ids["eve"], "STRK-USD", None, 9, RULES)
    ).items == []
    own = await views.post(platform.read_db, ids["ann"], post.id, RULES)
    assert own.moderation == "pending"
    with pytest.raises(NotFound):
        await do(platform, report("eve"))  # hidden from her now

    queue = await views.report_queue(platform.read_db, ReportStatus.OPEN, None, 50)
    # filed in one instant (the clock stands still): in id order
    assert sorted((r.reporter, r.open_reports, r.target_state) for r in queue.items) == [
        ("bob", 3, "pending"),
        ("cat", 3, "pending"),
        ("dan", 3, "pending"),
    ]
    await do(
        platform,
        ResolveReport(admin_id=ids["mod"], report_id=first.id, action=ResolveAction.DISMISS),
    )

    assert (await views.report_queue(platform.read_db, ReportStatus.OPEN, None, 50)).items == []
    shown = await views.market_feed(platform.read_db, ids["eve"], "STRK-USD", None, 9, RULES)
    assert [p.post_id for p in shown.items] == [post.id]


async def test_nobody_reports_their_own_post(platform: Platform) -> None:
    ids = await sign_up(platform, "ann")
    post = await do(platform, PublishPost(user_id=ids["ann"], text="mine"))
    with pytest.raises(ValidationFailed) as refused:
        await do(
            platform,
            ReportContent(
                user_id=ids["ann"],
                target_type=TargetType.POST,
                target_id=post.id,
                reason=ReportReason.SPAM,
            ),
        )
    assert refused.value.field == "target_id"


async def test_suspending_hides_the_author_and_stops_them_posting(platform: Platform) -> None:
    ids = await sign_up(platform, "ann", "bob", "mod")
    post = await do(platform, PublishPost(user_id=ids["ann"], text="spam spam"))
    comment = await do(platform, AddComment(user_id=ids["ann"], post_id=post.id, text="more spam"))
    filed = await do(
        platform,
        ReportContent(
            user_id=ids["bob"],
            target_type=TargetType.COMMENT,
            target_id=comment.id,
            reason=ReportReason.SPAM,
        ),
    )

    await do(
        platform,
        ResolveReport(admin_id=ids["mod"], report_id=filed.id, action=ResolveAction.SUSPEND),
    )

    with pytest.raises(NotFound):
        await views.profile_of(platform.read_db, ids["bob"], username="ann")
    with pytest.raises(NotFound):
        await views.post(platform.read_db, ids["bob"], post.id, RULES)
    with pytest.raises(Forbidden):
        await do(platform, PublishPost(user_id=ids["ann"], text="back again"))
    own = await views.profile_of(platform.read_db, ids["ann"], username="ann")
    assert own.suspended is True
