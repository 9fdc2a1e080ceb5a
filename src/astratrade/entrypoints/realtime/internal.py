"""The live channels' reads, answered for a hub that runs elsewhere (the realtime service,
or trading's replicas): each context's service answers its own.

- gamification: `GET /internal/v1/live/progression/{user_id}`, `/live/boards/{channel}`,
  `/live/tournaments/{id}`;
- trading (trading's queries, beside the engine): `GET /internal/v1/live/accounts/{id}`
  (the `account` channel's figures), `/live/accounts/{id}/owner`,
  `/live/positions/{user_id}`, `/live/orders/{user_id}` (open ones);
- social: `GET /internal/v1/live/feed/{user_id}` (the home feed's first page) and
  `POST /internal/v1/live/feed/audience` (`{"envelope", "watching"}`: a new post and who
  of those watching gets it);
- copy trading: `GET /internal/v1/live/copies/{id}/owner` (`{copier_id, copy_account_id}`)
  and `/live/copies/{id}/of/{user_id}` (the `copy:<id>` snapshot; another's copy: 404),
  `/live/leaders/{user_id}` (the `leader` channel's figures)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from astratrade.copytrading.api.live import LiveCopies
from astratrade.entrypoints.realtime.connection import as_json
from astratrade.entrypoints.realtime.trading_reads import LocalTradingReads
from astratrade.entrypoints.realtime.views import BOARDS
from astratrade.infrastructure.event_store import envelope_from_json
from astratrade.infrastructure.web.internal import internal_router
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.social.views.live import LiveFeed

PREFIX = "/internal/v1/live"
router = internal_router(PREFIX)  # gamification's
trading_router = internal_router(PREFIX)
social_router = internal_router(PREFIX)
copytrading_router = internal_router(PREFIX)


def _json(data: Any) -> Response:
    return Response(as_json(data), media_type="application/json")


@router.get("/progression/{user_id}")
async def live_progression(user_id: str, request: Request) -> Response:
    return _json(await request.app.state.live_views.progression_of(user_id))


@router.get("/boards/{channel}")
async def live_board(channel: str, request: Request) -> Response:
    if channel not in BOARDS:
        raise NotFound(f"no board {channel!r}")
    return _json(await request.app.state.live_views.board_top(channel))


@router.get("/tournaments/{tournament_id}")
async def live_tournament(tournament_id: str, request: Request) -> Response:
    return _json(await request.app.state.live_views.tournament_top(tournament_id))


def _trading(request: Request) -> LocalTradingReads:
    return LocalTradingReads(request.app.state.trading_queries)


@trading_router.get("/accounts/{account_id}")
async def live_account(account_id: str, request: Request) -> Response:
    found = await _trading(request).account(account_id)
    if found is None:
        raise NotFound(f"no account {account_id!r}")
    return _json(found)


@trading_router.get("/accounts/{account_id}/owner")
async def live_owner(account_id: str, request: Request) -> Response:
    return _json({"owner_id": await _trading(request).owner_of(account_id)})


@trading_router.get("/positions/{user_id}")
async def live_positions(user_id: str, request: Request) -> Response:
    return _json(await _trading(request).positions_of(user_id))


@trading_router.get("/orders/{user_id}")
async def live_orders(user_id: str, request: Request) -> Response:
    return _json(await _trading(request).open_orders_of(user_id))


def _feed(request: Request) -> LiveFeed:
    found: LiveFeed = request.app.state.social_feed
    return found


@social_router.get("/feed/{user_id}")
async def live_feed(user_id: str, request: Request) -> Response:
    return _json(await _feed(request).snapshot(user_id))


class Pushed(BaseModel):
    envelope: dict[str, Any]
    watching: list[str]


@social_router.post("/feed/audience")
async def live_feed_audience(body: Pushed, request: Request) -> Response:
    try:
        envelope = envelope_from_json(body.envelope)
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationFailed("envelope", f"not an event envelope ({error})") from error
    item, audience = await _feed(request).pushed(envelope, set(body.watching))
    return _json({"item": item, "audience": audience})


def _copies(request: Request) -> LiveCopies:
    found: LiveCopies = request.app.state.copy_live
    return found


@copytrading_router.get("/copies/{copy_id}/owner")
async def live_copy_owner(copy_id: str, request: Request) -> Response:
    owner = await _copies(request).owner_of(copy_id)
    if owner is None:
        raise NotFound(f"no copy {copy_id}")
    return _json({"copier_id": owner.copier_id, "copy_account_id": owner.copy_account_id})


@copytrading_router.get("/leaders/{user_id}")
async def live_leader(user_id: str, request: Request) -> Response:
    return _json(await _copies(request).following(user_id))


@copytrading_router.get("/copies/{copy_id}/of/{user_id}")
async def live_copy(copy_id: str, user_id: str, request: Request) -> Response:
    return _json(await _copies(request).snapshot(user_id, copy_id))
