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
