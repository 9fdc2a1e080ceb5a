"""LeaderFilled: what a leading practice account's fill tells copy trading."""

from __future__ import annotations

from astratrade.shared.money import ZERO, money
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.events import LeaderFilled
from astratrade.trading.domain.margin import Markets, Marks
from astratrade.trading.domain.orders import Fill, Liquidity


def announce_leader_fill(account: Account, fill: Fill, marks: Marks, markets: Markets) -> None:
    """A leading account's fill, for copy trading: the position before it and the equity
    right after it at the marks (callers check `account.leading` first, so accounts that
    lead nobody pay nothing for this)."""
    held = account.positions.get(fill.market)
    after = held.size if held is not None else ZERO
    account.record(
        LeaderFilled(
            fill_id=fill.id,
            account_id=account.id,
            owner_id=account.owner_id,
            market=fill.market,
            side=fill.side.value,
            size=fill.size,
            price=fill.price,
            position_before=after - fill.size * fill.side.sign,
            equity=money(account.margin(marks, markets).equity),
            leverage=account.leverage[fill.market],
            liquidation=fill.liquidity is Liquidity.LIQUIDATION,
        )
    )
