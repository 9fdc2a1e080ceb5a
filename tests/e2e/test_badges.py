"""Badges over HTTP against a real server, on SQLite and on PostgreSQL: a first close
issues a badge that the owner sees with its mint status; anyone, signed in or not, reads
its metadata, image and credential; the credential verifies against the server's JWK set
with a library other than the signer's; an admin's revocation turns its bit on in the
holder's status list; a private profile's badges are its owner's alone; bad token ids
answer 422 naming token_id and unknown ones 404."""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from astratrade.badges.domain.status_list import revoked_in

from .conftest import (
    DATABASES,
    Admin,
    Server,
    Trader,
    assert_error,
    create_trader,
    eventually,
    make_client,
    module_server,
    new_admin,
)


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    yield from module_server(tmp_path_factory, request, request.param)


@pytest.fixture(scope="module")
def earned(server: Server) -> tuple[Trader, dict[str, Any]]:
    """A trader whose first close (on the manual feed) unlocked FIRST_TRADE, and its badge
    as /badges/me lists it."""
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    trader = create_trader(server, "badge")
    admin.set_price("ETH-USD", "3000")
    trader.market("buy", "0.1", market="ETH-USD")
    admin.set_price("ETH-USD", "3030")
    trader.market("sell", "0.1", market="ETH-USD")
    mine = eventually(lambda: trader.get("/badges/me").json()["items"], lambda items: items)
    assert [b["achievement"] for b in mine] == ["FIRST_TRADE"], mine
    return trader, mine[0]


def verified(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    with warnings.catch_warnings():  # RFC 9864 prefers "Ed25519"; the platform signs "EdDSA"
        warnings.simplefilter("ignore")
        found = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
    payload: dict[str, Any] = json.loads(found.payload)
    return payload


def test_the_owner_sees_the_badge_with_its_mint_status(
    earned: tuple[Trader, dict[str, Any]],
) -> None:
    _, badge = earned
    assert badge["mint_status"] == "off_chain"
    assert "off-chain" in badge["mint_note"]
    assert badge["level"] == 1
    assert badge["revoked"] is False
    assert badge["token_id"].isdigit()
    assert int(badge["token_id"]) < 2**256


def test_anyone_reads_the_metadata_and_the_image(
    server: Server, http: httpx.Client, earned: tuple[Trader, dict[str, Any]]
) -> None:
    token = earned[1]["token_id"]
    metadata = http.get(f"/badges/{token}")
    assert metadata.status_code == 200, metadata.text
    body = metadata.json()
    assert body["name"] == "First Trade badge"
    assert body["locked"] is True
    assert [a["trait_type"] for a in body["attributes"]] == [
        "achievement",
        "earned at",
        "level then",
    ]
    image = httpx.get(body["image"].replace("http://127.0.0.1:8000", server.base_url))
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    assert image.text.startswith("<svg")
    assert "http" not in image.text.replace("http://www.w3.org/2000/svg", "")
    assert len(image.content) < 2048


def test_the_credential_verifies_against_the_published_keys(
    server: Server, http: httpx.Client, earned: tuple[Trader, dict[str, Any]]
) -> None:
    token = earned[1]["token_id"]
    jwks = httpx.get(f"{server.base_url}/.well-known/jwks.json").json()
    response = http.get(f"/badges/{token}/credential")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+jwt")
    credential = verified(response.text, jwks)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["achievement"]["name"] == "First Trade"
    tampered = response.text[:-2] + ("AA" if not response.text.endswith("AA") else "BB")
    with pytest.raises(BadSignatureError):
        verified(tampered, jwks)


def test_bad_and_unknown_token_ids(http: httpx.Client) -> None:
    for bad in ("abc", "-1", "01", str(2**256)):
        for path in (f"/badges/{bad}", f"/badges/{bad}/image.svg", f"/badges/{bad}/credential"):
            assert_error(http.get(path), 422, "token_id")
    assert_error(http.get("/badges/1"), 404)
    assert_error(http.get("/badges/1/credential"), 404)


def test_a_private_profiles_badges_are_its_owners_alone(
    server: Server, http: httpx.Client, earned: tuple[Trader, dict[str, Any]]
) -> None:
    trader, badge = earned
    path = f"/users/{trader.username}/badges"
    assert [b["token_id"] for b in http.get(path).json()["items"]] == [badge["token_id"]]
    other = create_trader(server, "peek")
    assert trader.put("/profiles/me", json={"visibility": "private"}).status_code == 200
    try:
        eventually(lambda: http.get(path).status_code, lambda status: status == 404)
        assert_error(http.get(path), 404)
        assert_error(other.get(path), 404)
        assert trader.get(path).json()["items"][0]["token_id"] == badge["token_id"]
    finally:
        trader.put("/profiles/me", json={"visibility": "public"})


def test_an_admins_revocation_is_listed_in_the_status_list(
    server: Server, http: httpx.Client, earned: tuple[Trader, dict[str, Any]]
) -> None:
    trader, badge = earned
    token = badge["token_id"]
    jwks = httpx.get(f"{server.base_url}/.well-known/jwks.json").json()
    status = verified(http.get(f"/badges/{token}/credential").text, jwks)["credentialStatus"]
    status_url = status["statusListCredential"].replace("http://127.0.0.1:8000", server.base_url)
    slot = int(status["statusListIndex"])

    def revoked() -> bool:
        listed = verified(httpx.get(status_url).text, jwks)
        return revoked_in(listed["credentialSubject"]["encodedList"], slot)

    assert not revoked()
    assert_error(trader.post(f"/admin/badges/{token}/revoke", json={"reason": "x"}), 403)
    admin = Admin(server, new_admin(server), "")
    assert_error(admin.post(f"/admin/badges/{token}/revoke", json={"reason": ""}), 422, "reason")
    answer = admin.post(f"/admin/badges/{token}/revoke", json={"reason": "wash trading"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["revoked"] is True
    assert eventually(revoked, bool)
    assert_error(admin.post(f"/admin/badges/{token}/revoke", json={"reason": "again"}), 409)
    with make_client(server) as anyone:
        public = anyone.get(f"/users/{trader.username}/badges").json()["items"]
    assert public == []  # withdrawn badges are not shown to others
    assert trader.get("/badges/me").json()["items"][0]["revoked"] is True


def test_the_mint_queue_is_for_admins_and_checks_its_filters(
    server: Server, earned: tuple[Trader, dict[str, Any]]
) -> None:
    trader, _badge = earned
    assert_error(trader.get("/admin/badges/mints"), 403)
    admin = Admin(server, new_admin(server), "")
    assert admin.get("/admin/badges/mints").json() == {"items": [], "next_cursor": None}
    # No chain is configured here: every badge stays off-chain, none is queued.
    for bad, field in (
        ({"status": "off_chain"}, "status"),
        ({"status": "minted"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        assert_error(admin.get("/admin/badges/mints", params=bad), 422, field)
