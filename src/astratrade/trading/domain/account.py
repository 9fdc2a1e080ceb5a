"""The trading account aggregate: collateral, leverage per market, positions, open orders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from astratrade.shared.messages import Aggregate
from astratrade.shared.money import ZERO, money
from astratrade.trading.domain import account_events, events
from astratrade.trading.domain.account_terms import (
    AccountKind,
    CopyState,
    CopyTerms,
    LeverageSettings,
    TradingWindow,
)
from astratrade.trading.domain.margin import MarginSummary, Markets, Marks, summarize
from astratrade.trading.domain.orders import Fill, Liquidity, Order, OrderStatus, Side
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.pricing import fee as fee_for
from astratrade.trading.domain.results import PeriodResults
from astratrade.trading.domain.stops import guards, stop_trigger
from astratrade.trading.domain.venue_reports import VenuePayment


class Account(Aggregate):
    aggregate_type = "trading_account"

    def __init__(
        self,
        account_id: str,
        *,
        owner_id: str | None,
        kind: AccountKind,
        currency: str,
        collateral: Decimal,
        leverage: LeverageSettings,
        created_at: datetime,
        positions: Iterable[Position] = (),
        open_orders: Iterable[Order] = (),
        results: PeriodResults | None = None,
        daily_loss_limit: Decimal | None = None,
        window: TradingWindow | None = None,
        leading: bool = False,
        copy: CopyTerms | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(account_id, version)
        self.owner_id = owner_id
        self.kind = kind
        self.currency = currency
        self.collateral = collateral
        self.leverage = leverage
        self.created_at = created_at
        self.positions: dict[str, Position] = {p.market: p for p in positions}
        self.open_orders: dict[str, Order] = {o.id: o for o in open_orders}
        self.results = results or PeriodResults()
        self.daily_loss_limit = daily_loss_limit  # set by the trader; None: no limit
        self.window = window
        self.leading = leading  # a leader's practice account: its fills are copied
        self.copy = copy  # a copy account's copy (None for every other kind)
        # What changed since the last save, so the repository writes only that.
        self.dirty_orders: dict[str, Order] = {}
        self.dirty_positions: set[str] = set()
        self.dirty_leverage: set[str] = set()
        self.new_fills: list[Fill] = []
        self.new_venue_payments: list[VenuePayment] = []
        self.row_changed = False  # the account's own row: collateral, results, loss limit

    @classmethod
    def open(
        cls,
        account_id: str,
        *,
        owner_id: str | None,
        kind: AccountKind,
        currency: str,
        default_leverage: Decimal,
        at: datetime,
        window: TradingWindow | None = None,
        copy: CopyTerms | None = None,
    ) -> Account:
        account = cls(
            account_id,
            owner_id=owner_id,
            kind=kind,
            currency=currency,
            collateral=ZERO,
            leverage=LeverageSettings(default_leverage),
            created_at=at,
            window=window,
            copy=copy,
        )
        account.row_changed = True
        account.record(
            events.AccountOpened(
                account_id=account_id, owner_id=owner_id, kind=kind.value, currency=currency
            )
        )
        return account

    @property
    def is_dirty(self) -> bool:
        return bool(
            self.pending_events
            or self.row_changed
            or self.dirty_orders
            or self.dirty_positions
            or self.dirty_leverage
            or self.new_fills
            or self.new_venue_payments
        )

    # -- margin ---------------------------------------------------------------------------

    def margin(self, marks: Marks, markets: Markets) -> MarginSummary:
        orders = self.open_orders.values()
        return summarize(self.collateral, self.positions, orders, marks, markets, self.leverage)

    # -- money movements ------------------------------------------------------------------

    def adjust(self, amount: Decimal) -> None:
        """Move money in or out without a fact of its own: the counter-leg of a trader's event."""
        self.collateral += amount
        self.row_changed = True

    def settle(self, amount: Decimal, at: datetime) -> None:
        """P&L that is not a fill (a liquidation fee, a covered shortfall)."""
        self.results.gain(amount, at, self.collateral)
        self.adjust(amount)

    def deposit(
        self,
        amount: Decimal,
        *,
        source: str,
        reason: str,
        at: datetime,
        transfer_id: str | None = None,
    ) -> None:
        self.results.deposit(amount, at, self.collateral)
        self.adjust(amount)
        self.record(
            events.CollateralDeposited(
                account_id=self.id,
                amount=amount,
                source=source,
                reason=reason,
                transfer_id=transfer_id,
            )
        )

    def withdraw(
        self,
        amount: Decimal,
        *,
        destination: str,
        transfer_id: str,
        at: datetime,
        reason: str = "withdrawal",
    ) -> None:
        """Money out; a withdrawal lowers the capital returns are measured on, as a deposit
        raises it, so neither counts as profit or loss."""
        self.results.deposit(-amount, at, self.collateral)
        self.adjust(-amount)
        self.record(
            events.CollateralWithdrawn(
                account_id=self.id,
                amount=amount,
                destination=destination,
                reason=reason,
                transfer_id=transfer_id,
            )
        )

    # -- copy trading ------------------------------------------------------------------------

    def set_leading(self, leading: bool) -> None:
        self.leading = leading
        self.row_changed = True

    def set_copy_state(self, state: CopyState) -> None:
        if self.copy is not None:
            self.copy.state = state
            self.row_changed = True

    # -- the daily loss limit --------------------------------------------------------------

    def loss_limit_reached(self, at: datetime) -> bool:
        limit = self.daily_loss_limit
        return limit is not None and self.results.day_loss(at) >= limit

    def set_daily_loss_limit(self, limit: Decimal | None) -> None:
        self.daily_loss_limit = limit
        self.row_changed = True
        self.record(events.DailyLossLimitSet(account_id=self.id, daily_loss_limit=limit))

    def set_leverage(self, market: str, leverage: Decimal) -> None:
        self.leverage[market] = leverage
        self.dirty_leverage.add(market)
        self.record(events.LeverageSet(account_id=self.id, market=market, leverage=leverage))

    # -- orders ---------------------------------------------------------------------------

    def accept(self, order: Order) -> None:
        self.open_orders[order.id] = order
        self.dirty_orders[order.id] = order
        position = self.positions.get(order.market)
        trigger = order.trigger_price
        if position is not None and trigger is not None and guards(order, position):
            position.protect(trigger, order.created_at)
            self.dirty_positions.add(order.market)
        self.record(account_events.order_accepted(self, order))

    def cancel_order(self, order: Order, reason: str, at: datetime) -> None:
        """Take the order off the book unfilled (or partly filled), for `reason`."""
        self._take_off_book(order, OrderStatus.CANCELLED, reason, at)

    def expire_order(self, order: Order, reason: str, at: datetime) -> None:
        """The order's terms leave nothing to fill (an IOC that did not cross, a reduce-only
        order with no position left): it ends as expired, not cancelled."""
        self._take_off_book(order, OrderStatus.EXPIRED, reason, at)

    def reject_order(self, order: Order, reason: str, at: datetime) -> None:
        """A live order the venue refused (or never received) ends as rejected."""
        self._take_off_book(order, OrderStatus.REJECTED, reason, at)

    def confirm_order(self, order: Order, at: datetime) -> None:
        """The venue took a pending live order: it is open here too (unless its fills, which
        may come first, have already filled it)."""
        if order.status is OrderStatus.PENDING:
            order.status = OrderStatus.OPEN
            order.updated_at = at
            self.dirty_orders[order.id] = order

    def _take_off_book(self, order: Order, status: OrderStatus, reason: str, at: datetime) -> None:
        order.close(status, reason, at)
        self.open_orders.pop(order.id, None)
        self.dirty_orders[order.id] = order
        self._stop_gone(order, at)
        self.record(account_events.order_taken_off_book(self, order, status, reason))

    def fill(
        self,
        *,
        fill_id: str,
        order: Order | None,
        market: str,
        side: Side,
        size: Decimal,
        price: Decimal,
        fee_rate: Decimal,
        liquidity: Liquidity,
        at: datetime,
        venue: str | None = None,
    ) -> Fill:
        """Trade `size` at `price`. Collateral moves by realized P&L minus the fee; the
        caller settles the opposite amount with the house (`venue`: the live venue was the
        other side, and nobody here settles)."""
        position = self.positions.get(market) or Position(market, ZERO, price, at)
        was_long = position.size > 0
        realized = money(position.apply(size * side.sign, price))
        fee = fee_for(size * price, fee_rate)
        self.settle(realized - fee, at)
        order_id = order.id if order else None
        fill = Fill(
            fill_id, order_id, self.id, market, side, size, price, fee, liquidity, realized, at
        )
        self.new_fills.append(fill)
        self.record(account_events.order_filled(self, fill, position, venue))
        self._update_position(position, realized, was_long, liquidity, at)
        if order is not None:
            self._fill_order(order, fill, at)
        return fill

    def _fill_order(self, order: Order, fill: Fill, at: datetime) -> None:
        order.record_fill(fill)
        self.dirty_orders[order.id] = order
        if order.status is OrderStatus.FILLED:
            self.open_orders.pop(order.id, None)
            self._stop_gone(order, at)

    def _stop_gone(self, order: Order, at: datetime) -> None:
        position = self.positions.get(order.market)
        if position is None or not guards(order, position):
            return
        if stop_trigger(position, self.open_orders.values()) is None:
            position.unprotect(at)
            self.dirty_positions.add(order.market)

    def _update_position(
        self,
        position: Position,
        realized: Decimal,
        was_long: bool,
        liquidity: Liquidity,
        at: datetime,
    ) -> None:
        market = position.market
        self.dirty_positions.add(market)
        opened_before = market in self.positions
        flipped = opened_before and position.size != ZERO and (position.size > 0) != was_long
        position.realized_pnl += realized
        if opened_before and (position.size == ZERO or flipped):
            self.record(account_events.position_closed(self, position, liquidity, at))
        if position.size != ZERO and (flipped or not opened_before):
            position.reopen(at, self.collateral, stop_trigger(position, self.open_orders.values()))
        if position.size == ZERO:
            self.positions.pop(market, None)
        else:
            self.positions[market] = position

    def pay_funding(self, market: str, rate: Decimal, mark: Decimal, at: datetime) -> Decimal:
        """Longs pay shorts when the rate is positive; returns what this account paid."""
        payment = money(self.positions[market].size * mark * rate)
        self.book_funding(market, rate, mark, payment, at)
        return payment

    def book_funding(
        self,
        market: str,
        rate: Decimal,
        mark: Decimal,
        payment: Decimal,
        at: datetime,
        venue: str | None = None,
    ) -> None:
        """A funding payment (negative: received) on the market's position, if one is open:
        on its funding paid, and out of the collateral (`venue`: the live venue paid it)."""
        position = self.positions.get(market)
        if position is not None:
            position.funding_paid += payment
            self.dirty_positions.add(market)
        self.settle(-payment, at)
        self.record(
            events.FundingPaid(
                account_id=self.id,
                market=market,
                rate=rate,
                mark=mark,
                position_size=position.size if position is not None else ZERO,
                payment=payment,
                venue=venue,
            )
        )
