"""Trading's live venue, wired: where live accounts' keys are kept, their orders sent to
Extended, and each connected account's stream followed (docs/live-venue.md). Without a
secrets key none of it runs, and connecting a live account answers so."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from astratrade.config import Settings
from astratrade.infrastructure.sealing import Sealer, key_from_text
from astratrade.modules import Infrastructure, Loop
from astratrade.trading.adapters.venue_links import SqlVenueLinks
from astratrade.trading.domain.commands import RecordVenueReports
from astratrade.trading.engine import TradingEngine
from astratrade.trading.ports import LiveTrading, VenueLinks

if TYPE_CHECKING:
    from astratrade.trading.command_wiring import RunCommand


def venue_linking(infra: Infrastructure) -> dict[str, object]:
    """What connecting live accounts to Extended needs (api/venue.py); without a secrets
    key there is nowhere safe to keep their keys, and connecting answers so."""
    key = infra.settings.secrets_key
    if key is None:
        return {"venue_links": None}
    # Imported here: the SDK's models and aiohttp cost a third of a second at start.
    from astratrade.trading.adapters.extended_accounts import (
        ExtendedAccounts,
        stark_public_key,
    )

    return {
        "venue_links": SqlVenueLinks(infra.writer, infra.read_db, Sealer(key_from_text(key))),
        "venue_accounts": ExtendedAccounts(infra.settings.extended_api_url),
        "stark_public_key": stark_public_key,
    }


def live_trading(settings: Settings, linking: dict[str, object]) -> LiveTrading | None:
    """Live accounts' orders go to Extended once their keys can be kept (a secrets key)."""
    links = linking.get("venue_links")
    if not isinstance(links, SqlVenueLinks):
        return None
    from astratrade.trading.adapters.extended_orders import ExtendedOrders

    venue_links: VenueLinks = links
    orders = ExtendedOrders(settings.extended_api_url, settings.extended_markets)
    return LiveTrading(links=venue_links, venue=orders)


def account_streams_of(
    settings: Settings,
    linking: dict[str, object],
    engine: TradingEngine,
    commands: dict[type[Any], RunCommand],
) -> tuple[Loop, ...]:
    """Each connected live account's Extended stream, followed by the replica that writes
    the account (docs/live-venue.md)."""
    links = linking.get("venue_links")
    if not isinstance(links, SqlVenueLinks):
        return ()
    from astratrade.trading.adapters.extended_account_stream import ExtendedAccountStreams
    from astratrade.trading.adapters.extended_stream_checks import StreamChecks

    held = engine.held
    streams = ExtendedAccountStreams(
        api_url=settings.extended_api_url,
        stream_url=settings.extended_stream_url,
        names=settings.extended_markets,
        connected=links.connected,
        submit=commands[RecordVenueReports],
        writes=lambda account_id: held.shards.of(account_id) in held.tokens,
        checks=StreamChecks(engine.queries.live_holdings),
    )
    return (streams.run,)
