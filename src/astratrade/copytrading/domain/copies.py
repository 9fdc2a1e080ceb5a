"""A copy: one copier following one leader with an allocation held in a copy account.

It moves active -> stopping (it copies nothing more; its positions are being closed) ->
closed (profit share settled, the equity returned to the source account). It remembers
which of the leader's positions it follows, those opened after it started, and its
high-water mark; every decision it takes is recorded as an event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from astratrade.copytrading.domain import events
from astratrade.copytrading.domain.deciding import CopierState, FillEffect, LeaderFill, decide
from astratrade.copytrading.domain.decisions import Closed, CloseReason, Copied, Decision
from astratrade.copytrading.domain.errors import CopyNotActive
from astratrade.copytrading.domain.opening import CopyOpening, check_copy_opening
from astratrade.copytrading.domain.profit_share import settle, week_label, weekly_settlement_due
from astratrade.copytrading.domain.rules import DEFAULT_RULES, CopyRules, MarketRules
from astratrade.copytrading.domain.stop_loss import stop_loss_reached
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import IdFactory, new_id
from astratrade.shared.messages import Aggregate, Event
from astratrade.shared.money import ZERO


class CopyStatus(StrEnum):
    ACTIVE = "active"
    STOPPING = "stopping"
    CLOSED = "closed"


class StopReason(StrEnum):
    BY_COPIER = "by_copier"
    STOP_LOSS = "stop_loss"
    LEADER_STOPPED = "leader_stopped"
    BLOCKED = "blocked"
    FUNDING_REFUSED = "funding_refused"  # trading found too little available to fund it


class Copy(Aggregate):
    aggregate_type = "copy"

    def __init__(
        self,
        copy_id: str,
        *,
        copier_id: str,
        leader_id: str,
        source_account_id: str,
        copy_account_id: str,
        leader_account_id: str,
        allocation: Decimal,
        max_loss: Decimal,
        profit_share: Decimal,
        started_at: datetime,
        status: CopyStatus = CopyStatus.ACTIVE,
        followed: frozenset[str] = frozenset(),
        high_water_mark: Decimal = ZERO,
        profit_share_paid: Decimal = ZERO,
        last_settled_at: datetime | None = None,
        stop_reason: StopReason | None = None,
        funded: bool = False,
        version: int = 0,
        decision_ids: IdFactory = new_id,
    ) -> None:
        super().__init__(copy_id, version)
        self.copier_id = copier_id
        self.leader_id = leader_id
        self.source_account_id = source_account_id
        self.copy_account_id = copy_account_id
        self.leader_account_id = leader_account_id
        self.allocation = allocation
        self.max_loss = max_loss
        self.profit_share = profit_share  # the leader's share when the copy opened
        self.started_at = started_at
        self.status = status
        self.followed = set(followed)  # markets whose leader position opened after the start
        self.high_water_mark = high_water_mark
        self.profit_share_paid = profit_share_paid
        self.last_settled_at = last_settled_at or started_at
        self.stop_reason = stop_reason
        self.funded = funded  # trading moved the allocation into the copy account
        self.closed_at: datetime | None = None
        self.returned: Decimal | None = None  # what went back to the source account
        # Each order decision's id, trading's client order id for it.
        self.decision_ids = decision_ids
        # Every event recorded since it was loaded, with the version the unit of work gives
        # it (it numbers and empties `pending_events` before the repository writes): its
        # history's new lines, each named after its event (the live channel names it alike).
        self.recorded: list[tuple[int, events.CopyTradingEvent]] = []
        self._numbered = version  # the version of the last event recorded

    def record(self, event: Event) -> None:
        super().record(event)
        self._numbered += 1
        if isinstance(event, events.CopyTradingEvent):
            self.recorded.append((self._numbered, event))

    @classmethod
    def start(
        cls,
        copy_id: str,
        *,
        opening: CopyOpening,
        source_account_id: str,
        copy_account_id: str,
        leader_account_id: str,
        profit_share: Decimal,
        at: datetime,
        rules: CopyRules = DEFAULT_RULES,
        decision_ids: IdFactory = new_id,
    ) -> Copy:
        """Open a copy, or raise the first rule the opening breaks."""
        max_loss = check_copy_opening(opening, rules)
        copy = cls(
            copy_id,
            copier_id=opening.copier_id,
            leader_id=opening.leader_id,
            source_account_id=source_account_id,
            copy_account_id=copy_account_id,
            leader_account_id=leader_account_id,
            allocation=opening.allocation,
            max_loss=max_loss,
            profit_share=profit_share,
            started_at=at,
            decision_ids=decision_ids,
        )
        copy.record(
            events.CopyStarted(
                **copy._ids(),
                source_account_id=source_account_id,
                leader_account_id=leader_account_id,
                allocation=opening.allocation,
                max_loss=max_loss,
                profit_share=profit_share,
                started_at=at,
            )
        )
        return copy

    def follow_fill(
        self,
        fill: LeaderFill,
        copier: CopierState,
        market: MarketRules,
        rules: CopyRules = DEFAULT_RULES,
    ) -> tuple[Decision, ...]:
        """Decide what the leader's fill becomes here and record it. "Only positions the
        leader opens after the copy starts are copied": the copy follows a market from the
        fill that opens the leader's position there until the one that closes it. A copy
        that is no longer active copies nothing (its stop was recorded when it stopped)."""
        if self.status is not CopyStatus.ACTIVE:
            return ()
        decisions = decide(fill, copier, market, followed=fill.market in self.followed, rules=rules)
        if fill.liquidation or fill.effect is FillEffect.CLOSE:
            self.followed.discard(fill.market)
        elif fill.effect in (FillEffect.OPEN, FillEffect.FLIP):
            self.followed.add(fill.market)
        for decision in decisions:
            self._record_decision(decision, fill)
        return decisions

    def check_stop_loss(self, equity: Decimal, positions: Mapping[str, Decimal]) -> bool:
        """SPEC: "When the copy account's equity falls to allocation x (1 - max loss), every copy
        position is closed and the copy stops." True when this call stopped it."""
        if self.status is not CopyStatus.ACTIVE:
            return False
        if not stop_loss_reached(equity, self.allocation, self.max_loss):
            return False
        self.stop(StopReason.STOP_LOSS, positions)
        return True

    def stop(self, reason: StopReason, positions: Mapping[str, Decimal]) -> tuple[Closed, ...]:
        """SPEC: "Stop copy: positions closed at market": copy nothing more and close every
        position (market -> signed size)."""
        if self.status is not CopyStatus.ACTIVE:
            raise CopyNotActive(f"copy {self.id} is {self.status.value}, not active")
        self.status, self.stop_reason = CopyStatus.STOPPING, reason
        self.followed.clear()
        self.record(events.CopyStopping(**self._ids(), reason=reason.value))
        why = CloseReason.STOP_LOSS if reason is StopReason.STOP_LOSS else CloseReason.COPY_STOPPED
        closes = tuple(
            Closed(market, "sell" if size > 0 else "buy", abs(size), why)
            for market, size in sorted(positions.items())
            if size != 0
        )
        for close in closes:
            self._record_decision(close, None)
        return closes

    def settle_week(
        self, cumulative_net_pnl: Decimal, collateral: Decimal, now: datetime
    ) -> Decimal:
        """SPEC: "Profit share, weekly (Monday 00:00 UTC)": once per Monday passed since the last
        settlement (or the start); 0 when none is due."""
        boundary = weekly_settlement_due(self.last_settled_at, now)
        if self.status is not CopyStatus.ACTIVE or boundary is None:
            return ZERO
        self.last_settled_at = boundary
        return self._settle(cumulative_net_pnl, collateral, week_label(boundary))

    def close(
        self, cumulative_net_pnl: Decimal, equity: Decimal, at: datetime | None = None
    ) -> Decimal:
        """SPEC: "Profit share ... at stop", then "the remaining equity transferred back to the
        source account (ledgered), the copy account closed". Called once every position is
        closed; returns what goes back, never below 0."""
        if self.status is not CopyStatus.STOPPING:
            raise Conflict(f"copy {self.id} is {self.status.value}, not stopping")
        share = self._settle(cumulative_net_pnl, equity, "final")
        returned = max(ZERO, equity - share)
        self._closed(share, returned, at)
        return returned

    def mark_funded(self) -> bool:
        """Trading moved the allocation in; True the first time (a redelivery changes nothing)."""
        if self.funded:
            return False
        self.funded = True
        return True

    def funding_refused(self, at: datetime | None = None) -> None:
        """Trading opened no account (the source's available fell below the allocation since
        the copy opened): the copy closes at once, nothing to return, nothing to share."""
        if self.status is CopyStatus.CLOSED:
            return
        self.status, self.stop_reason = CopyStatus.STOPPING, StopReason.FUNDING_REFUSED
        self.followed.clear()
        self._closed(ZERO, ZERO, at)

    def _closed(self, share: Decimal, returned: Decimal, at: datetime | None) -> None:
        self.status, self.returned, self.closed_at = CopyStatus.CLOSED, returned, at
        self.record(
            events.CopyClosed(
                **self._ids(),
                source_account_id=self.source_account_id,
                leader_account_id=self.leader_account_id,
                profit_share=share,
                returned=returned,
                reason=self.stop_reason.value if self.stop_reason else "",
            )
        )

    def _settle(self, cumulative_net_pnl: Decimal, collateral: Decimal, period: str) -> Decimal:
        result = settle(
            cumulative_net_pnl,
            self.high_water_mark,
            self.profit_share_paid,
            self.profit_share,
            collateral,
        )
        self.high_water_mark, self.profit_share_paid = result.high_water_mark, result.paid
        if result.share > 0:
            self.record(
                events.ProfitShareCharged(
                    **self._ids(),
                    leader_account_id=self.leader_account_id,
                    amount=result.share,
                    cumulative_net_pnl=cumulative_net_pnl,
                    high_water_mark=result.high_water_mark,
                    period=period,
                )
            )
        return result.share

    def _record_decision(self, decision: Decision, fill: LeaderFill | None) -> None:
        """Closes come from a leader fill or from the copy stopping (no fill); an order or a
        skip always answers a fill."""
        ids = self._ids()
        if isinstance(decision, Closed):
            self.record(
                events.CopyPositionClosed(
                    **ids,
                    decision_id=self.decision_ids(),
                    leader_fill_id=fill.fill_id if fill else None,
                    market=decision.market,
                    side=decision.side,
                    size=decision.size,
                    reason=decision.reason.value,
                )
            )
            return
        if fill is None:
            raise ValueError(f"{decision} answers no leader fill")
        if isinstance(decision, Copied):
            self.record(
                events.LeaderFillCopied(
                    **ids,
                    decision_id=self.decision_ids(),
                    leader_fill_id=fill.fill_id,
                    market=decision.market,
                    leader_size=fill.size,
                    leader_price=fill.price,
                    action=decision.action.value,
                    side=decision.side,
                    size=decision.size,
                    leverage=decision.leverage,
                    reduce_only=decision.reduce_only,
                )
            )
        else:
            self.record(
                events.LeaderFillSkipped(
                    **ids,
                    leader_fill_id=fill.fill_id,
                    market=decision.market,
                    leader_size=fill.size,
                    leader_price=fill.price,
                    reason=decision.reason.value,
                    detail=decision.detail,
                )
            )

    def _ids(self) -> dict[str, str]:
        return {
            "copy_id": self.id,
            "copier_id": self.copier_id,
            "leader_id": self.leader_id,
            "copy_account_id": self.copy_account_id,
        }
