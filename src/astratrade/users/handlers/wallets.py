"""Starknet wallet sign-in: a single-use SNIP-12 challenge, then its signature signs a
linked wallet's user in, or links the wallet to the signed-in caller."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from astratrade.shared.ids import IdFactory
from astratrade.users.domain.commands import RequestWalletChallenge, VerifyWallet
from astratrade.users.domain.wallets import CHALLENGE_TTL, Challenge, address_text, felt
from astratrade.users.handlers.sessions import TokenPair, issue_pair, security
from astratrade.users.ports import UsersUnitOfWork, WalletSignatures


@dataclass(frozen=True, slots=True)
class WalletResult:
    address: str
    user_id: str
    linked: bool  # True: linked to the caller now; False: signed in
    tokens: TokenPair | None = None


async def request_challenge(
    cmd: RequestWalletChallenge, uow: UsersUnitOfWork, clock: Clock, chain_id: str
) -> Challenge:
    address = address_text(felt(cmd.address, "address"))
    now = clock.now()
    challenge = Challenge(f"0x{secrets.token_hex(31)}", address, chain_id, now, now + CHALLENGE_TTL)
    async with uow:
        await uow.wallets.add_challenge(challenge)
        await uow.commit()
    return challenge


async def verify(
    cmd: VerifyWallet,
    uow: UsersUnitOfWork,
    signatures: WalletSignatures,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
) -> WalletResult:
    """Each challenge is used once, by this attempt whatever its outcome."""
    address_int = felt(cmd.address, "address")
    address, public_key = address_text(address_int), felt(cmd.public_key, "public_key")
    if not 1 <= len(cmd.signature) <= 8:
        raise ValidationFailed("signature", "signature must be 1 to 8 numbers, e.g. [r, s]")
    signature = [felt(part, "signature") for part in cmd.signature]
    now = clock.now()
    async with uow:
        challenge, used = await uow.wallets.take_challenge(cmd.nonce, now)
        await uow.commit()  # spent even if what follows fails: no second try on one nonce
    if challenge is None or challenge.address != address:
        raise Unauthorized("unknown challenge for this address; ask for a new one")
    problem = challenge.problem_at(now, used)
    if problem is not None:
        raise Unauthorized(problem)
    if not await signatures.verify(challenge, address_int, public_key, signature):
        security.warning("wallet signature refused", extra={"address": address})
        raise Unauthorized("the signature does not verify for this address and challenge")
    async with uow:
        owner = await uow.wallets.owner_of(address)
        if cmd.user_id is not None:
            return await _link(uow, cmd.user_id, owner, address, public_key, now)
        if owner is None:
            raise Unauthorized(
                "no account is linked to this wallet: sign in another way and link it first"
            )
        user = await uow.users.get(owner)
        if user is None:
            raise Unauthorized("no account is linked to this wallet")
        if user.suspended:
            raise Forbidden("this account is suspended")
        pair, _ = issue_pair(user, uow, tokens, clock, ids, access_ttl, refresh_ttl)
        await uow.commit()
    security.info("signed in with a wallet", extra={"user_id": user.id, "address": address})
    return WalletResult(address, user.id, linked=False, tokens=pair)


async def _link(
    uow: UsersUnitOfWork,
    user_id: str,
    owner: str | None,
    address: str,
    public_key: int,
    now: datetime,
) -> WalletResult:
    if owner == user_id:
        return WalletResult(address, user_id, linked=True)
    if owner is not None:
        raise Conflict("this wallet is linked to another account")
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    uow.wallets.link(address, user_id, address_text(public_key), now)
    user.link_wallet(address)
    await uow.commit()
    security.info("wallet linked", extra={"user_id": user_id, "address": address})
    return WalletResult(address, user_id, linked=True)
