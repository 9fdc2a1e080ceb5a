"""The gateway's API description: every service's OpenAPI merged into one, so clients see
one API whatever serves each part. A service that does not answer is named, not hidden."""

from __future__ import annotations

import asyncio
from typing import Any

from astratrade.config import CONTEXTS
from astratrade.entrypoints.gateway.upstreams import Upstreams


async def merged(
    upstreams: Upstreams, title: str, version: str, description: str
) -> dict[str, Any]:
    found = await asyncio.gather(
        *(upstreams.get_json(context, "/openapi.json") for context in CONTEXTS),
        return_exceptions=True,
    )
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": {},
        "components": {},
    }
    missing = []
    for context, part in zip(CONTEXTS, found, strict=True):
        if not isinstance(part, dict):
            missing.append(context)
            continue
        spec["paths"].update(part.get("paths", {}))
        for kind, entries in part.get("components", {}).items():
            spec["components"].setdefault(kind, {}).update(entries)
    if missing:
        spec["info"]["x-unavailable-services"] = missing
    return spec
