"""Several read models' shares of a batch packed into single-writer steps: in order, none
over the step's room, nothing lost or doubled."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from astratrade.infrastructure.projections import _packed


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=80), max_size=12),
    room=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)
def test_packed_parts_keep_the_order_and_hold_at_most_the_room(
    sizes: list[int], room: int | None
) -> None:
    shares: list[Any] = [
        (f"feed-{n}", [(f"e{n}.{i}", None) for i in range(size)]) for n, size in enumerate(sizes)
    ]

    parts = _packed(shares, room)

    flat = [(feed, item) for part in parts for feed, piece in part for item in piece]
    assert flat == [(feed, item) for feed, share in shares for item in share]
    assert all(part for part in parts)
    if room is not None:
        assert all(sum(len(piece) for _, piece in part) <= room for part in parts)
        total = sum(sizes)
        assert len(parts) == -(-total // room)  # as few as hold them
