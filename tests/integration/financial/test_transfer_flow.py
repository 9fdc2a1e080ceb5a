"""Transfers on both databases: faucet and withdrawal requests travel to trading as events,
the ledger posts them once, the transfers read model follows both streams and rebuilds
from the log, and two faucet requests at once give one top-up."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import select
from trading_platform import new_trader, reconcile

from astratrade.financial.adapters.tables import transfers
from astratrade.financial.domain.commands import RequestTransfer
from astratrade.financial.domain.transfers import FaucetUsedToday, TransferKind
from astratrade.financial.projections import TRANSFERS
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.trading.engine import TradingEngine


async def ask(
    platform: Platform, owner: str, account: str, kind: TransferKind, amount: str
) -> object:
    return await platform.bus.execute(
        RequestTransfer(owner_id=owner, account_id=account, kind=kind, amount=Decimal(amount))
    )


async def statuses(platform: Platform) -> list[tuple[str | None, str, Decimal | None]]:
    async with platform.read_db.connect() as conn:
        rows = await conn.execute(
            select(transfers.c.kind, transfers.c.status, transfers.c.amount).order_by(
                transfers.c.requested_at
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def collateral(platform: Platform, account: str) -> Decimal:
    async def read(uow: object) -> Decimal:
        found = await uow.accounts.get(account)  # type: ignore[attr-defined]
        return Decimal(found.collateral)

    return await platform.port(TradingEngine).run(read)


async def test_transfers_move_collateral_post_once_and_rebuild(platform: Platform) -> None:
    owner, account = await new_trader(platform, "tia")
    await ask(platform, owner, account, TransferKind.FAUCET, "2500")
    await ask(platform, owner, account, TransferKind.WITHDRAWAL, "1000.25")
    await platform.backbone.drain()
    assert await collateral(platform, account) == Decimal("11499.75")
    expected = [
        ("faucet", "completed", Decimal(2500)),
        ("withdrawal", "completed", Decimal("1000.25")),
    ]
    assert await statuses(platform) == expected
    report = await reconcile(platform)
    assert report.findings == []

    await rebuild(platform.read_db, platform.writer, TRANSFERS, platform.clock.now())
    assert await statuses(platform) == expected


async def test_two_withdrawals_at_once_never_take_more_than_available(
    platform: Platform,
) -> None:
    """Both may pass financial's check before trading applies either: trading refuses the
    second when it no longer fits (or financial already refuses it)."""
    owner, account = await new_trader(platform, "uma")
    results = await asyncio.gather(
        *(ask(platform, owner, account, TransferKind.WITHDRAWAL, "6000") for _ in range(2)),
        return_exceptions=True,
    )
    await platform.backbone.drain()
    assert await collateral(platform, account) == Decimal(4000)
    settled = sorted(status for _kind, status, _amount in await statuses(platform))
    accepted = [r for r in results if not isinstance(r, Exception)]
    assert settled == (["completed", "refused"] if len(accepted) == 2 else ["completed"])
    assert (await reconcile(platform)).findings == []


async def test_two_faucet_requests_at_once_give_one_top_up(platform: Platform) -> None:
    owner, account = await new_trader(platform, "vic")
    results = await asyncio.gather(
        *(ask(platform, owner, account, TransferKind.FAUCET, "1000") for _ in range(2)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["FaucetUsedToday", "Transfer"]
    assert any(isinstance(r, FaucetUsedToday) for r in results)
    await platform.backbone.drain()
    assert await collateral(platform, account) == Decimal(11_000)
