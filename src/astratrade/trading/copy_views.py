"""What copy trading reads of its copy accounts (and its leaders' practice accounts) in one
market: the mark and each account's equity, available, collateral, signed position and the
owner's unlocked leverage (docs/copytrading.md "Copies in trading")."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from astratrade.shared.money import ZERO, money
from astratrade.trading.domain.account import Account
from astratrade.trading.views import Prices

MAX_COPY_STATES = 1000  # accounts per read: copy trading asks for one leader's copiers


@dataclass(frozen=True, slots=True)
class CopyAccountState:
    equity: Decimal
    available: Decimal
    collateral: Decimal
    position: Decimal  # signed size in the market asked about (0: none)
    unlocked_leverage: Decimal


@dataclass(frozen=True, slots=True)
class CopyStates:
    mark: Decimal
    accounts: dict[str, CopyAccountState] = field(default_factory=dict)


def copy_account_state(
    account: Account, prices: Prices, market: str, unlocked: Decimal
) -> CopyAccountState:
    margin = account.margin(prices.marks, prices.markets)
    held = account.positions.get(market)
    return CopyAccountState(
        equity=money(margin.equity),
        available=money(margin.available),
        collateral=money(margin.collateral),
        position=held.size if held is not None else ZERO,
        unlocked_leverage=unlocked,
    )
