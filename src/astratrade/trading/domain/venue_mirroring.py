"""What the live venue reports paying or moving on a live account, mirrored on it: each
payment kept (by its id) beside the account, so that it is mirrored once."""

from __future__ import annotations

from astratrade.shared.money import ZERO
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.venue_reports import OUTSIDE, VenueFunding, VenueTransfer


def pay_venue_funding(account: Account, funding: VenueFunding, venue: str) -> None:
    """A funding payment the live venue made: the collateral moves as the venue says."""
    account.book_funding(
        funding.market, funding.rate, funding.mark, funding.payment, funding.at, venue
    )
    account.new_venue_payments.append(funding)


def mirror_venue_transfer(account: Account, transfer: VenueTransfer) -> None:
    """A deposit on the live venue, or a withdrawal from it: collateral here moves with it,
    from or to the outside world."""
    if transfer.amount > ZERO:
        account.deposit(
            transfer.amount,
            source=OUTSIDE,
            reason="venue_deposit",
            at=transfer.at,
            transfer_id=transfer.record_id,
        )
    elif transfer.amount < ZERO:
        account.withdraw(
            -transfer.amount,
            destination=OUTSIDE,
            transfer_id=transfer.record_id,
            at=transfer.at,
            reason="venue_withdrawal",
        )
    # One that nets to nothing (its fee took all of it) moves nothing and books nothing; it
    # is kept all the same, so that it is mirrored once.
    account.new_venue_payments.append(transfer)
