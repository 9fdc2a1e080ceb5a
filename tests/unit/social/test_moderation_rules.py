"""Reports hide content pending review at the third distinct reporter; decisions."""

from __future__ import annotations

import pytest
from social_support import RULES, START

from astratrade.social.domain.moderation import (
    Report,
    state_after_decision,
    state_after_reports,
)
from astratrade.social.domain.rules import Moderation, ReportReason, ResolveAction, TargetType

V, P, H = Moderation.VISIBLE, Moderation.PENDING, Moderation.HIDDEN


@pytest.mark.parametrize(
    ("current", "reporters", "after"),
    [(V, 1, V), (V, 2, V), (V, 3, P), (V, 7, P), (H, 3, H), (P, 4, P)],
)
def test_content_is_hidden_pending_review_from_the_third_distinct_reporter(
    current: Moderation, reporters: int, after: Moderation
) -> None:
    assert state_after_reports(current, reporters, RULES) is after


@pytest.mark.parametrize(
    ("current", "action", "after"),
    [
        (P, ResolveAction.HIDE, H),
        (V, ResolveAction.SUSPEND, H),
        (H, ResolveAction.RESTORE, V),
        (P, ResolveAction.DISMISS, V),
        (H, ResolveAction.DISMISS, H),
        (V, ResolveAction.DISMISS, V),
    ],
)
def test_a_decision_sets_the_state(
    current: Moderation, action: ResolveAction, after: Moderation
) -> None:
    assert state_after_decision(current, action) is after


def test_a_report_is_filed_then_resolved() -> None:
    report = Report.file("r1", "ben", TargetType.POST, "post-1", "ada", ReportReason.SPAM, START)
    assert report.open
    report.resolve(ResolveAction.HIDE, "admin", START)
    assert not report.open
    assert [type(e).__name__ for e in report.pending_events] == [
        "ContentReported",
        "ReportResolved",
    ]
