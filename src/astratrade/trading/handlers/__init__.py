"""Trading's use cases, one unit of work each; the engine runs one at a time. Split by
concept: accounts (opening, transfers, leverage, loss limit), orders (place, cancel,
close) and market (quotes, tournament windows, funding)."""

from astratrade.trading.domain.shards import HOUSE_ID, INSURANCE_ID
from astratrade.trading.handlers.accounts import (
    EXTERNAL_ID,
    apply_transfer,
    ensure_system_accounts,
    open_live_account,
    open_practice_account,
    open_tournament_account,
    owned_account,
    set_daily_loss_limit,
    set_leverage,
    set_leverage_limit,
    system_accounts,
)
from astratrade.trading.handlers.market import end_trading_windows, pay_funding, process_quotes
from astratrade.trading.handlers.orders import (
    cancel_live_orders,
    cancel_order,
    close_position,
    place_order,
)
from astratrade.trading.handlers.venue_reports import record_venue_reports

__all__ = [
    "EXTERNAL_ID",
    "HOUSE_ID",
    "INSURANCE_ID",
    "apply_transfer",
    "cancel_live_orders",
    "cancel_order",
    "close_position",
    "end_trading_windows",
    "ensure_system_accounts",
    "open_live_account",
    "open_practice_account",
    "open_tournament_account",
    "owned_account",
    "pay_funding",
    "place_order",
    "process_quotes",
    "record_venue_reports",
    "set_daily_loss_limit",
    "set_leverage",
    "set_leverage_limit",
    "system_accounts",
]
