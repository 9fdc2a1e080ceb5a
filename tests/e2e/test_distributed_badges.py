"""The badges service in distributed mode (`astratrade up --distributed` on PostgreSQL and
Redis), through the gateway: a first close's badge arrives over gamification's stream,
and its credential, signed with the configured key, verifies against the JWK set the
gateway routes from the root to the badges service."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from .conftest import Admin, create_trader, new_admin
from .distributed import STARTUP_SECONDS, Distributed, distributed
from .test_distributed_journey import round_trip, until_within

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
SIGNING_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()  # every replica's


@pytest.fixture
def server(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Distributed]:
    with distributed(
        tmp_path,
        fresh_postgres_url,
        redis_url,
        redis_prefix,
        realtime_replicas=0,  # no sockets here; two processes fewer on 2 cores
        clock="system",
        badge_signing_key=SIGNING_KEY,
    ) as srv:
        yield srv


def test_a_badge_crosses_the_streams_and_its_credential_verifies(server: Distributed) -> None:
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    trader = create_trader(server, "dist")
    round_trip(trader)
    mine = until_within(
        lambda: trader.get("/badges/me").json().get("items", []), bool, STARTUP_SECONDS
    )
    assert [b["achievement"] for b in mine] == ["FIRST_TRADE"], mine

    jwks = httpx.get(f"{server.base_url}/.well-known/jwks.json").json()
    token = httpx.get(f"{server.base_url}/api/v1/badges/{mine[0]['token_id']}/credential")
    assert token.status_code == 200, token.text
    with warnings.catch_warnings():  # RFC 9864 prefers "Ed25519"; the platform signs "EdDSA"
        warnings.simplefilter("ignore")
        checked = jws.deserialize_compact(
            token.text, KeySet.import_key_set(jwks), algorithms=["EdDSA"]
        )
    credential: dict[str, Any] = json.loads(checked.payload)
    assert credential["credentialSubject"]["achievement"]["name"] == "First Trade"
