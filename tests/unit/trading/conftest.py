"""Fixtures over the in-memory trading fakes (see fakes.py)."""

from __future__ import annotations

import pytest
from fakes import Trading


@pytest.fixture
def trading() -> Trading:
    """The practice venue at start prices, with its house and insurance accounts."""
    return Trading()
