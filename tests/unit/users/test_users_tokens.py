"""Logging in and refreshing tokens through the handlers, over in-memory fakes."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import jwt
import pytest

from astratrade.infrastructure import tokens as tokens_module
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.errors import Unauthorized
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.domain.commands import LogIn, PromoteUser, RefreshTokens, RegisterUser
from astratrade.users.handlers.sessions import INVALID_LOGIN

PASSWORD = "correct horse"


@pytest.fixture
async def ada(users):
    signed_up = await users.register(
        RegisterUser(email="ada@example.com", username="Ada", password=PASSWORD)
    )
    return users.store.users[signed_up.user_id]


class CountingHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8)
        self.verifications = 0

    def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return super().verify(password_hash, password)


@pytest.mark.parametrize("login", ["Ada", "ada", "ada@example.com", "ADA@Example.com"])
async def test_log_in_by_username_or_email_issues_a_pair(users, tokens, ada, login) -> None:
    pair = await users.log_in(LogIn(login=login, password=PASSWORD))

    access = tokens.verify(pair.access_token, "access")
    refresh = tokens.verify(pair.refresh_token, "refresh")
    assert (access.user_id, access.role, refresh.user_id) == (ada.id, "trader", ada.id)
    assert pair.token_type == "bearer"
    assert pair.expires_in == 15 * 60
    stored = users.store.tokens[refresh.token_id]
    assert stored.user_id == ada.id
    assert stored.expires_at == users.clock.now() + users.refresh_ttl


@pytest.mark.parametrize(
    ("login", "password"),
    [("Ada", "wrong password"), ("ghost", PASSWORD), ("ghost@example.com", PASSWORD)],
)
async def test_unknown_user_and_wrong_password_fail_alike(users, ada, login, password) -> None:
    users.hasher = CountingHasher()

    with pytest.raises(Unauthorized) as caught:
        await users.log_in(LogIn(login=login, password=password))

    assert caught.value.message == INVALID_LOGIN
    # An unknown user still costs one verification, so timing does not tell them apart.
    assert users.hasher.verifications == 1
    assert users.store.tokens == {}


async def test_an_oversized_password_fails_like_a_wrong_one(users, ada) -> None:
    with pytest.raises(Unauthorized, match=INVALID_LOGIN):
        await users.log_in(LogIn(login="Ada", password="p" * 10_000))


async def test_a_hash_with_old_parameters_is_upgraded_on_log_in(users, ada) -> None:
    users.hasher = Argon2Hasher(time_cost=2, memory_cost=16)

    await users.log_in(LogIn(login="Ada", password=PASSWORD))

    upgraded = users.store.users[ada.id].password_hash
    assert "$m=16,t=2," in upgraded
    assert users.hasher.verify(upgraded, PASSWORD)


async def test_refresh_rotates_and_the_old_token_works_once(users, tokens, ada) -> None:
    first = await users.log_in(LogIn(login="Ada", password=PASSWORD))

    second = await users.refresh(RefreshTokens(refresh_token=first.refresh_token))

    assert second.refresh_token != first.refresh_token
    assert tokens.verify(second.access_token, "access").user_id == ada.id
    old = users.store.tokens[tokens.verify(first.refresh_token, "refresh").token_id]
    assert old.replaced_by == tokens.verify(second.refresh_token, "refresh").token_id
    third = await users.refresh(RefreshTokens(refresh_token=second.refresh_token))
    assert tokens.verify(third.refresh_token, "refresh").user_id == ada.id


async def test_a_reused_refresh_token_revokes_its_whole_family(users, tokens, ada) -> None:
    first = await users.log_in(LogIn(login="Ada", password=PASSWORD))
    elsewhere = await users.log_in(LogIn(login="Ada", password=PASSWORD))  # another device
    second = await users.refresh(RefreshTokens(refresh_token=first.refresh_token))
    with pytest.raises(Unauthorized, match="reused"):
        await users.refresh(RefreshTokens(refresh_token=first.refresh_token))
    with pytest.raises(Unauthorized, match="revoked"):  # the thief's rotation dies too
        await users.refresh(RefreshTokens(refresh_token=second.refresh_token))
    other = await users.refresh(RefreshTokens(refresh_token=elsewhere.refresh_token))
    assert tokens.verify(other.refresh_token, "refresh").user_id == ada.id


async def test_refresh_carries_a_new_role(users, tokens, ada) -> None:
    pair = await users.log_in(LogIn(login="Ada", password=PASSWORD))
    await users.promote(PromoteUser(username="Ada"))

    renewed = await users.refresh(RefreshTokens(refresh_token=pair.refresh_token))

    assert tokens.verify(renewed.access_token, "access").role == "admin"


async def test_expired_tokens_are_rejected_once_the_clock_passes_expiry(users, tokens, ada) -> None:
    pair = await users.log_in(LogIn(login="Ada", password=PASSWORD))

    users.clock.advance(users.access_ttl.total_seconds())
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify(pair.access_token, "access")
    users.clock.advance(users.refresh_ttl.total_seconds())
    with pytest.raises(Unauthorized, match="expired"):
        await users.refresh(RefreshTokens(refresh_token=pair.refresh_token))


async def test_the_stored_expiry_is_enforced_even_if_the_jwt_lives_longer(users, ada) -> None:
    pair = await users.log_in(LogIn(login="Ada", password=PASSWORD))
    token_id, record = next(iter(users.store.tokens.items()))
    users.store.tokens[token_id] = replace(
        record, expires_at=users.clock.now() + timedelta(minutes=1)
    )

    users.clock.advance(120)

    with pytest.raises(Unauthorized, match="refresh token has expired"):
        await users.refresh(RefreshTokens(refresh_token=pair.refresh_token))


async def test_a_token_signed_with_another_secret_is_rejected(users, clock, ada) -> None:
    forger = TokenCodec("another-secret-of-at-least-32-bytes!!", "astratrade", clock)
    forged = forger.issue(
        user_id=ada.id, role="admin", kind="refresh", token_id="t-1", ttl=users.refresh_ttl
    )

    with pytest.raises(Unauthorized, match="invalid token"):
        await users.refresh(RefreshTokens(refresh_token=forged))


SECRET = "a-secret-of-this-test-of-at-least-32-bytes"


def _forged(clock, **changes: object) -> str:
    genuine = TokenCodec(SECRET, "astratrade", clock).issue(
        user_id="u-1", role="trader", kind="access", token_id="t-1", ttl=timedelta(minutes=15)
    )
    claims = {**jwt.decode(genuine, options={"verify_signature": False}), **changes}
    kept = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(kept, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("garbage", "Not enough segments"),
        ("another secret", "Signature verification failed"),
        ("another issuer", "Invalid issuer"),
        ("no subject", 'Token is missing the "sub" claim'),
        ("unsigned", "The specified alg value is not allowed"),
    ],
)
def test_a_bad_token_is_invalid_without_the_library_s_words(clock, caplog, case, detail) -> None:
    bad = {
        "garbage": lambda: "not-a-jwt",
        "another secret": lambda: TokenCodec(
            "another-secret-of-at-least-32-bytes!!", "astratrade", clock
        ).issue(
            user_id="u-1", role="admin", kind="access", token_id="t-1", ttl=timedelta(minutes=15)
        ),
        "another issuer": lambda: _forged(clock, iss="elsewhere"),
        "no subject": lambda: _forged(clock, sub=None),
        "unsigned": lambda: jwt.encode({"sub": "u-1"}, None, algorithm="none"),
    }[case]()

    codec = TokenCodec(SECRET, "astratrade", clock)
    with caplog.at_level(logging.INFO, "astratrade.security"), pytest.raises(Unauthorized) as no:
        codec.verify(bad, "access")

    assert no.value.message == "invalid token"
    (logged,) = [r for r in caplog.records if r.name == "astratrade.security"]
    assert detail in logged.reason  # type: ignore[attr-defined]  # logged, not answered


async def test_an_access_token_is_no_refresh_token(users, ada) -> None:
    pair = await users.log_in(LogIn(login="Ada", password=PASSWORD))

    with pytest.raises(Unauthorized, match="expected a refresh token"):
        await users.refresh(RefreshTokens(refresh_token=pair.access_token))


async def test_a_validly_signed_but_unknown_refresh_token_is_rejected(users, tokens, ada) -> None:
    unknown = tokens.issue(
        user_id=ada.id,
        role="trader",
        kind="refresh",
        token_id="never-stored",
        ttl=users.refresh_ttl,
    )

    with pytest.raises(Unauthorized, match="not recognised"):
        await users.refresh(RefreshTokens(refresh_token=unknown))


def _access(codec: TokenCodec, token_id: str = "t-1") -> str:  # noqa: S107 - an id
    return codec.issue(
        user_id="u-1",
        role="trader",
        kind="access",
        token_id=token_id,
        ttl=timedelta(minutes=15),
    )


def test_a_token_verified_before_still_expires_and_keeps_its_kind(clock) -> None:
    """Verified tokens are kept by their text, not their verdicts: expiry and kind are
    checked on every use."""
    codec = TokenCodec(SECRET, "astratrade", clock)
    token = _access(codec)
    assert codec.verify(token, "access").user_id == "u-1"

    with pytest.raises(Unauthorized, match="expected a refresh token"):
        codec.verify(token, "refresh")
    assert codec.verify(token, "access").token_id == "t-1"
    clock.advance(15 * 60)
    with pytest.raises(Unauthorized, match="expired"):
        codec.verify(token, "access")


def test_a_token_altered_after_a_genuine_one_was_verified_is_refused(clock, caplog) -> None:
    codec = TokenCodec(SECRET, "astratrade", clock)
    genuine = _access(codec)
    codec.verify(genuine, "access")
    header, payload, signature = genuine.split(".")
    altered = ".".join([header, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])

    with caplog.at_level(logging.INFO, "astratrade.security"), pytest.raises(Unauthorized) as no:
        codec.verify(altered, "access")

    assert no.value.message == "invalid token"
    assert [r.name for r in caplog.records] == ["astratrade.security"]  # refused, and logged


def test_the_tokens_kept_are_bounded_oldest_out(clock, monkeypatch) -> None:
    monkeypatch.setattr(tokens_module, "VERIFIED_KEPT", 3)
    codec = TokenCodec(SECRET, "astratrade", clock)
    issued = [_access(codec, token_id=f"t-{n}") for n in range(5)]
    for token in issued:
        codec.verify(token, "access")

    assert list(codec._verified) == issued[2:]
    assert codec.verify(issued[0], "access").token_id == "t-0"  # checked again, and kept
    assert list(codec._verified) == [*issued[3:], issued[0]]
