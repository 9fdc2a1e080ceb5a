"""Copy trading's events as trading runs them, over the fakes: each a command on the real
handlers, built from the event's payload by trading's own reactions (copy_reactions.py),
so these tests drive exactly what the subscriptions run."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from fakes import Trading

from astratrade.shared.messages import Envelope
from astratrade.trading import copy_reactions
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.events import ProfitShareDebited
from astratrade.trading.handlers import copies

D = Decimal


def envelope(event_type: str, payload: dict[str, Any], event_id: str) -> Envelope:
    return Envelope(
        event_id=event_id,
        type=event_type,
        version=1,
        context="copytrading",
        aggregate_id="copy",
        aggregate_version=1,
        occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
        payload=payload,
    )


class CopyDesk:
    """One copier's copy of one leader, driven event by event."""

    def __init__(self, trading: Trading, copier: str = "copier", leader: str = "leader") -> None:
        self.trading = trading
        self.source = trading.open(copier)
        self.leader_account = trading.open(leader)
        self.copier, self.leader = copier, leader
        self.copy_id, self.copy_account = "copy-1", "copy-account-1"
        self._ids = (f"evt-{n}" for n in count())
        self.credited: set[str] = set()  # ProfitShareDebited transfer ids credited

    def _event(self, event_type: str, payload: dict[str, Any], event_id: str | None) -> Any:
        event = envelope(event_type, payload, event_id or next(self._ids))
        return getattr(copy_reactions, _COMMANDS[event_type])(event)

    def _run(self, use_case: Any, command: Any) -> Any:
        t = self.trading
        if command is None:
            return None
        return t.call(lambda uow: use_case(command, uow, t.venue, t.now))

    @property
    def account(self) -> Account:
        return self.trading.account(self.copy_account)

    # -- copy trading's events --------------------------------------------------------------

    def opt_in(self, account_id: str | None = None) -> None:
        payload = {"leader_id": self.leader, "account_id": account_id or self.leader_account}
        self._mark(self._event("LeaderOptedIn", {**payload, "profit_share": "0.1"}, None))

    def stop_leading(self, with_account: bool = True) -> None:
        payload: dict[str, Any] = {"leader_id": self.leader}
        if with_account:
            payload["account_id"] = self.leader_account
        self._mark(self._event("LeaderStopped", payload, None))

    def _mark(self, command: Any) -> None:
        t = self.trading
        t.call(lambda uow: copies.mark_leading(command, uow, t.venue))

    def start(
        self, allocation: D | str = "1000", max_loss: D | str = "0.5", event_id: str | None = None
    ) -> None:
        payload = {
            "copy_id": self.copy_id,
            "copier_id": self.copier,
            "leader_id": self.leader,
            "copy_account_id": self.copy_account,
            "source_account_id": self.source,
            "leader_account_id": self.leader_account,
            "allocation": str(allocation),
            "max_loss": str(max_loss),
            "profit_share": "0.1",
            "started_at": "2026-01-05T10:00:00+00:00",
        }
        self._run(copies.open_copy_account, self._event("CopyStarted", payload, event_id))

    def copy_fill(
        self,
        market: str,
        side: str,
        size: D | str,
        *,
        leverage: D | str | None = None,
        reduce_only: bool = False,
        decision_id: str = "decision-1",
    ) -> None:
        payload = {
            **self._names(),
            "leader_fill_id": "leader-fill",
            "market": market,
            "leader_size": "1",
            "leader_price": "1",
            "action": "reduce" if reduce_only else "open",
            "side": side,
            "size": str(size),
            "leverage": None if leverage is None else str(leverage),
            "reduce_only": reduce_only,
            "decision_id": decision_id,
        }
        self._run(copies.place_copy_order, self._event("LeaderFillCopied", payload, None))

    def close_position(self, market: str, decision_id: str = "decision-close") -> None:
        payload = {
            **self._names(),
            "leader_fill_id": None,
            "market": market,
            "side": "sell",
            "size": "0",
            "reason": "leader_closed",
            "decision_id": decision_id,
        }
        self._run(copies.close_copy_position, self._event("CopyPositionClosed", payload, None))

    def stopping(self) -> None:
        payload = {**self._names(), "reason": "by_copier"}
        self._run(copies.flatten_copy_account, self._event("CopyStopping", payload, None))

    def charge(self, amount: D | str, period: str = "weekly", event_id: str | None = None) -> None:
        payload = {
            **self._names(),
            "leader_account_id": self.leader_account,
            "amount": str(amount),
            "cumulative_net_pnl": "0",
            "high_water_mark": "0",
            "period": period,
        }
        t = self.trading
        command = self._event("ProfitShareCharged", payload, event_id)
        if command is not None:
            t.call(lambda uow: copies.debit_weekly_profit_share(command, uow, t.venue, t.now))

    def close(self, profit_share: D | str = "0", event_id: str | None = None) -> None:
        payload = {
            **self._names(),
            "source_account_id": self.source,
            "returned": "0",
            "reason": "by_copier",
            "leader_account_id": self.leader_account,
            "profit_share": str(profit_share),
        }
        self._run(copies.close_copy_account, self._event("CopyClosed", payload, event_id))

    # -- trading's own ProfitShareDebited, credited in the leader's shard --------------------

    def credit_debited(self) -> None:
        """Credit every ProfitShareDebited not credited yet (as its subscription would)."""
        t = self.trading
        for envelope_ in [e for e in t.store.envelopes if e.type == "ProfitShareDebited"]:
            if envelope_.payload["transfer_id"] in self.credited:
                continue
            self.credited.add(envelope_.payload["transfer_id"])
            command = copy_reactions.credit_profit_share(envelope_)
            t.call(lambda uow, c=command: copies.credit_profit_share(c, uow, t.now))

    def in_transit(self) -> D:
        """Profit shares debited and not yet credited."""
        debited = self.trading.store.events(ProfitShareDebited)
        return sum((d.amount for d in debited if d.transfer_id not in self.credited), D(0))

    def _names(self) -> dict[str, str]:
        return {
            "copy_id": self.copy_id,
            "copier_id": self.copier,
            "leader_id": self.leader,
            "copy_account_id": self.copy_account,
        }


_COMMANDS = {
    "LeaderOptedIn": "start_leading",
    "LeaderStopped": "stop_leading",
    "CopyStarted": "open_copy_account",
    "LeaderFillCopied": "place_copy_order",
    "CopyPositionClosed": "close_copy_position",
    "CopyStopping": "flatten_copy_account",
    "ProfitShareCharged": "debit_profit_share",
    "CopyClosed": "close_copy_account",
}
