"""A deployment that does not run every context yet (its service URLs name no `social`):
the gateway starts, routes the others, and answers 503 for the missing one's paths."""

from __future__ import annotations

import pytest

from astratrade.config import Settings
from astratrade.entrypoints.gateway.upstreams import Unavailable, Upstreams

URLS = (
    "users=http://users:8000,trading=http://trading:8000,"
    "financial=http://financial:8000,gamification=http://gamification:8000"
)


async def test_a_context_without_a_url_is_unavailable_and_the_others_are_routed() -> None:
    settings = Settings(service_urls=URLS, jwt_secret="s" * 40)
    assert settings.services_with_urls() == ("users", "trading", "financial", "gamification")
    upstreams = Upstreams(settings)
    try:
        assert str(upstreams.client("trading").base_url) == "http://trading:8000"
        with pytest.raises(Unavailable) as missing:
            upstreams.client("social")
        assert (missing.value.context, missing.value.status) == ("social", 503)
        assert "not deployed" in str(missing.value)
    finally:
        await upstreams.close()
