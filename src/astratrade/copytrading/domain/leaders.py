"""Who may lead, and the leader's standing: opted in with a profit share, or stopped.

SPEC 12: "A leader is a trader who opts in on their practice account: level >= 3, >= 20
closed positions, no liquidation in the last 7 days. A leader sets a profit share of
0-20 % (default 10 %) and may stop leading (existing copies are then stopped: positions
closed)." A copy account is never a leader: only the practice account can opt in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.copytrading.domain import events
from astratrade.copytrading.domain.errors import NotEligible
from astratrade.copytrading.domain.rules import DEFAULT_RULES, CopyRules
from astratrade.shared.errors import Conflict
from astratrade.shared.messages import Aggregate


@dataclass(frozen=True, slots=True)
class TraderRecord:
    """What eligibility reads of a trader, from progression's and trading's events."""

    level: int
    closed_positions: int
    last_liquidation_at: datetime | None
    account_kind: str


def eligibility_failures(
    record: TraderRecord, at: datetime, rules: CopyRules = DEFAULT_RULES
) -> list[str]:
    """Every leader condition the trader misses, each named with its figures; empty when
    eligible. "level >= 3, >= 20 closed positions, no liquidation in the last 7 days"."""
    failures: list[str] = []
    if record.account_kind != rules.leader_account_kind:
        failures.append(
            f"only a {rules.leader_account_kind} account can lead, this one is"
            f" {record.account_kind}"
        )
    if record.level < rules.leader_min_level:
        failures.append(f"level is {record.level}, at least {rules.leader_min_level} is needed")
    if record.closed_positions < rules.leader_min_closed_positions:
        failures.append(
            f"{record.closed_positions} closed positions, at least"
            f" {rules.leader_min_closed_positions} are needed"
        )
    cooldown = rules.leader_liquidation_cooldown
    if record.last_liquidation_at is not None and at - record.last_liquidation_at < cooldown:
        failures.append(
            f"liquidated at {record.last_liquidation_at.isoformat()}, within the last"
            f" {cooldown.days} days"
        )
    return failures


class Leader(Aggregate):
    """A trader as a leader, by their user id (`leader_id`, what events name); its own
    aggregate id is prefixed, since the user id is already the user's in the audit log."""

    aggregate_type = "leader"

    def __init__(
        self,
        leader_id: str,
        *,
        account_id: str = "",
        profit_share: Decimal = DEFAULT_RULES.profit_share_default,
        active: bool = False,
        version: int = 0,
    ) -> None:
        super().__init__(f"copytrading-leader-{leader_id}", version)
        self.leader_id = leader_id
        self.account_id = account_id
        self.profit_share = profit_share
        self.active = active

    def opt_in(
        self,
        *,
        account_id: str,
        record: TraderRecord,
        at: datetime,
        profit_share: Decimal | None = None,
        rules: CopyRules = DEFAULT_RULES,
    ) -> None:
        """Lead from this account (again, after stopping), or raise NotEligible naming every
        condition missed. Without a profit share the default (10 %) applies."""
        if self.active:
            raise Conflict(f"{self.leader_id} is already leading")
        rate = rules.check_profit_share(
            rules.profit_share_default if profit_share is None else profit_share
        )
        failures = eligibility_failures(record, at, rules)
        if failures:
            raise NotEligible(failures)
        self.account_id, self.profit_share, self.active = account_id, rate, True
        self.record(
            events.LeaderOptedIn(leader_id=self.leader_id, account_id=account_id, profit_share=rate)
        )

    def set_profit_share(self, rate: Decimal, rules: CopyRules = DEFAULT_RULES) -> None:
        self._check_active()
        rules.check_profit_share(rate)
        if rate == self.profit_share:
            return
        self.profit_share = rate
        self.record(events.LeaderProfitShareChanged(leader_id=self.leader_id, profit_share=rate))

    def stop(self) -> None:
        """Stop leading; the handler then stops every copy of this leader."""
        self._check_active()
        self.active = False
        self.record(events.LeaderStopped(leader_id=self.leader_id, account_id=self.account_id))

    def _check_active(self) -> None:
        if not self.active:
            raise Conflict(f"{self.leader_id} is not leading")
