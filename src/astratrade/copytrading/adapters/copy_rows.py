"""A copy as its row, and a copy's events as the lines of its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from astratrade.copytrading.domain import events
from astratrade.copytrading.domain.copies import Copy, CopyStatus, StopReason
from astratrade.shared.ids import IdFactory
from astratrade.shared.messages import Event
from astratrade.shared.money import plain


def copy_row(copy: Copy) -> dict[str, Any]:
    return {
        "copy_id": copy.id,
        "copier_id": copy.copier_id,
        "leader_id": copy.leader_id,
        "source_account_id": copy.source_account_id,
        "copy_account_id": copy.copy_account_id,
        "leader_account_id": copy.leader_account_id,
        "allocation": copy.allocation,
        "max_loss": copy.max_loss,
        "profit_share": copy.profit_share,
        "started_at": copy.started_at,
        "status": copy.status.value,
        "stop_reason": copy.stop_reason.value if copy.stop_reason else None,
        "closed_at": copy.closed_at,
        "funded": copy.funded,
        "followed": ",".join(sorted(copy.followed)),
        "high_water_mark": copy.high_water_mark,
        "profit_share_paid": copy.profit_share_paid,
        "returned": copy.returned,
        "last_settled_at": copy.last_settled_at,
        "version": copy.version,
    }


def copy_of(row: Any, decision_ids: IdFactory) -> Copy:
    copy = Copy(
        row["copy_id"],
        copier_id=row["copier_id"],
        leader_id=row["leader_id"],
        source_account_id=row["source_account_id"],
        copy_account_id=row["copy_account_id"],
        leader_account_id=row["leader_account_id"],
        allocation=row["allocation"],
        max_loss=row["max_loss"],
        profit_share=row["profit_share"],
        started_at=row["started_at"],
        status=CopyStatus(row["status"]),
        followed=frozenset(m for m in row["followed"].split(",") if m),
        high_water_mark=row["high_water_mark"],
        profit_share_paid=row["profit_share_paid"],
        last_settled_at=row["last_settled_at"],
        stop_reason=StopReason(row["stop_reason"]) if row["stop_reason"] else None,
        funded=row["funded"],
        version=row["version"],
        decision_ids=decision_ids,
    )
    copy.closed_at, copy.returned = row["closed_at"], row["returned"]
    return copy


def history_line(event: Event, at: datetime, ids: IdFactory) -> dict[str, Any] | None:
    """The history line of one of a copy's events (CopyStarted has none: the copy itself
    shows it)."""
    line: dict[str, Any] = {"at": at}
    match event:
        case events.LeaderFillCopied():
            line |= _fill(event) | {
                "decision_id": event.decision_id,
                "kind": "copied",
                "action": event.action,
                "side": event.side,
                "size": event.size,
                "leverage": event.leverage,
            }
        case events.LeaderFillSkipped():
            line |= _fill(event) | {
                "kind": "skipped",
                "reason": event.reason,
                "detail": event.detail[:400],
            }
        case events.CopyPositionClosed():
            line |= {
                "decision_id": event.decision_id,
                "kind": "closed",
                "market": event.market,
                "side": event.side,
                "size": event.size,
                "reason": event.reason,
                "leader_fill_id": event.leader_fill_id,
            }
        case events.CopyStopping():
            line |= {"kind": "stopping", "reason": event.reason}
        case events.ProfitShareCharged():
            # The amount in `size`, the period in `reason`.
            line |= {
                "kind": "profit_share",
                "size": event.amount,
                "reason": event.period,
                "detail": f"cumulative net P&L {plain(event.cumulative_net_pnl)},"
                f" high-water mark {plain(event.high_water_mark)}",
            }
        case events.CopyClosed():
            line |= {
                "kind": "closed_copy",
                "reason": event.reason,
                "detail": f"returned {plain(event.returned)},"
                f" profit share {plain(event.profit_share)}",
            }
        case _:
            return None
    line.setdefault("decision_id", ids())
    return line


def _fill(event: events.LeaderFillCopied | events.LeaderFillSkipped) -> dict[str, Any]:
    return {
        "market": event.market,
        "leader_fill_id": event.leader_fill_id,
        "leader_fill_size": event.leader_size,
        "leader_fill_price": event.leader_price,
    }


HISTORY_COLUMNS = (
    "decision_id",
    "copy_id",
    "at",
    "kind",
    "market",
    "action",
    "side",
    "size",
    "leverage",
    "reason",
    "detail",
    "leader_fill_id",
    "leader_fill_size",
    "leader_fill_price",
)


def complete(line: dict[str, Any]) -> dict[str, Any]:
    """Every column named, so that one executemany inserts lines of any kind."""
    return {name: line.get(name) for name in HISTORY_COLUMNS}
