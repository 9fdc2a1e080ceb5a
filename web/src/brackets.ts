// Stop-loss and take-profit attached to a position: placed right after the entry fills (at
// once for a market order, on its fill event for a resting limit), for the position's whole
// size on its closing side. Edited by placing the new order before cancelling the old one,
// so the position is never left unprotected in between (docs/progression-rules.md rewards a stop that
// protected a position for its whole life).
import { del, get, post } from "./api";
import { abs, dec, str } from "./decimal";
import { decimalsOf } from "./format";
import { getState, setState } from "./store";
import type { Market, Order, Position } from "./types";

export type Kind = "stop_loss" | "take_profit";
export interface Brackets {
  stop_loss?: string;
  take_profit?: string;
}

const waiting = new Map<string, { accountId: string; market: Market; brackets: Brackets }>();

export const closingSide = (position: Pick<Position, "side">): "buy" | "sell" => (position.side === "long" ? "sell" : "buy");

/** The open stop-loss and take-profit of `market` in the traded account. */
export function attached(orders: Order[], market: string): Partial<Record<Kind, Order>> {
  const found: Partial<Record<Kind, Order>> = {};
  for (const o of orders) if (o.market === market && (o.type === "stop_loss" || o.type === "take_profit")) found[o.type] ??= o;
  return found;
}

async function positionOf(accountId: string, market: string): Promise<Position | undefined> {
  const positions = await get<Position[]>(`/positions?account_id=${encodeURIComponent(accountId)}`);
  if (getState().account?.account_id === accountId) setState({ positions });
  return positions.find((p) => p.market === market);
}

/** Place `kind` at `trigger` closing the whole position of `market`. */
export async function place(accountId: string, market: Market, position: Position, kind: Kind, trigger: string): Promise<Order> {
  return post<Order>("/orders", {
    account_id: accountId,
    market: market.market,
    side: closingSide(position),
    type: kind,
    size: str(abs(dec(position.size) ?? 0n), decimalsOf(market.step_size)),
    trigger_price: trigger.trim(),
  });
}

/** After an entry filled: the brackets the ticket asked for, on the position it left. */
export async function attach(accountId: string, market: Market, brackets: Brackets): Promise<Kind[]> {
  const kinds = (["stop_loss", "take_profit"] as Kind[]).filter((k) => brackets[k]?.trim());
  if (kinds.length === 0) return [];
  const position = await positionOf(accountId, market.market);
  if (!position) throw new Error("The entry left no position to protect.");
  for (const kind of kinds) await place(accountId, market, position, kind, brackets[kind]!);
  return kinds;
}

/** A resting entry: attach its brackets when it fills (see onOrderEvent). */
export function attachOnFill(orderId: string, accountId: string, market: Market, brackets: Brackets): void {
  waiting.set(orderId, { accountId, market, brackets });
}

/** The orders channel's events: a waiting entry's fill places its brackets. */
export function onOrderEvent(data: { type?: string; order_id?: string | null }, failed: (error: unknown) => void): void {
  if (data.type !== "OrderFilled" || !data.order_id) return;
  const entry = waiting.get(data.order_id);
  if (!entry) return;
  waiting.delete(data.order_id);
  attach(entry.accountId, entry.market, entry.brackets).catch(failed);
}

/** Set (or move, or remove with an empty trigger) one bracket of a position. */
export async function change(accountId: string, market: Market, position: Position, kind: Kind, trigger: string, current?: Order): Promise<void> {
  const wanted = trigger.trim();
  if (current && wanted && dec(wanted) === dec(current.trigger_price)) return;
  if (wanted) await place(accountId, market, position, kind, wanted);
  if (current) await del(`/orders/${encodeURIComponent(current.order_id)}`);
}
