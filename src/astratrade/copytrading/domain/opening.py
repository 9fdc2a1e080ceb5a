"""Whether a copy may open.

SPEC 12: "A copy is opened by a copier with an allocation (min 100, at most their
available) from their practice account into a new account of kind `copy` ... Concurrent
copies limited by plan (Free 0, Pro 3, Elite 10); at most 500 copiers a leader. Nobody
copies themselves"; blocked pairs are refused (a block ends any copy between the two)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from astratrade.copytrading.domain.errors import CopyRefused
from astratrade.copytrading.domain.rules import DEFAULT_RULES, CopyRules
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.shared.money import plain


@dataclass(frozen=True, slots=True)
class CopyOpening:
    """A request to copy and the facts it is judged by, read by the handler."""

    copier_id: str
    leader_id: str
    allocation: Decimal
    max_loss: Decimal | None
    source_account_kind: str
    available: Decimal  # the source account's available margin
    plan: str  # the copier's subscription plan, from SubscriptionChanged
    active_copies: int  # the copier's copies not yet closed
    leader_leading: bool  # the leader has opted in and not stopped
    leader_copiers: int  # the leader's copies not yet closed
    blocked: bool  # either of the two blocked the other


def check_copy_opening(opening: CopyOpening, rules: CopyRules = DEFAULT_RULES) -> Decimal:
    """SPEC: "An allocation (min 100, at most their available) ... Concurrent copies limited by
    plan (Free 0, Pro 3, Elite 10); at most 500 copiers a leader. Nobody copies themselves";
    "a maximum loss of 10-90 % of the allocation (default 50 %)".

    Returns the max loss the copy runs with, or raises the first rule broken: the request's
    own fields (422, named) before the refusals that depend on others."""
    max_loss = check_before_funds(opening, rules)
    if opening.allocation > opening.available:
        raise ValidationFailed(
            "allocation",
            f"allocation was {plain(opening.allocation)}, only {plain(opening.available)}"
            " is available",
        )
    slots = rules.slots_for(opening.plan)
    if opening.active_copies >= slots:
        raise CopyRefused(
            "no_copy_slot",
            f"the {opening.plan} plan allows {slots} concurrent copies,"
            f" {opening.active_copies} are running",
        )
    if opening.leader_copiers >= rules.max_copiers_per_leader:
        raise CopyRefused(
            "leader_full",
            f"this leader has {opening.leader_copiers} copiers, the most allowed is"
            f" {rules.max_copiers_per_leader}",
        )
    return max_loss


def check_before_funds(opening: CopyOpening, rules: CopyRules = DEFAULT_RULES) -> Decimal:
    """Rules 1 to 5, those that need no read of the source account's funds: a request they
    refuse costs trading nothing. Returns the max loss the copy would run with."""
    if opening.allocation < rules.min_allocation:
        raise ValidationFailed(
            "allocation",
            f"allocation was {plain(opening.allocation)}, at least"
            f" {plain(rules.min_allocation)} is needed",
        )
    max_loss = rules.check_max_loss(
        rules.max_loss_default if opening.max_loss is None else opening.max_loss
    )
    if opening.copier_id == opening.leader_id:
        raise CopyRefused("self_copy", "nobody copies themselves")
    if not opening.leader_leading or opening.blocked:
        # A block answers like an unknown leader: the blocked side learns nothing of it.
        raise NotFound(f"no leader {opening.leader_id}")
    if opening.source_account_kind != rules.leader_account_kind:
        raise CopyRefused(
            "source_account",
            f"a copy is funded from the {rules.leader_account_kind} account,"
            f" not a {opening.source_account_kind} account",
        )
    return max_loss
