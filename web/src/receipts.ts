// Receipts from the WebSocket: each fill, close, triggered stop and liquidation of the
// trader's accounts becomes a short toast with its realized P&L and fee. Fills reach both
// the orders and the positions channel: each is said once (by its fill id).
import { errorText } from "./api";
import { dec } from "./decimal";
import { price, signedUsd, size as showSize, usd } from "./format";
import { accountLabel, getState, setState } from "./store";
import type { Toast } from "./types";

interface Event {
  type?: string;
  account_id?: string;
  order_id?: string | null;
  fill_id?: string;
  market?: string;
  markets?: string[];
  side?: string;
  size?: string | number;
  price?: string | number;
  fee?: string | number;
  realized_pnl?: string | number;
  position_size?: string | number;
  mark?: string | number;
  liquidation_fee?: string | number;
}

const SHOWN_MS = 12_000;
const MOST = 4;
const said = new Set<string>();
const triggered = new Map<string, { kind: string; mark: string }>(); // order id → what fired
let next = 1;

export function dismiss(id: number): void {
  setState({ toasts: getState().toasts.filter((t) => t.id !== id) });
}

function raise(kind: Toast["kind"], text: string): void {
  const toast = { id: next++, kind, text };
  setState({ toasts: [...getState().toasts, toast].slice(-MOST) });
  window.setTimeout(() => dismiss(toast.id), SHOWN_MS);
}

/** Something that went wrong away from any form (a resting entry's stop-loss not placed). */
export const notifyFailure = (lead: string, error: unknown): void => raise("error", `${lead}: ${errorText(error)}`);

const text = (v: unknown) => (v === undefined || v === null ? "" : String(v));

/** A user-channel event (orders or positions): a receipt if it is one. */
export function onTradingEvent(event: Event): void {
  if (!event?.type) return;
  const { markets, accounts, account } = getState();
  const rules = markets.find((m) => m.market === event.market);
  const other = event.account_id && event.account_id !== account?.account_id
    ? accounts.find((a) => a.account_id === event.account_id) : undefined;
  const where = other ? ` (${accountLabel(other)} account)` : "";
  if (event.type === "OrderTriggered" && event.order_id) {
    const order = getState().orders.find((o) => o.order_id === event.order_id); // not reloaded yet
    triggered.set(event.order_id, { kind: order?.type === "take_profit" ? "Take-profit" : "Stop-loss", mark: text(event.mark) });
    return;
  }
  if (event.type === "OrderFilled") {
    const key = text(event.fill_id);
    if (!key || said.has(key)) return;
    said.add(key);
    const verb = event.side === "buy" ? "Bought" : "Sold";
    const what = `${showSize(text(event.size), rules?.step_size)} ${event.market} at ${price(text(event.price), rules?.tick_size)}`;
    const money = `realized P&L ${signedUsd(text(event.realized_pnl))}, fee ${usd(text(event.fee))}`;
    const fired = event.order_id ? triggered.get(event.order_id) : undefined;
    const closed = dec(text(event.position_size)) === 0n; // the fill left the market flat
    if (!event.order_id) raise("liquidation", `Liquidation: ${verb.toLowerCase()} ${what}; ${money}${where}.`);
    else if (fired) raise("stop", `${fired.kind} triggered at mark ${price(fired.mark, rules?.tick_size)}: ${verb.toLowerCase()} ${what}; ${money}${where}.`);
    else if (closed) raise("close", `Closed ${event.market}: ${verb.toLowerCase()} ${what}; ${money}${where}.`);
    else raise("fill", `${verb} ${what}; ${money}${where}.`);
    return;
  }
  if (event.type === "AccountLiquidated") {
    raise("liquidation", `Liquidated${where}: ${(event.markets ?? []).join(", ")} closed at the mark; liquidation fee ${usd(text(event.liquidation_fee))}.`);
  }
}
