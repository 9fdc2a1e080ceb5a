"""A copy as its row, and a copy's events as the lines of its history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from astratrade.copytrading.domain.copies import Copy, CopyStatus, StopReason
from astratrade.shared.ids import IdFactory
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


# Names a history line after the copy and its event's version: the writer and the live
# channel (which sees only the committed event) name it alike, and a copy's version is unique.
LINE_IDS = uuid.UUID("5f0c2f3e-7d1a-4b8e-9c61-0c0a11ce0d15")


def line_id(copy_id: str, version: int) -> str:
    """The history line id of the copy's event numbered `version` (36 characters)."""
    return str(uuid.uuid5(LINE_IDS, f"{copy_id}/{version}"))


def history_line(
    kind: str, data: Mapping[str, Any], at: datetime, line: str
) -> dict[str, Any] | None:
    """The history line of one of a copy's events (CopyStarted has none: the copy itself
    shows it): `kind` its type, `data` its fields (values as recorded, or as the event's
    payload carries them); `line`: the line's id where the event has no decision id."""
    found: dict[str, Any] = {"at": at}
    match kind:
        case "LeaderFillCopied":
            found |= _fill(data) | {
                "decision_id": str(data["decision_id"]),
                "kind": "copied",
                "action": data["action"],
                "side": data["side"],
                "size": _dec(data["size"]),
                "leverage": _dec(data["leverage"]),
            }
        case "LeaderFillSkipped":
            found |= _fill(data) | {
                "kind": "skipped",
                "reason": data["reason"],
                "detail": str(data["detail"])[:400],
            }
        case "CopyPositionClosed":
            found |= {
                "decision_id": str(data["decision_id"]),
                "kind": "closed",
                "market": data["market"],
                "side": data["side"],
                "size": _dec(data["size"]),
                "reason": data["reason"],
                "leader_fill_id": data["leader_fill_id"],
            }
        case "CopyStopping":
            found |= {"kind": "stopping", "reason": data["reason"]}
        case "ProfitShareCharged":
            # The amount in `size`, the period in `reason`.
            found |= {
                "kind": "profit_share",
                "size": _dec(data["amount"]),
                "reason": data["period"],
                "detail": f"cumulative net P&L {plain(_d(data['cumulative_net_pnl']))},"
                f" high-water mark {plain(_d(data['high_water_mark']))}",
            }
        case "CopyClosed":
            found |= {
                "kind": "closed_copy",
                "reason": data["reason"],
                "detail": f"returned {plain(_d(data['returned']))},"
                f" profit share {plain(_d(data['profit_share']))}",
            }
        case _:
            return None
    found.setdefault("decision_id", line)
    return found


def _fill(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "market": data["market"],
        "leader_fill_id": data["leader_fill_id"],
        "leader_fill_size": _dec(data["leader_size"]),
        "leader_fill_price": _dec(data["leader_price"]),
    }


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _dec(value: Any) -> Decimal | None:
    return None if value is None else _d(value)


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
