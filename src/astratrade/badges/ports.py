"""What badges needs from outside its domain: a signer for its credentials, a unit of work."""

from __future__ import annotations

from typing import Any, Protocol, Self

from astratrade.badges.domain.badges import Badge
from astratrade.shared.messages import Aggregate


class CredentialSigner(Protocol):
    def sign(self, claims: dict[str, Any]) -> str:
        """The claims as a compact JWS (a VC-JWT), signed with the platform's key."""
        ...

    def public_keys(self) -> dict[str, Any]:
        """The JWK set verifiers check signatures with."""
        ...


class BadgesUnitOfWork(Protocol):
    """Badges' revocations commit through it: the audit event and its outbox row at once."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def badge(self, token_id: int) -> Badge | None: ...

    def track(self, aggregate: Aggregate) -> None: ...

    async def commit(self) -> None: ...


class Chain(Protocol):
    """Where badges are minted as soulbound tokens (`mint(to, token_id)` on an ERC-721
    contract that lets nobody transfer). Adapters: `none` (the default: badges stay
    off-chain, their credential is the proof); Starknet is a later step."""

    name: str
    configured: bool  # False: nothing is queued, every badge says `off_chain`

    async def mint(self, to: str, token_id: int) -> str:
        """Submit the mint; its transaction hash."""
        ...

    async def owner_of(self, token_id: int) -> str | None:
        """The token's owner as the chain says now (None: not minted)."""
        ...
