"""A badge's mint: queued for its holder's wallet, submitted to the chain, confirmed once
the token is read back as theirs, or failed with the reason and retried with backoff.

    pending --submit--> submitted --confirm--> confirmed
       ^                    |
       |                  fail (reason)
       +---- due again -- failed  (no attempt left: stays failed, for an admin to see)

A mint never goes back from `confirmed`, and `mint(to, token_id)` is only ever sent for a
pending mint, so one badge is minted to one wallet at most once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from astratrade.badges.domain.badges import MintStatus
from astratrade.shared.errors import Conflict

MAX_REASON = 500  # a node's error can be long; what is kept of it is bounded


@dataclass(frozen=True, slots=True)
class MintRules:
    first_retry: timedelta = timedelta(seconds=30)
    longest_wait: timedelta = timedelta(hours=1)
    max_attempts: int = 8  # 30 s, 1, 2, 4, 8, 16, 32 min: about an hour of trying

    def wait_after(self, attempts: int) -> timedelta:
        """How long after the `attempts`-th failure the next try is due (doubling)."""
        wait = self.first_retry
        for _ in range(max(attempts - 1, 0)):  # doubled step by step: 2**n would overflow
            if wait >= self.longest_wait:
                break
            wait *= 2
        return min(wait, self.longest_wait)


DEFAULT_MINT_RULES = MintRules()


@dataclass(frozen=True, slots=True)
class Mint:
    token_id: int
    to: str  # the holder's wallet address when it was queued
    status: MintStatus = MintStatus.PENDING
    attempts: int = 0  # submissions tried so far
    tx_hash: str | None = None
    reason: str | None = None  # why the last attempt failed
    due_at: datetime | None = None  # when a failed mint may be tried again

    def submitted(self, tx_hash: str) -> Mint:
        self._expect(MintStatus.PENDING, "submit")
        return replace(
            self,
            status=MintStatus.SUBMITTED,
            attempts=self.attempts + 1,
            tx_hash=tx_hash,
            reason=None,
            due_at=None,
        )

    def confirmed(self) -> Mint:
        self._expect(MintStatus.SUBMITTED, "confirm")
        return replace(self, status=MintStatus.CONFIRMED)

    def failed(self, reason: str, at: datetime, rules: MintRules = DEFAULT_MINT_RULES) -> Mint:
        """A submission refused, or a transaction reverted or never accepted; `due_at` is
        None once no attempt is left."""
        if self.status not in (MintStatus.PENDING, MintStatus.SUBMITTED):
            raise Conflict(f"a {self.status} mint cannot fail")
        attempts = self.attempts + (1 if self.status == MintStatus.PENDING else 0)
        due = at + rules.wait_after(attempts) if attempts < rules.max_attempts else None
        return replace(
            self,
            status=MintStatus.FAILED,
            attempts=attempts,
            reason=reason.strip()[:MAX_REASON] or "unknown",
            due_at=due,
        )

    def retried(self, at: datetime) -> Mint:
        """Back to pending once its wait is over."""
        self._expect(MintStatus.FAILED, "retry")
        if self.due_at is None or at < self.due_at:
            raise Conflict(f"mint of {self.token_id} is not due (due at {self.due_at})")
        return replace(self, status=MintStatus.PENDING, tx_hash=None, due_at=None)

    def _expect(self, status: MintStatus, action: str) -> None:
        if self.status != status:
            raise Conflict(f"cannot {action} a {self.status} mint of {self.token_id}")


OFF_CHAIN_NOTE = "off-chain: no chain is configured; the signed credential is the proof"


def mint_status(
    *, chain_configured: bool, has_wallet: bool, revoked: bool, mint: Mint | None
) -> tuple[MintStatus, str]:
    """What the owner is told of their badge's token: its status and a note saying why."""
    if not chain_configured:
        return MintStatus.OFF_CHAIN, OFF_CHAIN_NOTE
    if mint is None:
        if revoked:
            return MintStatus.OFF_CHAIN, "revoked before it was minted"
        if not has_wallet:
            return MintStatus.OFF_CHAIN, "off-chain until a Starknet wallet is linked"
        return MintStatus.PENDING, "queued for the linked wallet"
    notes = {
        MintStatus.PENDING: f"queued for {mint.to}",
        MintStatus.SUBMITTED: f"transaction {mint.tx_hash} sent, awaiting confirmation",
        MintStatus.CONFIRMED: f"minted to {mint.to}",
        MintStatus.FAILED: f"failed: {mint.reason}; "
        + (f"retried after {mint.due_at.isoformat()}" if mint.due_at else "no attempt left"),
    }
    return mint.status, notes.get(mint.status, mint.status.value)
