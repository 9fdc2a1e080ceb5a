"""Extended's answer about a sub-account (`GET /user/account/info` with its API key), read
with the SDK's models, and the Stark public key of a private key with the SDK's crypto."""

from __future__ import annotations

import aiohttp
import fast_stark_crypto
from pydantic import ValidationError
from x10.models.account import AccountModel
from x10.models.http import ResponseStatus, WrappedApiResponseModel
from x10.utils.http import USER_AGENT, RequestHeader

from astratrade.shared.errors import Unavailable
from astratrade.trading.domain.venue_link import VenueAccount

TIMEOUT_SECONDS = 10.0


def stark_public_key(private_key: int) -> int:
    """The public key (the x coordinate) of a Stark private key, as the SDK derives it."""
    return int(fast_stark_crypto.get_public_key(private_key))


class ExtendedAccounts:
    def __init__(self, api_url: str, *, seconds: float = TIMEOUT_SECONDS) -> None:
        self._url = f"{api_url.rstrip('/')}/user/account/info"
        self._timeout = aiohttp.ClientTimeout(total=seconds)

    async def account_of(self, api_key: str) -> VenueAccount | None:
        headers = {
            RequestHeader.API_KEY.value: api_key,
            RequestHeader.USER_AGENT.value: USER_AGENT,
            "Accept": "application/json",
        }
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.get(self._url, headers=headers) as response,
            ):
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise Unavailable("Extended could not be reached; try again") from error
        if status in (401, 403, 404):
            return None
        try:
            wrapped = WrappedApiResponseModel[AccountModel].model_validate_json(text)
        except ValidationError as error:
            raise Unavailable(f"Extended answered {status} with no account") from error
        if status != 200 or wrapped.status != ResponseStatus.OK or wrapped.data is None:
            raise Unavailable(f"Extended answered {status}: {wrapped.error}")
        account = wrapped.data
        return VenueAccount(
            account_id=account.id, vault_id=account.l2_vault, public_key=int(account.l2_key, 16)
        )
