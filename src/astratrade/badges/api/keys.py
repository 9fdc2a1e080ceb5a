"""The platform's public signing key, at the root where verifiers look for it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from astratrade.badges.api.schemas import Signer

router = APIRouter(tags=["badges"])

JWKS_PATH = "/.well-known/jwks.json"


@router.get(JWKS_PATH)
async def jwks(signer: Signer) -> JSONResponse:
    """The JWK set that badges' credentials verify with (public)."""
    keys: dict[str, Any] = signer.public_keys()
    return JSONResponse(keys, headers={"cache-control": "public, max-age=300"})
