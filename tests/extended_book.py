"""The stand-in exchange's trading side, for tests only (never shipped): sub-accounts with
their balance, positions, orders and trades; orders checked as Extended checks them (the
SDK's `NewOrderModel`, the market's rules, the Stark signature against the sub-account's
public key with fast-stark-crypto, the external id unique per sub-account) and matched
against the scripted mark price. Every record is an SDK model, so what the stand-in sends
is what the SDK parses.

The error codes are those of Extended's published API documentation for these refusals;
they have not been checked against Extended's servers."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_UP, Decimal
from typing import Any

import fast_stark_crypto
from x10.config import MAINNET_CONFIG
from x10.core.client_config import StarknetDomain
from x10.models.asset import AssetOperationModel, AssetOperationStatus, AssetOperationType
from x10.models.balance import BalanceModel
from x10.models.deposit import DepositStatus, DepositStatusUpdateModel
from x10.models.market import MarketModel
from x10.models.order import (
    NewOrderModel,
    OpenOrderModel,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from x10.models.position import PositionModel, PositionSide, PositionStatus
from x10.models.trade import AccountTradeModel, TradeType
from x10.signing.order_object_settlement import SettlementDataCtx, create_order_settlement_data

ZERO = Decimal(0)
MAKER_FEE = Decimal("0.0002")
LEVERAGE = Decimal(10)  # every stand-in sub-account trades at 10x
FEE_QUANTUM = Decimal("0.000001")  # fees in USD to the collateral's 6 decimals, rounded up

# Extended's codes for the refusals the stand-in makes.
QTY_BELOW_MIN = 1120
QTY_WRONG_STEP = 1121
PRICE_WRONG_TICK = 1124
DUPLICATE_ORDER = 1134
REDUCE_ONLY_TOO_LARGE = 1136
COST_EXCEEDS_BALANCE = 1140
WRONG_STARK_KEY = 1141
BAD_SIGNATURE = 1142
WRONG_VAULT = 1143
ORDER_NOT_FOUND = 1500


class Refused(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Holding:
    size: Decimal = ZERO  # signed: long above zero
    open_price: Decimal = ZERO
    realised: Decimal = ZERO
    created_at: int = 0


@dataclass
class SubAccount:
    api_key: str
    account_id: int
    vault: int
    public_key: int
    balance: Decimal = Decimal(0)  # collateral: deposits, realised PnL, fees
    holdings: dict[str, Holding] = field(default_factory=dict)
    orders: dict[str, OpenOrderModel] = field(default_factory=dict)  # every order, by external id
    trades: list[AccountTradeModel] = field(default_factory=list)
    operations: list[AssetOperationModel] = field(default_factory=list)  # deposits…
    # Funding payments, as Extended's `GET /user/funding/history` answers them (camelCase).
    funding: list[dict[str, Any]] = field(default_factory=list)


Update = tuple[str, dict[str, Any]]  # a stream message type, its data (ready to send)


class Book:
    """Every sub-account's orders, matched at the mark. `marks` gives a market's mark."""

    def __init__(
        self,
        market: Callable[[str], MarketModel | None],
        marks: Callable[[str], Decimal],
        domain: StarknetDomain = MAINNET_CONFIG.signing.starknet_domain,
    ) -> None:
        self._market, self._marks, self._domain = market, marks, domain
        self.accounts: dict[str, SubAccount] = {}  # by API key
        self._ids = itertools.count(1001)

    # -- orders ----------------------------------------------------------------------------

    def place(self, account: SubAccount, order: NewOrderModel) -> tuple[int, list[Update]]:
        """Check and take the order; (the venue's order id, the stream's updates)."""
        earlier = account.orders.get(order.id)
        if earlier is not None:
            raise Refused(DUPLICATE_ORDER, f"Duplicate order: external id {order.id}")
        market = self._market(order.market)
        if market is None:
            raise Refused(1001, f"Market {order.market} not found", 404)
        self._check_rules(market, order)
        self._check_signature(account, market, order)
        holding = account.holdings.get(order.market, Holding())
        if order.reduce_only and (
            holding.size * _sign(order.side) >= ZERO or order.qty > abs(holding.size)
        ):
            raise Refused(REDUCE_ONLY_TOO_LARGE, "Reduce-only order size exceeds position size")
        mark = self._marks(order.market)
        opening = order.qty - (
            min(order.qty, abs(holding.size)) if holding.size * _sign(order.side) < 0 else ZERO
        )
        if opening * mark / LEVERAGE > self._available(account):
            raise Refused(COST_EXCEEDS_BALANCE, "Order cost exceeds available balance")
        ms = now_ms()
        record = OpenOrderModel(
            id=next(self._ids),
            account_id=account.account_id,
            external_id=order.id,
            market=order.market,
            type=order.type,
            side=order.side,
            status=OrderStatus.NEW,
            price=order.price,
            qty=order.qty,
            filled_qty=ZERO,
            reduce_only=order.reduce_only,
            post_only=order.post_only,
            created_time=ms,
            updated_time=ms,
            expiry_time=order.expiry_epoch_millis,
            time_in_force=order.time_in_force,
        )
        account.orders[order.id] = record
        updates: list[Update] = []
        if _crosses(record, mark):
            updates += self._fill(account, record, mark, taker=True)
        elif order.type == OrderType.MARKET or order.time_in_force == TimeInForce.IOC:
            updates.append(_orders_update([self._end(account, record, OrderStatus.EXPIRED)]))
        else:
            updates.append(_orders_update([record]))
        return record.id, updates

    def cancel(self, account: SubAccount, external_id: str) -> list[Update]:
        record = account.orders.get(external_id)
        if record is None or record.status not in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED):
            raise Refused(ORDER_NOT_FOUND, f"Order {external_id} not found", 404)
        return [_orders_update([self._end(account, record, OrderStatus.CANCELLED)])]

    def cancel_all(self, account: SubAccount) -> list[Update]:
        open_now = [o for o in account.orders.values() if _is_open(o)]
        ended = [self._end(account, o, OrderStatus.CANCELLED) for o in open_now]
        return [_orders_update(ended)] if ended else []

    def on_mark(self, market: str) -> dict[str, list[Update]]:
        """Resting limits that the new mark crosses fill at their own price (as makers);
        the updates by API key."""
        mark = self._marks(market)
        updates: dict[str, list[Update]] = {}
        for key, account in self.accounts.items():
            for record in [o for o in account.orders.values() if o.market == market]:
                if _is_open(record) and _crosses(record, mark):
                    price = record.price if record.price is not None else mark
                    updates.setdefault(key, []).extend(
                        self._fill(account, record, price, taker=False)
                    )
        return updates

    # -- what the REST endpoints and the stream's snapshots show -----------------------------

    def open_orders(self, account: SubAccount) -> list[OpenOrderModel]:
        return [o for o in account.orders.values() if _is_open(o)]

    def deposit(self, account: SubAccount, amount: Decimal) -> list[Update]:
        """USDC deposited on the sub-account: a completed asset operation, the balance up."""
        account.balance += amount
        at = now_ms()
        account.operations.append(
            AssetOperationModel(
                id=str(next(self._ids)),
                type=AssetOperationType.DEPOSIT,
                status=AssetOperationStatus.COMPLETED,
                amount=amount,
                fee=ZERO,
                asset=1,
                time=at,
                account_id=account.account_id,
            )
        )
        deposited = DepositStatusUpdateModel(
            asset_id=1, amount=amount, timestamp=at, status=DepositStatus.PROCESSED
        )
        return [
            ("ACCOUNT.DEPOSIT", {"isSnapshot": False, "deposit": _dump(deposited)}),
            ("ACCOUNT.BALANCE", {"isSnapshot": False, "balance": _dump(self.balance(account))}),
        ]

    def pay_funding(self, market: str, rate: Decimal) -> dict[str, list[Update]]:
        """Funding at the mark for every position in `market`: longs pay shorts when the
        rate is positive. Each payment lowers (or raises) the balance and is kept for
        `/user/funding/history`; the stream carries the balance change only. By API key."""
        mark, updates = self._marks(market), {}
        for api_key, account in self.accounts.items():
            holding = account.holdings.get(market)
            if holding is None or holding.size == ZERO:
                continue
            fee = (holding.size * mark * rate).quantize(FEE_QUANTUM)
            account.balance -= fee
            account.funding.append(
                {
                    "id": next(self._ids),
                    "accountId": account.account_id,
                    "market": market,
                    "positionId": account.account_id * 1000 + 1,
                    "side": "LONG" if holding.size > ZERO else "SHORT",
                    "size": str(abs(holding.size)),
                    "value": str(abs(holding.size) * mark),
                    "markPrice": str(mark),
                    "fundingFee": str(fee),
                    "fundingRate": str(rate),
                    "paidTime": now_ms(),
                }
            )
            balance = _dump(self.balance(account))
            updates[api_key] = [("ACCOUNT.BALANCE", {"isSnapshot": False, "balance": balance})]
        return updates

    def positions(self, account: SubAccount) -> list[PositionModel]:
        return [
            self._position(account, market, h)
            for market, h in account.holdings.items()
            if h.size != ZERO
        ]

    def position(self, account: SubAccount, market: str) -> PositionModel:
        """The market's position as the venue reports it (closed when there is none)."""
        return self._position(account, market, account.holdings.setdefault(market, Holding()))

    def balance(self, account: SubAccount) -> BalanceModel:
        unrealised = sum(
            (h.size * (self._marks(m) - h.open_price) for m, h in account.holdings.items()),
            ZERO,
        )
        margin = self._initial_margin(account)
        equity = account.balance + unrealised
        return BalanceModel(
            collateral_name="USD",
            balance=account.balance,
            equity=equity,
            available_for_trade=equity - margin,
            available_for_withdrawal=max(ZERO, equity - margin),
            unrealised_pnl=unrealised,
            initial_margin=margin,
            margin_ratio=ZERO if equity == ZERO else margin / equity,
            updated_time=now_ms(),
        )

    # -- inside ------------------------------------------------------------------------------

    def _check_rules(self, market: MarketModel, order: NewOrderModel) -> None:
        config = market.trading_config
        if order.qty < config.min_order_size:
            raise Refused(QTY_BELOW_MIN, f"Order quantity less than {config.min_order_size}")
        if order.qty % config.min_order_size_change != ZERO:
            raise Refused(QTY_WRONG_STEP, "Invalid quantity: wrong size increment")
        if order.price <= ZERO or order.price % config.min_price_change != ZERO:
            raise Refused(PRICE_WRONG_TICK, "Invalid price: wrong price movement")

    def _check_signature(
        self, account: SubAccount, market: MarketModel, order: NewOrderModel
    ) -> None:
        """The order hash, computed again from the order's own terms as the SDK computes it,
        must be signed by the sub-account's Stark key."""
        settlement = order.settlement
        if settlement is None or settlement.stark_key != account.public_key:
            raise Refused(WRONG_STARK_KEY, "Invalid StarkEx public key")
        if int(settlement.collateral_position) != account.vault:
            raise Refused(WRONG_VAULT, "Invalid StarkEx vault")
        ctx = SettlementDataCtx(
            market=market,
            taker_fee=order.fee,
            builder_fee=order.builder_fee,
            nonce=int(order.nonce),
            collateral_position_id=account.vault,
            expire_time=datetime.fromtimestamp(order.expiry_epoch_millis / 1000, tz=UTC),
            signer=lambda _hash: (0, 0),  # the hash only: the signature is the order's
            public_key=account.public_key,
            starknet_domain=self._domain,
        )
        expected = create_order_settlement_data(
            side=order.side, synthetic_amount=order.qty, price=order.price, ctx=ctx
        )
        signature = settlement.signature
        if not fast_stark_crypto.verify(
            account.public_key, expected.order_hash, signature.r, signature.s
        ):
            raise Refused(BAD_SIGNATURE, "Invalid StarkEx signature")

    def _fill(
        self, account: SubAccount, record: OpenOrderModel, price: Decimal, *, taker: bool
    ) -> list[Update]:
        qty = record.qty - (record.filled_qty or ZERO)
        fee_rate = MAKER_FEE if not taker else Decimal("0.0005")
        value = qty * price
        fee = (value * fee_rate).quantize(FEE_QUANTUM, ROUND_UP)  # the collateral's precision
        holding = account.holdings.setdefault(record.market, Holding(created_at=now_ms()))
        signed = qty * _sign(record.side)
        closing = min(qty, abs(holding.size)) if holding.size * signed < 0 else ZERO
        if closing:
            pnl = closing * (price - holding.open_price) * (1 if holding.size > 0 else -1)
            holding.realised += pnl
            account.balance += pnl
        opened = qty - closing
        if opened:
            new_size = abs(holding.size) - closing + opened
            kept = abs(holding.size) - closing
            holding.open_price = (holding.open_price * kept + price * opened) / new_size
        holding.size += signed
        account.balance -= fee
        record = self._end(
            account,
            record,
            OrderStatus.FILLED,
            filled_qty=record.qty,
            average_price=price,
            payed_fee=(record.payed_fee or ZERO) + fee,
        )
        trade = AccountTradeModel(
            id=next(self._ids),
            account_id=account.account_id,
            market=record.market,
            order_id=record.id,
            side=record.side,
            price=price,
            qty=qty,
            value=value,
            fee=fee,
            is_taker=taker,
            trade_type=TradeType.TRADE,
            created_time=now_ms(),
        )
        account.trades.append(trade)
        position = self._position(account, record.market, holding)
        return [
            _orders_update([record]),
            ("ACCOUNT.TRADE", {"isSnapshot": False, "trades": [_dump(trade)]}),
            ("ACCOUNT.POSITION", {"isSnapshot": False, "positions": [_dump(position)]}),
            ("ACCOUNT.BALANCE", {"isSnapshot": False, "balance": _dump(self.balance(account))}),
        ]

    def _end(
        self, account: SubAccount, record: OpenOrderModel, status: OrderStatus, **changes: Any
    ) -> OpenOrderModel:
        """The order in its final state (the SDK's models are frozen: a new record)."""
        changes |= {"status": status, "updated_time": now_ms()}
        if status == OrderStatus.CANCELLED:
            changes["cancelled_qty"] = record.qty - (record.filled_qty or ZERO)
        ended = record.model_copy(update=changes)
        account.orders[record.external_id] = ended
        return ended

    def _position(self, account: SubAccount, market: str, h: Holding) -> PositionModel:
        mark = self._marks(market)
        return PositionModel(
            id=account.account_id * 100 + sorted(account.holdings).index(market),
            account_id=account.account_id,
            market=market,
            status=PositionStatus.OPENED if h.size != ZERO else PositionStatus.CLOSED,
            side=PositionSide.LONG if h.size >= ZERO else PositionSide.SHORT,
            leverage=LEVERAGE,
            size=abs(h.size),
            value=abs(h.size) * mark,
            open_price=h.open_price,
            mark_price=mark,
            unrealised_pnl=h.size * (mark - h.open_price),
            realised_pnl=h.realised,
            created_at=h.created_at,
            updated_at=now_ms(),
        )

    def _initial_margin(self, account: SubAccount) -> Decimal:
        return sum(
            (abs(h.size) * self._marks(m) / LEVERAGE for m, h in account.holdings.items()),
            ZERO,
        )

    def _available(self, account: SubAccount) -> Decimal:
        return self.balance(account).available_for_trade


def _sign(side: OrderSide) -> int:
    return 1 if side == OrderSide.BUY else -1


def _is_open(record: OpenOrderModel) -> bool:
    return record.status in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


def _crosses(record: OpenOrderModel, mark: Decimal) -> bool:
    """A market order crosses while its worst price allows the mark; a limit when its price
    reaches the mark."""
    price = record.price if record.price is not None else mark
    return price >= mark if record.side == OrderSide.BUY else price <= mark


def _dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def _orders_update(records: list[OpenOrderModel]) -> Update:
    return "ACCOUNT.ORDER", {"isSnapshot": False, "orders": [_dump(r) for r in records]}
