"""Waiting out an unreachable Redis: backoff from 0.1 s doubling to 5 s, one log line an
attempt (calls failing together count once), one line once Redis answers; and a live view
shown each event once when a lost stream is filled again; an odd socket error while Redis
is down counts as the outage."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from astratrade.infrastructure.reconnect import Reconnect, outage_as_unreachable
from astratrade.infrastructure.redis_backbone import ShownEvents
from astratrade.shared.messages import Envelope

REFUSED = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_failed_attempts_back_off_to_the_cap_with_one_line_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    reconnect = Reconnect("relay", monotonic=clock)
    delays = []
    with caplog.at_level(logging.WARNING):
        for _ in range(9):
            delays.append(reconnect.failed(REFUSED))
            clock.now += delays[-1]
        reconnect.succeeded()
        reconnect.succeeded()  # up already: nothing to say
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10
    assert lines[0] == (
        "relay: Redis unreachable (ConnectionError: Error 111 connecting to 127.0.0.1:6379. "
        "Connection refused.); attempt 1, next in 0.1 s"
    )
    assert lines[-1] == "relay: Redis reachable again after 9 failed attempts in 21.3 s"
    assert "Traceback" not in caplog.text


def test_calls_failing_before_the_next_attempt_count_as_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    reconnect = Reconnect("rate-limits", monotonic=clock)
    with caplog.at_level(logging.WARNING):
        assert reconnect.failed(REFUSED) == 0.1
        clock.now = 0.04
        assert not reconnect.due()
        assert reconnect.failed(REFUSED) == pytest.approx(0.06)  # the same attempt
        clock.now = 0.1
        assert reconnect.due()
        assert reconnect.failed(REFUSED) == 0.2
    assert reconnect.attempts == 2
    assert len(caplog.records) == 2


def envelope(event_id: str, at: datetime) -> Envelope:
    return Envelope(
        event_id=event_id,
        type="XpAwarded",
        version=1,
        context="gamification",
        aggregate_id="u1",
        aggregate_version=1,
        occurred_at=at,
        payload={},
    )


def test_an_event_sent_again_is_shown_once() -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    events = [envelope(f"e{n}", start + timedelta(seconds=n)) for n in range(5)]
    new = envelope("e5", start + timedelta(seconds=5))
    shown = ShownEvents(capacity=10)
    assert [shown.first_time(e) for e in events] == [True] * 5
    # The relay sends the window again after Redis lost the stream, then what is new.
    assert [shown.first_time(e) for e in [*events, new]] == [False] * 5 + [True]

    forgetful = ShownEvents(capacity=2)  # remembers e3 and e4: e0 to e2 are older
    assert [forgetful.first_time(e) for e in events] == [True] * 5
    assert [forgetful.first_time(e) for e in [*events[:2], *events[3:], new]] == [
        False,
        False,
        False,
        False,
        True,
    ]


class Pinged:
    """Redis as `outage_as_unreachable` sees it: a PING that answers or fails."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error

    async def ping(self) -> bool:
        if self.error is not None:
            raise self.error
        return True


async def fail_inside(redis: Pinged, error: Exception) -> None:
    async with outage_as_unreachable(redis):
        raise error


async def test_an_odd_socket_error_while_redis_is_down_is_the_outage() -> None:
    closed = RuntimeError("unable to perform operation on <TCPTransport closed=True>")
    with pytest.raises(RedisConnectionError) as raised:
        await fail_inside(Pinged(REFUSED), closed)
    assert raised.value is REFUSED
    assert raised.value.__cause__ is closed


async def test_an_odd_error_while_redis_answers_keeps_its_own_type() -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        await fail_inside(Pinged(None), RuntimeError("a bug"))


async def test_redis_errors_pass_through_without_a_ping() -> None:
    never_asked = Pinged(AssertionError("pinged"))
    with pytest.raises(ResponseError, match="NOGROUP"):
        await fail_inside(never_asked, ResponseError("NOGROUP no such group"))
    with pytest.raises(RedisConnectionError):
        await fail_inside(never_asked, REFUSED)
