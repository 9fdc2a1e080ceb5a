"""Period and shard edges: the loss limit's day is the UTC day whatever the server's clock,
every day of a week belongs to its Monday, and a new account id is sought a bounded number
of tries in its owner's shard."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from fakes import START

from astratrade.trading.domain.results import PeriodResults, utc_day, week_start
from astratrade.trading.domain.shards import Shards

# -- the UTC day and the Monday week ----------------------------------------------------------


@pytest.fixture
def server_far_east_of_utc() -> Iterator[None]:
    """The process's local time 13 hours ahead of UTC (POSIX TZ: the sign is inverted)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "EAST-13"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("server_far_east_of_utc")
def test_the_loss_limit_day_is_the_utc_day_whatever_the_server_clock() -> None:
    evening = START.replace(hour=10)  # Monday 10:00 UTC, 23:00 on the server
    late = START.replace(hour=12)  # Monday 12:00 UTC, Tuesday 01:00 on the server
    assert (utc_day(evening), utc_day(late)) == (date(2026, 1, 5), date(2026, 1, 5))
    results = PeriodResults()
    results.gain(D(-250), evening, D(10_000))
    assert results.day_loss(late) == D(250)


@pytest.mark.parametrize("days", range(7))
def test_every_day_of_a_week_belongs_to_its_monday(days: int) -> None:
    assert week_start(START + timedelta(days=days, hours=13)) == date(2026, 1, 5)


def test_a_week_keeps_adding_up_from_wednesday_to_sunday() -> None:
    wednesday = START + timedelta(days=2)
    results = PeriodResults()
    results.gain(D(-300), wednesday, D(10_000))
    results.deposit(D(500), wednesday + timedelta(days=2), D(9_700))
    results.gain(D(40), wednesday + timedelta(days=4), D(10_200))
    assert (results.week, results.week_capital, results.week_pnl) == (
        date(2026, 1, 5),
        D(10_500),
        D(-260),
    )


# -- a new account's id in its owner's shard ---------------------------------------------------


def test_a_new_id_is_sought_64_tries_per_shard_then_refused_naming_the_shard() -> None:
    shards = Shards(2)
    tried: list[str] = []

    def ids_of_shard_zero() -> str:
        tried.append("system-house")  # shard 0's house: never an id of shard 1
        return tried[-1]

    with pytest.raises(RuntimeError) as raised:
        shards.new_id(ids_of_shard_zero, 1)
    assert str(raised.value) == "no id for shard 1 after 128 tries"
    assert len(tried) == 128
