"""Request and response bodies of trading's API. Decimals travel as strings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from astratrade.infrastructure.web.schemas import DecimalIn, DecimalOut, MomentIn, MoneyIn
from astratrade.trading.domain.orders import OrderStatus, OrderType, Side, TimeInForce

Identifier = Annotated[str, Field(min_length=1, max_length=64)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TierOut(Out):
    max_leverage: DecimalOut
    up_to_notional: DecimalOut | None


class MarketOut(Out):
    market: str
    tick_size: DecimalOut
    step_size: DecimalOut
    min_size: DecimalOut
    max_market_order_value: DecimalOut
    max_limit_order_value: DecimalOut
    risk_tiers: list[TierOut]
    mark_price: DecimalOut
    index_price: DecimalOut
    price_time: datetime
    maker_fee_rate: DecimalOut = Field(description="of the notional, resting limits that fill")
    taker_fee_rate: DecimalOut = Field(description="of the notional, market and marketable")
    predicted_funding_rate: DecimalOut = Field(
        description="what the next payment's rate is from this hour's premiums so far; "
        "longs pay shorts when positive"
    )
    next_funding_at: datetime
    last_funding_rate: DecimalOut | None = Field(description="the last payment's rate")
    last_funding_at: datetime | None


class AccountOut(Out):
    account_id: str
    kind: str
    currency: str
    collateral: DecimalOut
    equity: DecimalOut
    unrealized_pnl: DecimalOut
    initial_margin: DecimalOut
    maintenance_margin: DecimalOut
    order_margin: DecimalOut
    available: DecimalOut
    margin_ratio: DecimalOut | None
    leverage: dict[str, DecimalOut]
    daily_loss_limit: DecimalOut | None
    loss_today: DecimalOut


class ActivityOut(Out):
    account_id: str
    fills: int
    volume: DecimalOut
    fees: DecimalOut
    realized_pnl: DecimalOut
    funding: DecimalOut
    liquidations: int
    last_trade_at: datetime | None


class LeverageIn(BaseModel):
    market: Identifier
    leverage: DecimalIn


class LeverageOut(Out):
    account_id: str
    market: str
    leverage: DecimalOut


class NewAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["live"] = Field(
        description="live only: practice opens on sign-up, tournament accounts on joining"
    )


class LossLimitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    daily_loss_limit: MoneyIn | None = Field(description="null removes the limit")


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: Identifier
    market: Identifier
    side: Side
    type: OrderType
    size: DecimalIn
    price: DecimalIn | None = None
    trigger_price: DecimalIn | None = None
    reduce_only: bool = False
    time_in_force: TimeInForce | None = None
    client_order_id: Identifier | None = None


class FillOut(Out):
    fill_id: str = Field(validation_alias="id")
    size: DecimalOut
    price: DecimalOut
    fee: DecimalOut
    liquidity: str
    realized_pnl: DecimalOut
    at: datetime


class OrderOut(Out):
    order_id: str = Field(validation_alias="id")
    account_id: str
    market: str
    side: Side
    type: OrderType
    size: DecimalOut
    price: DecimalOut | None
    trigger_price: DecimalOut | None
    reduce_only: bool
    time_in_force: TimeInForce
    client_order_id: str | None
    status: OrderStatus
    filled_size: DecimalOut
    average_price: DecimalOut | None
    reason: str | None
    created_at: datetime
    updated_at: datetime | None
    fills: list[FillOut]


class PositionOut(Out):
    market: str
    side: str
    size: DecimalOut
    entry_price: DecimalOut
    mark_price: DecimalOut
    notional: DecimalOut
    unrealized_pnl: DecimalOut
    realized_pnl: DecimalOut
    leverage: DecimalOut
    initial_margin: DecimalOut
    maintenance_margin: DecimalOut
    opened_at: datetime
    liquidation_price: DecimalOut | None = Field(
        description="the mark at which the account would be liquidated, the other markets' "
        "marks held (cross margin); null when no price of this market alone liquidates it"
    )
    funding_paid: DecimalOut = Field(description="since it opened; negative when received")


class ClosePositionIn(BaseModel):
    account_id: Identifier


class PriceIn(BaseModel):
    mark: DecimalIn
    index: DecimalIn | None = Field(default=None, description="defaults to the mark")


class ClockIn(BaseModel):
    now: MomentIn | None = Field(
        default=None, description="move the manual clock to this time (at most a year ahead)"
    )
    advance_seconds: DecimalIn | None = Field(
        default=None, description="or move it forward (at most a year)"
    )


class ClockOut(BaseModel):
    now: datetime


class VenueLinkIn(BaseModel):
    """An Extended sub-account's credentials. The private key and the API key are sealed at
    rest and never answered back."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    api_key: str = Field(max_length=128, description="the sub-account's API key")
    vault_id: int = Field(description="the sub-account's vault (Extended's `l2Vault`)")
    stark_private_key: str = Field(max_length=66, description="0x-prefixed hex")
    stark_public_key: str = Field(max_length=66, description="0x-prefixed hex")


class VenueLinkOut(Out):
    account_id: str
    venue: str
    venue_account_id: int = Field(description="Extended's id of the sub-account")
    vault_id: int
    stark_public_key: str
    connected_at: datetime
