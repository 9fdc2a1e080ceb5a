"""Ids: time-ordered version-7 UUIDs, written as Python's uuid module writes them."""

import os
import time
import uuid

import pytest

from astratrade.shared.ids import new_id


def test_every_id_is_a_version_7_uuid_written_canonically() -> None:
    ids = [new_id() for _ in range(20_000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower case, dashes where uuid puts them
    assert len(set(ids)) == len(ids)


def test_ids_follow_the_clock_so_an_index_on_them_grows_at_its_right_edge() -> None:
    before_ms = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(5_000)]
    after_ms = time.time_ns() // 1_000_000
    assert ids == sorted(ids)  # one process's ids sort as they were made
    for text in (ids[0], ids[-1]):
        made_ms = uuid.UUID(text).int >> 80  # the first 48 bits: Unix time in milliseconds
        assert before_ms <= made_ms <= after_ms


def test_the_random_bits_vary() -> None:
    """Beyond the time, ids of the same millisecond differ in their random bits: the last
    twelve digits (48 of the random bits) are never all alike."""
    tails = {new_id()[-12:] for _ in range(2_000)}
    assert len(tails) == 2_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_draws_other_random_bits_than_its_parent() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.close(read)
        os.write(write, ",".join(new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    mine = [new_id() for _ in range(50)]
    with os.fdopen(read) as pipe:
        theirs = pipe.read().split(",")
    os.waitpid(pid, 0)
    assert len(theirs) == 50
    assert not {text[-12:] for text in mine} & {text[-12:] for text in theirs}
