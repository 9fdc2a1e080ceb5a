"""A trade share's figures: side-aware ROI on the entry, hold time; nothing in dollars."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from social_support import START

from astratrade.social.domain.shares import ClosedPosition, average_price, roi_pct


@pytest.mark.parametrize(
    ("side", "entry", "exit_price", "roi"),
    [
        ("long", "60000", "61500", "2.50"),
        ("short", "60000", "61500", "-2.50"),
        ("short", "3000", "2970", "1.00"),
        ("long", "0.5", "0.49999", "0.00"),
        ("long", "150", "149.625", "-0.25"),
    ],
)
def test_roi_is_the_move_in_the_trader_s_favour(
    side: str, entry: str, exit_price: str, roi: str
) -> None:
    assert roi_pct(side, Decimal(entry), Decimal(exit_price)) == Decimal(roi)


def test_the_share_holds_no_size_and_counts_hold_time() -> None:
    closed = ClosedPosition(
        position_id="p1",
        owner_id="ada",
        market="ETH-USD",
        side="long",
        entry_price=Decimal(3000),
        exit_price=Decimal(3030),
        opened_at=START,
        closed_at=START + timedelta(hours=2, seconds=5),
    )
    share = closed.share()
    assert [f.name for f in dataclasses.fields(share)] == [
        "position_id",
        "market",
        "side",
        "entry_price",
        "exit_price",
        "roi_pct",
        "hold_seconds",
    ]
    assert (share.roi_pct, share.hold_seconds) == (Decimal("1.00"), 7205)


def test_an_average_price_is_kept_to_8_places() -> None:
    assert average_price(Decimal(100), Decimal(3)) == Decimal("33.33333333")
