"""Copy trading's domain errors."""

from __future__ import annotations

from astratrade.shared.errors import Conflict, DomainError


class NotEligible(DomainError):
    """The trader does not meet the leader conditions; `failures` names every one missed."""

    code = "not_eligible_to_lead"

    def __init__(self, failures: list[str]) -> None:
        super().__init__("not eligible to lead: " + "; ".join(failures))
        self.failures = failures


class CopyRefused(DomainError):
    """A valid request to copy that the rules refuse now (slots, the leader's copier limit,
    oneself, a copy account, a block); `reason` is a stable code, the message says why."""

    code = "copy_refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class CopyNotActive(Conflict):
    """A stop asked of a copy already stopping or closed."""

    code = "copy_not_active"
