"""Trading's side of copy trading: each of copy trading's events run as one of trading's
commands by the single writer of the account it names (docs/copytrading.md "Copies in
trading"). Copy trading decides; these apply and report back with trading's events."""

from __future__ import annotations

from datetime import datetime

from astratrade.shared.errors import DomainError
from astratrade.shared.money import ZERO, money, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind, CopyState, CopyTerms
from astratrade.trading.domain.commands import PlaceOrder, SetLeverage
from astratrade.trading.domain.copies import (
    TRANSIT_ID,
    close_at_market,
    close_out,
    debit_profit_share,
    equity_floor,
    move_through_transit,
)
from astratrade.trading.domain.copy_commands import (
    CloseCopyAccount,
    CloseCopyPosition,
    CreditProfitShare,
    DebitProfitShare,
    FlattenCopyAccount,
    MarkLeading,
    OpenCopyAccount,
    PlaceCopyOrder,
)
from astratrade.trading.domain.errors import NotFound
from astratrade.trading.domain.events import (
    CopyAccountFlattened,
    CopyAccountFunded,
    CopyFundingRefused,
    CopyOrderRefused,
)
from astratrade.trading.domain.orders import OrderType
from astratrade.trading.domain.venue import Venue
from astratrade.trading.handlers.accounts import set_leverage, system_accounts
from astratrade.trading.handlers.orders import place_on
from astratrade.trading.ports import TradingUnitOfWork


async def mark_leading(cmd: MarkLeading, uow: TradingUnitOfWork, venue: Venue) -> None:
    """Only a practice account leads (a copy account's fills are never copied further)."""
    if cmd.account_id is not None:
        account = await uow.accounts.get(cmd.account_id)
    else:
        account = await _practice_account(uow, venue, cmd.owner_id)
    leads = account is not None and account.kind is AccountKind.PRACTICE
    if account is not None and leads and account.leading != cmd.leading:
        account.set_leading(cmd.leading)
    await uow.commit()


async def open_copy_account(
    cmd: OpenCopyAccount, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """Open and fund in one transaction, or refuse and open nothing. Idempotent by the
    account id copy trading chose."""
    if await uow.accounts.get(cmd.copy_account_id) is not None:
        await uow.commit()
        return
    source = await uow.accounts.get(cmd.source_account_id)
    if source is None:
        raise NotFound(f"account {cmd.source_account_id} not found")
    refusal = _funding_refusal(cmd, source, venue)
    if refusal is not None:
        source.record(
            CopyFundingRefused(
                copy_id=cmd.copy_id,
                copy_account_id=cmd.copy_account_id,
                source_account_id=source.id,
                reason=refusal,
            )
        )
        await uow.commit()
        return
    copy = Account.open(
        cmd.copy_account_id,
        owner_id=cmd.owner_id,
        kind=AccountKind.COPY,
        currency=source.currency,
        default_leverage=venue.rules.default_leverage,
        at=at,
        copy=CopyTerms(cmd.copy_id, equity_floor(cmd.allocation, cmd.max_loss)),
    )
    uow.accounts.add(copy)
    move_through_transit(
        source, copy, cmd.allocation, reason="copy_allocation", transfer_id=cmd.copy_id, at=at
    )
    copy.record(
        CopyAccountFunded(
            copy_id=cmd.copy_id,
            copy_account_id=copy.id,
            source_account_id=source.id,
            owner_id=cmd.owner_id,
            amount=cmd.allocation,
        )
    )
    await uow.commit()


def _funding_refusal(cmd: OpenCopyAccount, source: Account, venue: Venue) -> str | None:
    if source.kind is not AccountKind.PRACTICE or source.owner_id != cmd.owner_id:
        return "the source is not the copier's practice account"
    shards = venue.shards
    if shards.of(cmd.copy_account_id) != shards.of(source.id):
        # One writer must hold both, or the allocation and the return are not one
        # transaction (embedded mode would hide it: every shard is written there).
        return "the copy account's id is not in the source account's shard"
    if cmd.allocation <= ZERO:
        return f"allocation must be above 0, was {plain(cmd.allocation)}"
    available = money(source.margin(venue.marks, venue.markets).available)  # as shown
    if cmd.allocation > available:
        return f"allocation was {plain(cmd.allocation)}, only {plain(available)} is available"
    return None


async def place_copy_order(
    cmd: PlaceCopyOrder, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """Copy trading's market order; trading's refusal goes back as CopyOrderRefused."""
    account = await _copy_account(uow, cmd.copy_account_id)
    if account is None:
        await uow.commit()
        return
    owner = account.owner_id or ""
    try:
        if cmd.placed_before is False:  # none written: only one staged since may be
            earlier = uow.orders.staged_by_client_id(account.id, cmd.decision_id)
        else:
            earlier = await uow.orders.by_client_id(account.id, cmd.decision_id)
        if earlier is not None:  # an idempotent retry: nothing more to do
            await uow.commit()
            return
        if cmd.leverage is not None and cmd.leverage != account.leverage[cmd.market]:
            leverage = SetLeverage(
                owner_id=owner, account_id=account.id, market=cmd.market, leverage=cmd.leverage
            )
            await set_leverage(leverage, uow, venue)
        order = PlaceOrder(
            owner_id=owner,
            account_id=account.id,
            market=cmd.market,
            side=cmd.side,
            type=OrderType.MARKET,
            size=cmd.size,
            reduce_only=cmd.reduce_only,
            client_order_id=cmd.decision_id,
        )
        await place_on(account, order, uow, venue, at, looked_up=True)
    except DomainError as refused:
        if refused.kind == "unavailable":
            raise  # not a refusal: the event is delivered again
        account.record(_order_refused(account, cmd.decision_id, cmd.market, refused))
        await uow.commit()


def _order_refused(
    account: Account, decision_id: str, market: str, refused: DomainError
) -> CopyOrderRefused:
    terms = account.copy
    return CopyOrderRefused(
        copy_id=terms.copy_id if terms else "",
        copy_account_id=account.id,
        decision_id=decision_id,
        market=market,
        code=refused.code,
        message=refused.message,
    )


async def close_copy_position(
    cmd: CloseCopyPosition, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    account = await _copy_account(uow, cmd.copy_account_id)
    if account is not None and cmd.market in account.positions:
        system = await system_accounts(uow, venue, account.id)
        close_at_market(account, cmd.market, venue, system, at, cmd.decision_id)
    await uow.commit()


async def flatten_copy_account(
    cmd: FlattenCopyAccount, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """No more openings, no orders, no positions; then the collateral is all it holds."""
    found = await _unclosed_copy(uow, cmd.copy_account_id)
    if found is None:
        await uow.commit()
        return
    account, terms = found
    system = await system_accounts(uow, venue, account.id)
    close_out(account, venue, system, at, "copy stopping")
    account.set_copy_state(CopyState.STOPPING)
    account.record(
        CopyAccountFlattened(
            copy_id=terms.copy_id, copy_account_id=account.id, collateral=account.collateral
        )
    )
    await uow.commit()


async def debit_weekly_profit_share(
    cmd: DebitProfitShare, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    account = await _copy_account(uow, cmd.copy_account_id)
    if account is not None:
        debit_profit_share(
            account,
            cmd.amount,
            money(account.margin(venue.marks, venue.markets).available),  # as shown
            leader_account_id=cmd.leader_account_id,
            transfer_id=cmd.transfer_id,
            at=at,
        )
    await uow.commit()


async def close_copy_account(
    cmd: CloseCopyAccount, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """In one transaction: the final profit share out, everything left back to the source
    account, the copy account closed (it holds 0 and takes nothing more)."""
    found = await _unclosed_copy(uow, cmd.copy_account_id)
    if found is None:
        await uow.commit()
        return
    account, terms = found
    source = await uow.accounts.get(cmd.source_account_id)
    if source is None:
        raise NotFound(f"account {cmd.source_account_id} not found")
    system = await system_accounts(uow, venue, account.id)
    close_out(account, venue, system, at, "copy closed")  # flattened already, as a rule
    if cmd.leader_account_id is not None:
        debit_profit_share(
            account,
            cmd.profit_share,
            account.collateral,  # flat: all of it is free
            leader_account_id=cmd.leader_account_id,
            transfer_id=cmd.transfer_id,
            at=at,
        )
    left = account.collateral
    if left > ZERO:
        move_through_transit(
            account, source, left, reason="copy_return", transfer_id=terms.copy_id, at=at
        )
    account.set_copy_state(CopyState.CLOSED)
    await uow.commit()


async def credit_profit_share(cmd: CreditProfitShare, uow: TradingUnitOfWork, at: datetime) -> None:
    """The leader's side of a profit share, in the leader account's shard: out of transit."""
    leader = await uow.accounts.get(cmd.leader_account_id)
    if leader is None:
        raise NotFound(f"account {cmd.leader_account_id} not found")
    leader.deposit(
        cmd.amount, source=TRANSIT_ID, reason="profit_share", at=at, transfer_id=cmd.transfer_id
    )
    await uow.commit()


async def _practice_account(uow: TradingUnitOfWork, venue: Venue, owner_id: str) -> Account | None:
    """The owner's practice account, looked for in its owner's shard only (where it is
    opened): the owner's tournament accounts may be another replica's."""
    shards = venue.shards
    for account_id in await uow.accounts.ids_of_owner(owner_id):
        if shards.of(account_id) != shards.owner_shard(owner_id):
            continue
        account = await uow.accounts.get(account_id)
        if account is not None and account.kind is AccountKind.PRACTICE:
            return account
    return None


async def _unclosed_copy(
    uow: TradingUnitOfWork, account_id: str
) -> tuple[Account, CopyTerms] | None:
    """The copy account and its terms unless it is closed already (a redelivery, or a
    funding refused): then there is nothing left to do."""
    account = await _copy_account(uow, account_id)
    terms = account.copy if account is not None else None
    if account is None or terms is None or terms.state is CopyState.CLOSED:
        return None
    return account, terms


async def _copy_account(uow: TradingUnitOfWork, account_id: str) -> Account | None:
    """The copy account named, None when there is none (its funding was refused)."""
    account = await uow.accounts.get(account_id)
    return account if account is not None and account.copy is not None else None
