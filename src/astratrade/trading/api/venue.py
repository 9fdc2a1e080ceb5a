"""Connecting a live account to its Extended sub-account (docs/live-venue.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from astratrade.infrastructure.web.deps import Bus, CurrentUser
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.shared.errors import NotFound
from astratrade.trading.api import Trading
from astratrade.trading.api.schemas import VenueLinkIn, VenueLinkOut
from astratrade.trading.domain.commands import CancelLiveOrders
from astratrade.trading.domain.errors import VenueUnavailable
from astratrade.trading.domain.venue_link import VenueCredentials, VenueLink
from astratrade.trading.handlers import venue_links
from astratrade.trading.ports import StarkPublicKey, VenueAccounts, VenueLinks

router = APIRouter(prefix="/api/v1", route_class=DecimalRoute, tags=["trading"])


def _links(request: Request) -> VenueLinks:
    links: VenueLinks | None = request.app.state.venue_links
    if links is None:
        raise VenueUnavailable(
            "live accounts cannot connect to Extended here: ASTRATRADE_SECRETS_KEY is not set"
        )
    return links


def _out(link: VenueLink) -> VenueLinkOut:
    return VenueLinkOut(
        account_id=link.account_id,
        venue=link.venue,
        venue_account_id=link.venue_account_id,
        vault_id=link.vault_id,
        stark_public_key=link.public_key_hex,
        connected_at=link.connected_at,
    )


@router.put("/accounts/{account_id}/venue", response_model=VenueLinkOut)
async def connect_venue(
    account_id: str, body: VenueLinkIn, user: CurrentUser, trading: Trading, request: Request
) -> VenueLinkOut:
    """Connect the caller's live account to an Extended sub-account: the key pair must
    match, and Extended must know the API key with this vault and public key (422 names
    the field that does not). Connecting again replaces the keys."""
    view = await trading.queries.owned_account_view(account_id, user.user_id)  # 404 if not
    links = _links(request)
    state = request.app.state
    derive: StarkPublicKey = state.stark_public_key
    venue: VenueAccounts = state.venue_accounts
    submitted = VenueCredentials(
        api_key=body.api_key,
        vault_id=body.vault_id,
        stark_private_key=body.stark_private_key,
        stark_public_key=body.stark_public_key,
    )
    link = await venue_links.connect(
        account_id,
        user.user_id,
        str(view.kind),
        submitted,
        derive=derive,
        venue=venue,
        links=links,
        at=trading.clock.now(),
    )
    return _out(link)


@router.get("/accounts/{account_id}/venue", response_model=VenueLinkOut)
async def get_venue(
    account_id: str, user: CurrentUser, trading: Trading, request: Request
) -> VenueLinkOut:
    """The account's link to Extended (never its secrets); 404 if it has none."""
    await trading.queries.owned_account_view(account_id, user.user_id)
    link = await _links(request).get(account_id)
    if link is None:
        raise NotFound(f"account {account_id} is not connected to Extended")
    return _out(link)


@router.delete("/accounts/{account_id}/venue", status_code=204)
async def disconnect_venue(
    account_id: str, user: CurrentUser, trading: Trading, request: Request, bus: Bus
) -> Response:
    """Disconnect: every order the account has on Extended is cancelled there (a mass
    cancel) and here, then the API key and the Stark private key are deleted."""
    await trading.queries.owned_account_view(account_id, user.user_id)
    links = _links(request)
    # Extended unreachable: 503, and the link stays, to try again.
    await bus.execute(CancelLiveOrders(owner_id=user.user_id, account_id=account_id))
    await venue_links.disconnect(account_id, links)
    return Response(status_code=204)
