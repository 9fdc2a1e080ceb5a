"""Live accounts' links to Extended, in `trading.venue_links`, their secrets sealed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.sealing import Sealer
from astratrade.infrastructure.upsert import upsert
from astratrade.infrastructure.writer import Writer
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.venue_link import VenueLink


def _label(account_id: str, field: str) -> str:
    # Binds each sealed value to its row and column: moved elsewhere, it does not open.
    return f"venue-link:{account_id}:{field}"


class SqlVenueLinks:
    def __init__(self, writer: Writer, read_db: AsyncEngine, sealer: Sealer) -> None:
        self._writer, self._db, self._sealer = writer, read_db, sealer

    async def save(self, link: VenueLink) -> None:
        seal = self._sealer.seal
        row: dict[str, Any] = {
            "account_id": link.account_id,
            "owner_id": link.owner_id,
            "venue": link.venue,
            "vault_id": link.vault_id,
            "venue_account_id": link.venue_account_id,
            "stark_public_key": link.public_key_hex,
            "api_key_sealed": seal(link.api_key, _label(link.account_id, "api_key")),
            "stark_private_key_sealed": seal(
                hex(link.private_key), _label(link.account_id, "stark_private_key")
            ),
            "connected_at": link.connected_at,
        }

        def write(conn: Connection) -> None:
            upsert(conn, t.venue_links, [row], ["account_id"])

        await self._writer.run(write)

    async def get(self, account_id: str) -> VenueLink | None:
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    select(t.venue_links).where(t.venue_links.c.account_id == account_id)
                )
            ).first()
        return None if row is None else self._opened(row)

    async def connected(self) -> list[VenueLink]:
        """Every live account's link (the account streams follow each)."""
        return await connected_links(self._db, self._sealer)

    def _opened(self, row: Any) -> VenueLink:
        return _opened(row, self._sealer)

    async def delete(self, account_id: str) -> bool:
        def remove(conn: Connection) -> bool:
            done = conn.execute(
                delete(t.venue_links).where(t.venue_links.c.account_id == account_id)
            )
            return bool(done.rowcount)

        return await self._writer.run(remove)


async def connected_links(db: AsyncEngine, sealer: Sealer) -> list[VenueLink]:
    """Every live account's link, read only (reconciliation asks the venue with each)."""
    async with db.connect() as conn:
        rows = (await conn.execute(select(t.venue_links))).all()
    return [_opened(row, sealer) for row in rows]


def _opened(row: Any, sealer: Sealer) -> VenueLink:
    account_id = row.account_id
    unseal = sealer.open
    return VenueLink(
        account_id=row.account_id,
        owner_id=row.owner_id,
        vault_id=int(row.vault_id),
        public_key=int(row.stark_public_key, 16),
        venue_account_id=int(row.venue_account_id),
        connected_at=row.connected_at,
        api_key=unseal(row.api_key_sealed, _label(account_id, "api_key")),
        private_key=int(
            unseal(row.stark_private_key_sealed, _label(account_id, "stark_private_key")), 16
        ),
        venue=row.venue,
    )
