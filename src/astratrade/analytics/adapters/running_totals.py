"""The running totals of closed trades per account, market and side
(`analytics_trade_totals`): a row holds the totals of every trade closed up to and
including its day, so a period's totals are two rows' difference. A batch's closes are
added in at most three reads and one write, however many accounts, markets and sides it
touches (a read and a write a key before)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from astratrade.analytics.adapters.tables import trade_totals
from astratrade.analytics.domain.totals import TradeTotals
from astratrade.infrastructure.rows_by_key import among, key_values, rows_by_key
from astratrade.infrastructure.upsert import upsert

Key = tuple[str, str, str]  # account, market, side
KEY = ("account_id", "market", "side")
RUNNING_KEY = (*KEY, "day")
TOTALS = tuple(f.name for f in fields(TradeTotals))


def totals_of(row: Mapping[Any, Any]) -> TradeTotals:
    return TradeTotals(**{name: row[name] for name in TOTALS})


def row_of(totals: TradeTotals) -> dict[str, Any]:
    """The totals' columns (`dataclasses.asdict` deep-copies each value: a third of the
    running totals' CPU)."""
    return {name: getattr(totals, name) for name in TOTALS}


def add_running(conn: Connection, added: dict[Key, dict[date, TradeTotals]]) -> None:
    """Add each key's totals of each day to the running row of that day (made from the
    latest row before it when there is none) and to every later row (a close on a day the
    manual clock went back to)."""
    if not added:
        return
    firsts = {key: min(days) for key, days in added.items()}
    since = min(firsts.values())
    stored: dict[Key, dict[date, TradeTotals]] = {key: {} for key in added}
    params = {**key_values(set(added)), "since": since}
    for row in conn.execute(_from(conn.dialect.name), params).mappings():
        key = (row["account_id"], row["market"], row["side"])
        if key in stored:
            stored[key][row["day"]] = totals_of(row)
    # A key's base is its latest row before its first day: read from before `since` only
    # for the keys that have none between `since` and their first day.
    bare = {key for key in added if not any(day < firsts[key] for day in stored[key])}
    before = _latest_before(conn, bare, since)
    written = []
    for key, added_on in added.items():
        rows, first = stored[key], firsts[key]
        earlier = [day for day in rows if day < first]
        base = rows[max(earlier)] if earlier else before.get(key, TradeTotals())
        extra = TradeTotals()  # what this batch adds, up to the day at hand
        for day in sorted({day for day in rows if day >= first} | set(added_on)):
            extra = extra + added_on.get(day, TradeTotals())
            base = rows.get(day, base)  # the stored running totals at that day
            written.append(dict(zip(RUNNING_KEY, (*key, day), strict=True), **row_of(base + extra)))
    upsert(conn, trade_totals, written, RUNNING_KEY)


def _latest_before(conn: Connection, keys: set[Key], since: date) -> dict[Key, TradeTotals]:
    if not keys:
        return {}
    params = {**key_values(keys), "since": since}
    latest = {
        (account, market, side, day)
        for account, market, side, day in conn.execute(_latest(conn.dialect.name), params)
        if (account, market, side) in keys
    }
    rows = rows_by_key(conn, trade_totals, RUNNING_KEY, latest)
    return {key[:3]: totals_of(row) for key, row in rows.items()}


@cache
def _from(dialect: str) -> Select[Any]:
    t = trade_totals.c
    return select(trade_totals).where(
        among(dialect, trade_totals, KEY), t.day >= bindparam("since")
    )


@cache
def _latest(dialect: str) -> Select[Any]:
    t = trade_totals.c
    return (
        select(t.account_id, t.market, t.side, func.max(t.day))
        .where(among(dialect, trade_totals, KEY), t.day < bindparam("since"))
        .group_by(t.account_id, t.market, t.side)
    )
