"""Trading's account use cases: the venue's system accounts, opening practice, live and
tournament accounts, transfers, leverage and the daily loss limit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from astratrade.shared.errors import Forbidden
from astratrade.shared.money import MONEY_PLACES, ZERO, decimal_places, money, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind, LeverageSettings, TradingWindow
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    OpenLiveAccount,
    OpenPracticeAccount,
    OpenTournamentAccount,
    SetDailyLossLimit,
    SetLeverage,
    SetLeverageLimit,
)
from astratrade.trading.domain.errors import Conflict, InvalidOrder, NotFound
from astratrade.trading.domain.events import TransferRefused
from astratrade.trading.domain.execution import enforce_loss_limit
from astratrade.trading.domain.margin import summarize
from astratrade.trading.domain.shards import house_id, insurance_id
from astratrade.trading.domain.venue import SystemAccounts, Venue
from astratrade.trading.ports import LiveAccessQuery, TradingUnitOfWork

EXTERNAL_ID = "external"  # where a live account's withdrawals go: off the platform


async def system_accounts(uow: TradingUnitOfWork, venue: Venue, account_id: str) -> SystemAccounts:
    """The house and insurance fund of the account's shard."""
    shard = venue.shards.of(account_id)
    house = await uow.accounts.get(house_id(shard))
    insurance = await uow.accounts.get(insurance_id(shard))
    if house is None or insurance is None:
        raise RuntimeError("the venue's system accounts are missing; run ensure_system_accounts")
    return SystemAccounts(house, insurance)


async def ensure_system_accounts(
    uow: TradingUnitOfWork, venue: Venue, insurance_seed: Decimal, at: datetime, shard: int = 0
) -> None:
    """The shard's house and insurance fund, created once; the house seeds the fund."""
    house_of, insurance_of = house_id(shard), insurance_id(shard)
    if await uow.accounts.get(house_of) is not None:
        return
    house, insurance = (
        Account.open(
            account_id,
            owner_id=None,
            kind=kind,
            currency="USD",
            default_leverage=venue.rules.default_leverage,
            at=at,
        )
        for account_id, kind in (
            (house_of, AccountKind.HOUSE),
            (insurance_of, AccountKind.INSURANCE),
        )
    )
    for account in (house, insurance):
        uow.accounts.add(account)
    insurance.deposit(insurance_seed, source=house_of, reason="insurance_seed", at=at)
    house.adjust(-insurance_seed)
    await uow.commit()


async def owned_account(uow: TradingUnitOfWork, account_id: str, owner_id: str) -> Account:
    account = await uow.accounts.get(account_id)
    if account is None or account.owner_id != owner_id:
        raise NotFound(f"account {account_id} not found")
    return account


async def open_practice_account(
    cmd: OpenPracticeAccount, uow: TradingUnitOfWork, venue: Venue, grant: Decimal, at: datetime
) -> Account:
    """Idempotent: a trader has one practice account, opened with the practice grant."""
    existing = await _owned_of_kind(uow, cmd.owner_id, AccountKind.PRACTICE)
    if existing is not None:
        return existing
    shards = venue.shards
    account = Account.open(
        shards.new_id(venue.ids, shards.owner_shard(cmd.owner_id)),
        owner_id=cmd.owner_id,
        kind=AccountKind.PRACTICE,
        currency="USD",
        default_leverage=venue.rules.default_leverage,
        at=at,
    )
    uow.accounts.add(account)
    system = await system_accounts(uow, venue, account.id)
    account.deposit(grant, source=system.house.id, reason="practice_grant", at=at)
    system.house.adjust(-grant)
    await uow.commit()
    return account


async def open_live_account(
    cmd: OpenLiveAccount,
    uow: TradingUnitOfWork,
    venue: Venue,
    access: LiveAccessQuery,
    at: datetime,
) -> Account:
    """Live trading needs a level earned in practice and a passed KYC check. Idempotent: a
    trader has one live account; it starts empty (USDC arrives by deposit)."""
    existing = await _owned_of_kind(uow, cmd.owner_id, AccountKind.LIVE)
    if existing is not None:
        return existing
    unlocked, kyc = await access(cmd.owner_id)
    missing = [
        why
        for ok, why in ((unlocked, "reach level 3 in practice"), (kyc, "pass the KYC check"))
        if not ok
    ]
    if missing:
        raise Forbidden(f"live trading needs you to {' and '.join(missing)} first")
    shards = venue.shards
    account = Account.open(
        shards.new_id(venue.ids, shards.owner_shard(cmd.owner_id)),
        owner_id=cmd.owner_id,
        kind=AccountKind.LIVE,
        currency="USDC",
        default_leverage=venue.rules.default_leverage,
        at=at,
    )
    uow.accounts.add(account)
    await uow.commit()
    return account


async def open_tournament_account(
    cmd: OpenTournamentAccount, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> Account:
    """Idempotent by the account id the tournament chose. The capital comes from the house
    and is all the account ever gets: tournament accounts take no deposits."""
    existing = await uow.accounts.get(cmd.account_id)
    if existing is not None:
        return existing
    account = Account.open(
        cmd.account_id,
        owner_id=cmd.owner_id,
        kind=AccountKind.TOURNAMENT,
        currency="USD",
        default_leverage=venue.rules.default_leverage,
        at=at,
        window=TradingWindow(cmd.markets, cmd.opens_at, cmd.closes_at),
    )
    uow.accounts.add(account)
    system = await system_accounts(uow, venue, account.id)
    account.deposit(
        cmd.starting_capital, source=system.house.id, reason="tournament_capital", at=at
    )
    system.house.adjust(-cmd.starting_capital)
    await uow.commit()
    return account


async def apply_transfer(
    cmd: ApplyTransfer, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """Financial's transfer, applied to the collateral by its single writer: a faucet
    top-up from the house, or a withdrawal of at most what margin leaves available now
    (refused with TransferRefused otherwise; financial checked when it was asked, but an
    order or a loss may have come between)."""
    account = await uow.accounts.get(cmd.account_id)
    if account is None:
        raise NotFound(f"account {cmd.account_id} not found")
    system = await system_accounts(uow, venue, account.id)
    refusal = _refusal(cmd, account, venue)
    if refusal is not None:
        account.record(
            TransferRefused(transfer_id=cmd.transfer_id, account_id=account.id, reason=refusal)
        )
    elif cmd.kind == "faucet":
        account.deposit(
            cmd.amount, source=system.house.id, reason="faucet", at=at, transfer_id=cmd.transfer_id
        )
        system.house.adjust(-cmd.amount)
    else:
        practice = account.kind is AccountKind.PRACTICE
        account.withdraw(
            cmd.amount,
            destination=system.house.id if practice else EXTERNAL_ID,
            transfer_id=cmd.transfer_id,
            at=at,
        )
        if practice:  # virtual dollars go back to the house; live ones leave the platform
            system.house.adjust(cmd.amount)
    await uow.commit()


def _refusal(cmd: ApplyTransfer, account: Account, venue: Venue) -> str | None:
    if cmd.kind == "faucet":
        return None if account.kind is AccountKind.PRACTICE else "not a practice account"
    if cmd.kind != "withdrawal" or account.kind in (AccountKind.TOURNAMENT, AccountKind.COPY):
        return f"a {account.kind.value} account takes no {cmd.kind}"
    available = money(account.margin(venue.marks, venue.markets).available)  # as shown
    if cmd.amount > available:
        return f"only {plain(max(available, ZERO))} is available now"
    return None


async def set_leverage(cmd: SetLeverage, uow: TradingUnitOfWork, venue: Venue) -> Account:
    account = await owned_account(uow, cmd.account_id, cmd.owner_id)
    market = venue.market(cmd.market)
    if cmd.leverage < 1 or cmd.leverage != cmd.leverage.to_integral_value():
        raise InvalidOrder("leverage", f"leverage must be a whole number >= 1, was {cmd.leverage}")
    unlocked = await uow.limits.get(account.owner_id)
    position = account.positions.get(market.id)
    notional = position.notional(venue.marks[market.id]) if position else ZERO
    tier_cap = market.tier_for(notional).max_leverage
    if cmd.leverage > unlocked:
        raise InvalidOrder(
            "leverage", f"leverage was {plain(cmd.leverage)}, unlocked max is {plain(unlocked)}"
        )
    if cmd.leverage > tier_cap:
        raise InvalidOrder(
            "leverage",
            f"leverage was {plain(cmd.leverage)}, {market.id} allows {plain(tier_cap)}x "
            f"for a ${plain(notional.quantize(ZERO))} position",
        )
    proposed = LeverageSettings(account.leverage.default, {**account.leverage})
    proposed[market.id] = cmd.leverage
    after = summarize(
        account.collateral,
        account.positions,
        account.open_orders.values(),
        venue.marks,
        venue.markets,
        proposed,
    )
    if after.available < ZERO:
        raise InvalidOrder(
            "leverage",
            f"leverage {plain(cmd.leverage)}x needs more initial margin than is available",
        )
    account.set_leverage(market.id, cmd.leverage)
    await uow.commit()
    return account


async def set_daily_loss_limit(
    cmd: SetDailyLossLimit, uow: TradingUnitOfWork, at: datetime
) -> Account:
    """Lowering takes effect at once. Once today's losses reach the limit it can be neither
    raised nor removed before the next UTC day: the limit exists for the heat of the moment."""
    account = await owned_account(uow, cmd.account_id, cmd.owner_id)
    limit = cmd.daily_loss_limit
    if limit is not None and limit <= ZERO:
        raise InvalidOrder(
            "daily_loss_limit", f"daily_loss_limit must be above 0 (or null), was {plain(limit)}"
        )
    if limit is not None and decimal_places(limit) > MONEY_PLACES:
        raise InvalidOrder(
            "daily_loss_limit",
            f"daily_loss_limit {plain(limit)} has more than {MONEY_PLACES} decimal places",
        )
    current = account.daily_loss_limit
    loosens = current is not None and (limit is None or limit > current)
    if loosens and account.loss_limit_reached(at):
        raise Conflict(
            "today's losses reached the daily loss limit: it can be lowered, "
            "but not raised or removed before 00:00 UTC"
        )
    account.set_daily_loss_limit(limit)
    enforce_loss_limit(account, at)
    await uow.commit()
    return account


async def set_leverage_limit(cmd: SetLeverageLimit, uow: TradingUnitOfWork, at: datetime) -> None:
    await uow.limits.set(cmd.owner_id, cmd.max_leverage, at)
    await uow.commit()


async def _owned_of_kind(
    uow: TradingUnitOfWork, owner_id: str, kind: AccountKind
) -> Account | None:
    """The owner's account of this kind, if it has one (a trader has one of each)."""
    for account_id in await uow.accounts.ids_of_owner(owner_id):
        existing = await uow.accounts.get(account_id)
        if existing is not None and existing.kind is kind:
            return existing
    return None
