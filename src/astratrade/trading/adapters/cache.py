"""Trading's working set, kept in memory by the single trading writer."""

from __future__ import annotations

from decimal import Decimal

from astratrade.trading.domain.account import Account


class AccountCache:
    """Accounts loaded from the database, authoritative while this process is the only
    writer of trading state (embedded mode, or the one trading service). The database
    stays the durable record: every change is committed there before it is answered, and a
    failed commit evicts what it touched so the next use reloads the committed state.

    `active` holds the accounts with a position or an open order: the ones a price tick
    can affect. `leverage_limits` is the read model of each trader's unlocked leverage.

    Accounts change only inside a unit of work, which commits what it changed or evicts it
    before it closes: while none is open, every account here is as committed."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.active: dict[str, Account] = {}
        self.leverage_limits: dict[str, Decimal] = {}
        self.open_units = 0  # units of work under way on these accounts

    @property
    def settled(self) -> bool:
        """No unit of work is open: nothing here is changed and not yet committed."""
        return self.open_units == 0

    def get(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def put(self, account: Account) -> None:
        self.accounts[account.id] = account
        self.refresh(account)

    def refresh(self, account: Account) -> None:
        if account.positions or account.open_orders:
            self.active[account.id] = account
        else:
            self.active.pop(account.id, None)

    def evict(self, account_id: str) -> None:
        self.accounts.pop(account_id, None)
        self.active.pop(account_id, None)
