"""A badge's Open Badges 3.0 credential: the fields OB 3.0 and the VC data model 2.0
require, signed as a VC-JWT that a library other than the signer's (joserfc) verifies
against the published JWK set, and that fails once one byte changes; the holder's
revocation list sets exactly the revoked badges' bits."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet
from jsonschema import Draft201909Validator

from astratrade.badges.adapters.signing import (
    Ed25519Signer,
    KeptKeySigner,
    NoSigner,
    signer_from,
)
from astratrade.badges.domain.badges import Badge
from astratrade.badges.domain.catalogue import CATALOGUE
from astratrade.badges.domain.credential import open_badge_credential
from astratrade.badges.domain.links import Links
from astratrade.badges.domain.status_list import (
    LIST_BITS,
    encoded_list,
    revoked_in,
    status_list_credential,
)
from astratrade.badges.domain.tokens import holder_key_of, token_id_of
from astratrade.shared.errors import Unavailable

LINKS = Links.under("https://astratrade.example")
EARNED = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
USER = "0b7d2d6e-5c39-4f0e-8e43-3a1f6c9e21d4"
SEED = bytes(range(32))


def badge(achievement: str = "RISK_MANAGER") -> Badge:
    return Badge(
        token_id=token_id_of(USER, achievement),
        user_id=USER,
        holder=holder_key_of(USER),
        achievement=achievement,
        earned_at=EARNED,
        level=3,
    )


def verified(token: str, jwks: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, payload) as joserfc verifies them against the JWK set."""
    with warnings.catch_warnings():  # RFC 9864 prefers "Ed25519"; PyJWT signs "EdDSA"
        warnings.simplefilter("ignore")
        found = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
    return found.headers(), json.loads(found.payload)


def test_the_credential_has_what_open_badges_3_requires() -> None:
    earned = badge()
    vc = open_badge_credential(earned, LINKS)
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == f"https://astratrade.example/api/v1/badges/{earned.token_id}/credential"
    assert vc["issuer"]["type"] == ["Profile"]
    assert vc["issuer"]["id"].startswith("https://")
    assert vc["validFrom"] == "2026-03-02T09:00:30Z"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert USER not in json.dumps(vc)  # the holder is named by key, never by user id
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == "https://astratrade.example/api/v1/badges/achievements/RISK_MANAGER"
    assert achievement["name"] == "Risk Manager"
    assert achievement["criteria"]["narrative"] == CATALOGUE["RISK_MANAGER"].criteria
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(CATALOGUE["RISK_MANAGER"].status_index)
    assert status["statusListCredential"] == LINKS.status_list(holder_key_of(USER))


def test_the_signed_credential_verifies_with_another_library_and_the_jwks() -> None:
    signer = Ed25519Signer(SEED)
    vc = open_badge_credential(badge(), LINKS)
    token = signer.sign(vc)
    header, payload = verified(token, signer.public_keys())
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": signer.kid}
    assert payload == vc
    assert signer.sign(vc) == token  # Ed25519 is deterministic: the same badge, same bytes


@given(st.data())
def test_a_credential_with_one_byte_changed_fails(data: st.DataObject) -> None:
    signer = Ed25519Signer(SEED)
    token = signer.sign(open_badge_credential(badge(), LINKS))
    at = data.draw(st.integers(0, len(token) - 1).filter(lambda i: token[i] != "."))
    swap = data.draw(st.sampled_from("AQgw").filter(lambda c: c != token[at]))
    tampered = token[:at] + swap + token[at + 1 :]
    with pytest.raises((JoseError, ValueError)):  # a bad signature, or no longer decodable
        verified(tampered, signer.public_keys())


def test_another_key_does_not_verify_it_even_under_the_same_kid() -> None:
    signer = Ed25519Signer(SEED)
    token = signer.sign(open_badge_credential(badge(), LINKS))
    impostor = Ed25519Signer(bytes(32)).public_keys()
    impostor["keys"][0]["kid"] = signer.kid
    with pytest.raises(BadSignatureError):
        verified(token, impostor)


def test_embedded_mode_creates_its_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = signer_from(None, embedded=True, data_dir=tmp_path / "var")
    assert isinstance(first, KeptKeySigner)
    assert not (tmp_path / "var").exists()  # nothing written until something is signed
    again = signer_from(None, embedded=True, data_dir=tmp_path / "var")
    assert isinstance(again, KeptKeySigner)
    assert first.kid == again.kid
    key_file = tmp_path / "var" / "badge_signing_key"
    assert key_file.stat().st_mode & 0o077 == 0  # the owner's alone
    assert [p.name for p in key_file.parent.iterdir()] == ["badge_signing_key"]


def test_a_configured_key_is_used_and_none_outside_embedded_mode_signs_nothing(
    tmp_path: Path,
) -> None:
    configured = signer_from("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", embedded=False,
                             data_dir=tmp_path)  # fmt: skip
    assert isinstance(configured, Ed25519Signer)
    assert configured.kid == Ed25519Signer(SEED).kid
    missing = signer_from(None, embedded=False, data_dir=tmp_path)
    assert isinstance(missing, NoSigner)
    assert missing.public_keys() == {"keys": []}
    with pytest.raises(Unavailable, match="ASTRATRADE_BADGE_SIGNING_KEY"):
        missing.sign({})
    assert not list(tmp_path.iterdir())


@given(st.sets(st.integers(0, LIST_BITS - 1), max_size=20), st.integers(0, LIST_BITS - 1))
def test_the_status_list_sets_exactly_the_revoked_bits(revoked: set[int], probe: int) -> None:
    encoded = encoded_list(revoked)
    assert encoded.startswith("u")
    assert encoded == encoded_list(sorted(revoked))
    assert revoked_in(encoded, probe) == (probe in revoked)
    for slot in revoked:
        assert revoked_in(encoded, slot)


def test_the_status_list_credential_names_its_purpose_and_list() -> None:
    holder = holder_key_of(USER)
    vc = status_list_credential(holder, [5], EARNED, LINKS)
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = vc["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert revoked_in(subject["encodedList"], 5)
    assert not revoked_in(subject["encodedList"], 4)


OB3_SCHEMA = Path(__file__).parent / "vendored" / "ob_v3p0_achievementcredential_schema.json"


def ob3_errors(credential: dict[str, Any]) -> list[str]:
    """What 1EdTech's own JSON Schema of an OB 3.0 AchievementCredential finds wrong
    (vendored/SOURCE.md names where it comes from), formats checked too."""
    schema = json.loads(OB3_SCHEMA.read_text())
    validator = Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(credential)
    ]


@pytest.mark.parametrize("achievement", sorted(CATALOGUE))
def test_every_badges_credential_passes_the_open_badges_3_schema(achievement: str) -> None:
    assert ob3_errors(open_badge_credential(badge(achievement), LINKS)) == []


def test_the_schema_check_finds_what_is_missing_or_misshapen() -> None:
    vc = open_badge_credential(badge(), LINKS)
    del vc["validFrom"]
    vc["credentialSubject"]["achievement"]["criteria"] = "not an object"
    errors = ob3_errors(vc)
    assert any("validFrom" in error for error in errors), errors
    assert any(error.startswith("credentialSubject/achievement/criteria") for error in errors)
