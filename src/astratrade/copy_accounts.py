"""Copy trading's read of trading's copy accounts, wired above both contexts (neither
imports the other): in-process over `TradingQueries.copy_states`, or over the trading
service's internal route; and trading's markets as copy sizing sees them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from astratrade.config import Settings
from astratrade.copytrading.adapters.trading_states import HttpCopyAccounts
from astratrade.copytrading.domain.rules import LeverageTier, MarketRules
from astratrade.copytrading.ports import CopyAccounts, CopyAccountState, CopyStates
from astratrade.trading.domain.markets import Market
from astratrade.trading.queries import TradingQueries


class EmbeddedCopyAccounts:
    """Trading's committed state, read beside its engine (never through its writer)."""

    def __init__(self, queries: TradingQueries) -> None:
        self._queries = queries

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        read = await self._queries.copy_states(list(account_ids), market)
        return CopyStates(
            mark=read.mark,
            accounts={
                account_id: CopyAccountState(
                    equity=state.equity,
                    available=state.available,
                    collateral=state.collateral,
                    position=state.position,
                    unlocked_leverage=state.unlocked_leverage,
                )
                for account_id, state in read.accounts.items()
            },
        )


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
