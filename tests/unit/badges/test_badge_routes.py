"""Where badges' routes are answered: the gateway sends /api/v1/badges/... and the JWK set
at the root to the badges service."""

from __future__ import annotations

from astratrade.entrypoints.gateway.routing import Router


def test_the_gateway_routes_badges_paths_and_the_jwks_to_the_badges_service() -> None:
    router = Router()
    for path in (
        "/api/v1/badges/me",
        "/api/v1/badges/12345",
        "/api/v1/badges/12345/image.svg",
        "/api/v1/badges/12345/credential",
        "/api/v1/badges/status/0123456789abcdef0123456789abcdef",
        "/api/v1/users/ann/badges",
        "/.well-known/jwks.json",
    ):
        assert router.context_for(path, "GET") == "badges", path
    assert router.context_for("/api/v1/admin/badges/1/revoke", "POST") == "badges"
    assert router.context_for("/api/v1/admin/badges/mints", "GET") == "badges"
