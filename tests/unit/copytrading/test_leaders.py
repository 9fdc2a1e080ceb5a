"""Leader eligibility names every condition missed; the profit share stays within 0-20 %."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from copy_support import START, D, event_types
from hypothesis import given
from hypothesis import strategies as st

from astratrade.copytrading.domain.errors import NotEligible
from astratrade.copytrading.domain.events import LeaderOptedIn
from astratrade.copytrading.domain.leaders import Leader, TraderRecord, eligibility_failures
from astratrade.shared.errors import Conflict, ValidationFailed

ELIGIBLE = TraderRecord(
    level=3, closed_positions=20, last_liquidation_at=None, account_kind="practice"
)


def test_opting_in_when_eligible_leads_with_the_default_share_of_10_percent() -> None:
    leader = Leader("ada")
    leader.opt_in(account_id="ada-practice", record=ELIGIBLE, at=START)
    assert leader.active
    assert leader.pending_events == [
        LeaderOptedIn(leader_id="ada", account_id="ada-practice", profit_share=D("0.10"))
    ]


def test_opting_in_when_everything_is_missed_names_every_condition() -> None:
    liquidated = START - timedelta(days=6, hours=23)
    record = TraderRecord(
        level=2, closed_positions=19, last_liquidation_at=liquidated, account_kind="copy"
    )
    with pytest.raises(NotEligible) as refused:
        Leader("ada").opt_in(account_id="ada-copy", record=record, at=START)
    assert refused.value.failures == [
        "only a practice account can lead, this one is copy",
        "level is 2, at least 3 is needed",
        "19 closed positions, at least 20 are needed",
        "liquidated at 2026-02-25T10:00:00+00:00, within the last 7 days",
    ]


def test_a_liquidation_exactly_7_days_ago_no_longer_counts() -> None:
    record = TraderRecord(3, 20, START - timedelta(days=7), "practice")
    assert eligibility_failures(record, START) == []


@given(
    level=st.integers(0, 6),
    closes=st.integers(0, 40),
    days_since=st.none() | st.integers(0, 20),
    kind=st.sampled_from(["practice", "copy", "live", "tournament"]),
)
def test_eligibility_names_exactly_the_conditions_failed(
    level: int, closes: int, days_since: int | None, kind: str
) -> None:
    liquidated = None if days_since is None else START - timedelta(days=days_since)
    failures = eligibility_failures(TraderRecord(level, closes, liquidated, kind), START)
    expected = {
        "account": kind != "practice",
        "level": level < 3,
        "closed positions": closes < 20,
        "liquidated": days_since is not None and days_since < 7,
    }
    for word, failed in expected.items():
        assert any(word in failure for failure in failures) == failed, (word, failures)
    assert len(failures) == sum(expected.values())


@pytest.mark.parametrize("rate", ["0", "0.2", "0.15"])
def test_a_profit_share_from_0_to_20_percent_is_taken(rate: str) -> None:
    leader = Leader("ada")
    leader.opt_in(account_id="a", record=ELIGIBLE, at=START, profit_share=D(rate))
    assert leader.profit_share == D(rate)


@pytest.mark.parametrize("rate", ["-0.01", "0.2000001", "1"])
def test_a_profit_share_outside_0_to_20_percent_is_refused_naming_the_field(rate: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        Leader("ada").opt_in(account_id="a", record=ELIGIBLE, at=START, profit_share=D(rate))
    assert refused.value.field == "profit_share"
    leader = Leader("ada")
    leader.opt_in(account_id="a", record=ELIGIBLE, at=START)
    with pytest.raises(ValidationFailed):
        leader.set_profit_share(Decimal(rate))
    assert leader.profit_share == D("0.10")


def test_changing_the_share_records_it_once_and_stopping_ends_leading() -> None:
    leader = Leader("ada")
    leader.opt_in(account_id="a", record=ELIGIBLE, at=START)
    leader.set_profit_share(D("0.2"))
    leader.set_profit_share(D("0.2"))
    leader.stop()
    assert event_types(leader) == ["LeaderOptedIn", "LeaderProfitShareChanged", "LeaderStopped"]
    with pytest.raises(Conflict):
        leader.stop()
    with pytest.raises(Conflict):
        leader.set_profit_share(D("0.1"))


def test_a_leader_who_stopped_may_opt_in_again_but_not_twice() -> None:
    leader = Leader("ada")
    leader.opt_in(account_id="a", record=ELIGIBLE, at=START)
    with pytest.raises(Conflict):
        leader.opt_in(account_id="a", record=ELIGIBLE, at=START)
    leader.stop()
    leader.opt_in(account_id="a", record=ELIGIBLE, at=START, profit_share=D("0.05"))
    assert leader.active
    assert leader.profit_share == D("0.05")
