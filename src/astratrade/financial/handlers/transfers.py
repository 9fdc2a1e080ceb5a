"""Financial's use cases: load, decide with the pure rules, save."""

from __future__ import annotations

from datetime import datetime

from astratrade.financial.domain.commands import RequestTransfer
from astratrade.financial.domain.transfers import (
    Transfer,
    TransferKind,
    faucet_amount,
    utc_day,
    withdrawal_amount,
)
from astratrade.financial.ports import FundsQuery, TransferBook
from astratrade.shared.errors import NotFound


async def request_transfer(
    cmd: RequestTransfer,
    book: TransferBook,
    funds_of: FundsQuery,
    transfer_id: str,
    at: datetime,
) -> Transfer:
    """Decide the amount against trading's funds of the account now; trading applies it
    (and refuses it if the account can no longer afford it by then)."""
    found = await funds_of(cmd.account_id)
    if found is None or found.owner_id != cmd.owner_id:
        raise NotFound(f"account {cmd.account_id} not found")
    faucet_day = None
    if cmd.kind is TransferKind.FAUCET:
        faucet_day = utc_day(at)
        used = await book.faucet_used(cmd.account_id, faucet_day)
        amount = faucet_amount(cmd.amount, found.funds, used_today=used)
    else:
        amount = withdrawal_amount(cmd.amount, found.funds)
    transfer = Transfer.request(
        transfer_id, cmd.account_id, cmd.owner_id, cmd.kind, amount, cmd.amount
    )
    await book.record(transfer, faucet_day)
    return transfer
