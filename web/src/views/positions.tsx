// Open positions with live P&L and a close button; open orders with a cancel button.
import { useState } from "preact/hooks";
import { del, errorText, post } from "../api";
import { amount, price, signedUsd, sign, usd } from "../format";
import { reloadTrading } from "../session";
import { useStore } from "../store";

// A button's request, then the trading state read again; its error shown, as the API said it.
function useTradingAction(): [string | null, (request: () => Promise<unknown>) => Promise<void>] {
  const [error, setError] = useState<string | null>(null);
  async function run(request: () => Promise<unknown>) {
    setError(null);
    try {
      await request();
      await reloadTrading();
    } catch (failure) {
      setError(errorText(failure));
    }
  }
  return [error, run];
}

export function PositionsList() {
  const positions = useStore((s) => s.positions);
  const account = useStore((s) => s.account);
  const markets = useStore((s) => s.markets);
  const [error, run] = useTradingAction();
  if (positions.length === 0) return <p class="muted">No open positions.</p>;

  const close = (market: string) =>
    run(() => post(`/positions/${encodeURIComponent(market)}/close`, { account_id: account?.account_id }));

  return (
    <div>
      {error && <p class="error" role="alert">{error}</p>}
      <ul class="rows">
        {positions.map((p) => {
          const tick = markets.find((m) => m.market === p.market)?.tick_size;
          return (
            <li key={p.market} class="row position" data-testid={`position-${p.market}`}>
              <div>
                <strong>{p.market}</strong> <span class={`tag ${p.side}`}>{p.side} {amount(p.leverage, 0)}x</span>
                <div class="muted small">{amount(p.size, 8)} @ {price(p.entry_price, tick)} · mark {price(p.mark_price, tick)}</div>
              </div>
              <div class="right">
                <span class={`pnl ${sign(p.unrealized_pnl)}`} data-testid={`pnl-${p.market}`} aria-label={`Unrealized P&L ${usd(p.unrealized_pnl)}`}>{signedUsd(p.unrealized_pnl)}</span>
                <button type="button" onClick={() => void close(p.market)} aria-label={`Close ${p.market} position`}>Close</button>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function OrdersList() {
  const orders = useStore((s) => s.orders);
  const [error, run] = useTradingAction();
  if (orders.length === 0) return <p class="muted">No open orders.</p>;

  const cancel = (orderId: string) => run(() => del(`/orders/${encodeURIComponent(orderId)}`));

  return (
    <div>
      {error && <p class="error" role="alert">{error}</p>}
      <ul class="rows">
        {orders.map((o) => (
          <li key={o.order_id} class="row" data-testid="open-order">
            <div>
              <strong>{o.market}</strong> <span class={`tag ${o.side === "buy" ? "long" : "short"}`}>{o.side} {o.type.replace("_", " ")}</span>
              <div class="muted small">{amount(o.size, 8)} {o.price ? `@ ${amount(o.price, 8)}` : ""} {o.trigger_price ? `trigger ${amount(o.trigger_price, 8)}` : ""}</div>
            </div>
            <button type="button" onClick={() => void cancel(o.order_id)} aria-label={`Cancel ${o.type} order on ${o.market}`}>Cancel</button>
          </li>
        ))}
      </ul>
    </div>
  );
}
