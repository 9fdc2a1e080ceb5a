"""Copy trading's read of trading's copy accounts, wired above both contexts (neither
imports the other): in-process over `TradingQueries.copy_states`, or over the trading
service's internal route; and trading's markets as copy sizing sees them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from astratrade.config import Settings
from astratrade.copytrading.adapters.trading_states import HttpCopyAccounts, states_of
from astratrade.copytrading.domain.rules import LeverageTier, MarketRules
from astratrade.copytrading.ports import CopyAccounts, CopyStates
from astratrade.shared.errors import Unavailable
from astratrade.trading.domain.markets import Market
from astratrade.trading.queries import TradingQueries


class EmbeddedCopyAccounts:
    """Trading's committed state, read beside its engine (never through its writer)."""

    def __init__(self, queries: TradingQueries) -> None:
        self._queries = queries

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        # The contract names the method and its answer's fields; its Python type is trading's.
        read: Any = getattr(self._queries, "copy_states", None)
        if read is None:
            raise Unavailable("trading does not answer copy accounts' states yet")
        return as_states(await read(list(account_ids), market))


def as_states(answer: Any) -> CopyStates:
    """Trading's answer, a mapping shaped like the HTTP body or an object with `mark` and
    `accounts` (each account's fields as attributes or keys), as the port's values."""
    if isinstance(answer, Mapping):
        return states_of(dict(answer))
    accounts = {
        str(account_id): {name: _field(state, name) for name in FIELDS}
        for account_id, state in answer.accounts.items()
    }
    return states_of({"mark": answer.mark, "accounts": accounts})


FIELDS = ("equity", "available", "collateral", "position", "unlocked_leverage")


def _field(state: Any, name: str) -> Decimal:
    value = state[name] if isinstance(state, Mapping) else getattr(state, name)
    return Decimal(str(value))


def http_copy_accounts(settings: Settings) -> Callable[[str, str, float], HttpCopyAccounts]:
    def client(_url: str, service_key: str, timeout: float) -> HttpCopyAccounts:
        urls = settings.service_urls_of("trading")
        return HttpCopyAccounts(urls, service_key, timeout, settings.trading_shards)

    return client


def market_rules(markets: Sequence[Market]) -> dict[str, MarketRules]:
    return {
        m.id: MarketRules(
            m.id, m.step, m.min_size, tuple(LeverageTier(t.max_leverage, t.up_to) for t in m.tiers)
        )
        for m in markets
    }


def embedded_or_remote(queries: TradingQueries, remote: CopyAccounts | None) -> CopyAccounts:
    return remote if remote is not None else EmbeddedCopyAccounts(queries)
