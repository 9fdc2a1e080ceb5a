"""Recording what the live venue reports: its trades become the live account's fills (so
XP, the ledger, analytics and the WebSocket follow live accounts as they follow practice),
its cancels and expiries end the orders here. Each venue trade is recorded once, however
often the stream or a re-sync reports it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from astratrade.shared.money import ZERO
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import RecordVenueReports
from astratrade.trading.domain.live_orders import external_id
from astratrade.trading.domain.orders import Liquidity, Order, OrderStatus
from astratrade.trading.domain.venue_link import VENUE
from astratrade.trading.domain.venue_mirroring import mirror_venue_transfer, pay_venue_funding
from astratrade.trading.domain.venue_reports import VenueFill, VenueOrderEnd, VenuePayment
from astratrade.trading.ports import TradingUnitOfWork


async def record_venue_reports(
    cmd: RecordVenueReports,
    uow: TradingUnitOfWork,
    at: datetime,
    sending: Collection[str] = (),
) -> int:
    """How many fills were new (recorded now). Pending orders the venue reports are
    confirmed; after a complete re-sync, one it does not know is rejected (it never got
    there), unless it is on its way now (`sending`) or newer than the re-sync's reading."""
    account = await uow.accounts.get(cmd.account_id)
    if account is None or account.kind is not AccountKind.LIVE:
        return 0
    _settle_pending(account, cmd, at, sending)
    recorded = 0
    for fill in sorted(cmd.fills, key=lambda f: (f.at, f.trade_id)):
        if await _seen(fill, account, uow):
            continue
        order = await _order(fill.external_id, account, uow)
        account.fill(
            fill_id=fill.fill_id,
            order=order,
            market=fill.market,
            side=fill.side,
            size=fill.size,
            price=fill.price,
            fee_rate=fill.fee / (fill.size * fill.price) if fill.size * fill.price else ZERO,
            liquidity=Liquidity.TAKER if fill.is_taker else Liquidity.MAKER,
            at=fill.at,
            venue=VENUE,
        )
        recorded += 1
    for transfer in sorted(cmd.transfers, key=lambda t: (t.at, t.operation_id)):
        if not await _paid(transfer, account, uow):
            mirror_venue_transfer(account, transfer)
    for funding in sorted(cmd.funding, key=lambda f: (f.at, f.payment_id)):
        if not await _paid(funding, account, uow):
            pay_venue_funding(account, funding, VENUE)
    for state in cmd.ended:
        open_order = _open_by_external_id(account, state.external_id)
        if open_order is None:
            continue
        reason = state.reason or f"{state.end.value} on Extended"
        if state.end is VenueOrderEnd.EXPIRED:
            account.expire_order(open_order, reason, at)
        else:
            account.cancel_order(open_order, reason, at)
    uow.accounts.see(account)
    await uow.commit()
    return recorded


def _settle_pending(
    account: Account, cmd: RecordVenueReports, at: datetime, sending: Collection[str]
) -> None:
    pending = [o for o in account.open_orders.values() if o.status is OrderStatus.PENDING]
    for order in pending:
        if order.id in sending:
            continue
        if external_id(order) in cmd.known:
            account.confirm_order(order, at)
        elif cmd.complete_as_of is not None and order.created_at <= cmd.complete_as_of:
            account.reject_order(order, "Extended has no such order: it never reached Extended", at)


async def _paid(payment: VenuePayment, account: Account, uow: TradingUnitOfWork) -> bool:
    """Recorded already: in this command, or written (or being written)."""
    if any(p.record_id == payment.record_id for p in account.new_venue_payments):
        return True
    return await uow.orders.venue_payment_recorded(payment.record_id)


async def _seen(fill: VenueFill, account: Account, uow: TradingUnitOfWork) -> bool:
    if any(f.id == fill.fill_id for f in account.new_fills):
        return True
    return await uow.orders.fill_recorded(fill.fill_id)


def _open_by_external_id(account: Account, ext_id: str) -> Order | None:
    return next((o for o in account.open_orders.values() if external_id(o) == ext_id), None)


async def _order(ext_id: str | None, account: Account, uow: TradingUnitOfWork) -> Order | None:
    """The order a venue trade filled: open here, or finished (by client id, which is the
    external id when the trader gave one)."""
    if ext_id is None:
        return None
    found = _open_by_external_id(account, ext_id)
    if found is not None:
        return found
    return await uow.orders.by_client_id(account.id, ext_id)
