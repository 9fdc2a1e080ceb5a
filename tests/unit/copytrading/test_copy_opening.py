"""Opening a copy: allocation, stop-loss, plan slots, the leader's copier limit, oneself,
the funding account and blocks, each refused with its reason."""

from __future__ import annotations

import pytest
from copy_support import START, D, new_copy, opening

from astratrade.copytrading.domain.copies import Copy, CopyStatus
from astratrade.copytrading.domain.errors import CopyRefused
from astratrade.copytrading.domain.events import CopyStarted
from astratrade.copytrading.domain.opening import check_copy_opening
from astratrade.shared.errors import NotFound, ValidationFailed


def test_starting_a_copy_records_its_terms_with_the_default_stop_loss_of_50_percent() -> None:
    copy = new_copy(allocation=100)
    assert copy.status is CopyStatus.ACTIVE
    assert copy.pending_events == [
        CopyStarted(
            copy_id="c1",
            copier_id="ben",
            leader_id="ada",
            copy_account_id="ben-copy-1",
            source_account_id="ben-practice",
            leader_account_id="ada-practice",
            allocation=D(100),
            max_loss=D("0.5"),
            profit_share=D("0.1"),
            started_at=START,
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"allocation": D("99.99")}, "allocation"),
        ({"allocation": D("10000.01")}, "allocation"),  # above the 10,000 available
        ({"max_loss": D("0.09")}, "max_loss"),
        ({"max_loss": D("0.91")}, "max_loss"),
    ],
)
def test_an_allocation_or_stop_loss_out_of_bounds_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_copy_opening(opening(**changes))
    assert refused.value.field == field


def test_the_bounds_themselves_are_taken() -> None:
    assert check_copy_opening(opening(allocation=D(100), max_loss=D("0.1"))) == D("0.1")
    assert check_copy_opening(opening(allocation=D(10_000), max_loss=D("0.9"))) == D("0.9")


@pytest.mark.parametrize(("plan", "slots"), [("free", 0), ("pro", 3), ("elite", 10)])
def test_concurrent_copies_are_limited_by_plan(plan: str, slots: int) -> None:
    for running in range(slots):
        check_copy_opening(opening(plan=plan, active_copies=running))
    with pytest.raises(CopyRefused) as refused:
        check_copy_opening(opening(plan=plan, active_copies=slots))
    assert refused.value.reason == "no_copy_slot"
    assert f"allows {slots} concurrent copies" in refused.value.message


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"leader_copiers": 500}, "leader_full"),
        ({"copier_id": "ada"}, "self_copy"),
        ({"source_account_kind": "copy"}, "source_account"),
    ],
)
def test_a_full_leader_oneself_and_a_copy_account_are_refused(
    changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(CopyRefused) as refused:
        check_copy_opening(opening(**changes))
    assert refused.value.reason == reason


def test_the_500th_copier_is_taken() -> None:
    check_copy_opening(opening(leader_copiers=499))


@pytest.mark.parametrize("changes", [{"blocked": True}, {"leader_leading": False}])
def test_a_blocked_pair_or_a_trader_not_leading_answers_no_such_leader(
    changes: dict[str, object],
) -> None:
    with pytest.raises(NotFound):
        check_copy_opening(opening(**changes))


def test_starting_a_copy_applies_the_opening_rules() -> None:
    with pytest.raises(CopyRefused):
        Copy.start(
            "c1",
            opening=opening(plan="free"),
            source_account_id="s",
            copy_account_id="c",
            leader_account_id="l",
            profit_share=D("0.1"),
            at=START,
        )
