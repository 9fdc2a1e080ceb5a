"""Service-to-service routes: never routed by the gateway, and each call must carry the
deployment's service key (derived from the signing secret every service already holds).
Each context declares its own internal routes with `internal_router`."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, Header, Request

from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.shared.errors import Unauthorized


def require_service_key(
    request: Request, key: str = Header(default="", alias=SERVICE_KEY_HEADER)
) -> None:
    if not hmac.compare_digest(key, request.app.state.settings.service_key):
        raise Unauthorized("service key required")


def internal_router(prefix: str = "/internal/v1") -> APIRouter:
    """Routes for the other services: out of the public schema, behind the service key."""
    options: dict[str, Any] = {"include_in_schema": False, "route_class": DecimalRoute}
    return APIRouter(prefix=prefix, dependencies=[Depends(require_service_key)], **options)
