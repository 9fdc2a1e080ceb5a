// The order ticket: type, side, size and leverage (capped at the trader's unlock and the
// market tier, with the reason), with fee, margin and liquidation estimates before sending.
import { useState } from "preact/hooks";
import { ApiError, errorText, post, put } from "../api";
import { estimate, leverageCap, notionalOf } from "../estimates";
import { price as showPrice, usd } from "../format";
import { reloadTrading } from "../session";
import { useStore } from "../store";
import type { Market, Order } from "../types";

type OrderType = "market" | "limit" | "stop_loss" | "take_profit";
const TYPES: Array<[OrderType, string]> = [
  ["market", "Market"],
  ["limit", "Limit"],
  ["stop_loss", "Stop-loss"],
  ["take_profit", "Take-profit"],
];

export function OrderTicket({ market }: { market: Market }) {
  const account = useStore((s) => s.account);
  const progression = useStore((s) => s.progression);
  const me = useStore((s) => s.me);
  const mark = useStore((s) => s.quotes[market.market]?.mark ?? market.mark_price);
  const [type, setType] = useState<OrderType>("market");
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [size, setSize] = useState("");
  const [limit, setLimit] = useState("");
  const [trigger, setTrigger] = useState("");
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const unlocked = progression?.max_leverage ?? Number(me?.max_leverage ?? 10);
  const level = progression?.level ?? me?.level ?? 1;
  const execution = type === "limit" ? limit : type === "market" ? mark : trigger;
  const cap = leverageCap(market, notionalOf(size || "0", execution || mark), unlocked, level);
  const current = Number(account?.leverage[market.market] ?? 5);
  const leverage = Math.min(chosen[market.market] ?? current, cap.max);
  const opening = type === "market" || type === "limit";
  const figures = opening && account
    ? estimate({ market, side, size, price: execution || mark, leverage, taker: type === "market",
        equity: account.equity, maintenance: account.maintenance_margin })
    : null;

  async function send(event: Event) {
    event.preventDefault();
    if (!account) return;
    setBusy(true);
    setMessage(null);
    try {
      if (opening && leverage !== current) {
        await put(`/accounts/${account.account_id}/leverage`, { market: market.market, leverage: String(leverage) });
      }
      const order = await post<Order>("/orders", {
        account_id: account.account_id,
        market: market.market,
        side,
        type,
        size: size.trim(),
        ...(type === "limit" ? { price: limit.trim() } : {}),
        ...(type === "stop_loss" || type === "take_profit" ? { trigger_price: trigger.trim() } : {}),
      });
      const filled = order.average_price ? ` at ${showPrice(order.average_price, market.tick_size)}` : "";
      setMessage({ error: false, text: `Order ${order.status}${filled}.` });
      await reloadTrading();
    } catch (failure) {
      const field = failure instanceof ApiError && failure.field ? ` (${failure.field})` : "";
      setMessage({ error: true, text: errorText(failure) + field });
    } finally {
      setBusy(false);
    }
  }

  const id = (name: string) => `ticket-${name}`;
  return (
    <form class="ticket card stack" onSubmit={send} aria-label="Order ticket">
      <h2>Order · {market.market}</h2>
      <div class="switch" role="group" aria-label="Side">
        <button type="button" class={side === "buy" ? "buy on" : "buy"} aria-pressed={side === "buy"} onClick={() => setSide("buy")}>Buy / Long</button>
        <button type="button" class={side === "sell" ? "sell on" : "sell"} aria-pressed={side === "sell"} onClick={() => setSide("sell")}>Sell / Short</button>
      </div>
      <label for={id("type")}>Type</label>
      <select id={id("type")} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as OrderType)}>
        {TYPES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
      </select>
      {!opening && <p class="hint">Triggers on the mark price and closes (reduce-only) at market: pick the side that reduces your position.</p>}
      <label for={id("size")}>Size ({market.market.split("-")[0]}, min {market.min_size})</label>
      <input id={id("size")} inputMode="decimal" autoComplete="off" value={size} placeholder={market.min_size} onInput={(e) => setSize((e.target as HTMLInputElement).value)} required />
      {type === "limit" && (<>
        <label for={id("price")}>Limit price</label>
        <input id={id("price")} inputMode="decimal" value={limit} placeholder={mark} onInput={(e) => setLimit((e.target as HTMLInputElement).value)} required />
      </>)}
      {!opening && (<>
        <label for={id("trigger")}>Trigger price</label>
        <input id={id("trigger")} inputMode="decimal" value={trigger} placeholder={mark} onInput={(e) => setTrigger((e.target as HTMLInputElement).value)} required />
      </>)}
      {opening && (<>
        <label for={id("leverage")}>Leverage <output data-testid="leverage-value">{leverage}x</output></label>
        <input id={id("leverage")} type="range" min={1} max={cap.max} step={1} value={leverage}
          aria-valuetext={`${leverage}x of at most ${cap.max}x`} aria-describedby={id("cap")}
          onInput={(e) => setChosen({ ...chosen, [market.market]: Number((e.target as HTMLInputElement).value) })} />
        <p id={id("cap")} class="hint" data-testid="leverage-cap">{cap.reason}</p>
      </>)}
      {figures && (
        <dl class="figures" aria-label="Estimates before sending">
          <dt>Notional</dt><dd>{usd(figures.notional)}</dd>
          <dt>Fee {type === "limit" ? "(0 if it rests)" : "(taker 0.025%)"}</dt><dd data-testid="estimate-fee">{usd(figures.fee)}</dd>
          <dt>Margin</dt><dd data-testid="estimate-margin">{usd(figures.margin)}</dd>
          <dt>Liquidation ≈</dt><dd data-testid="estimate-liquidation">{figures.liquidation ? showPrice(figures.liquidation, market.tick_size) : "none"}</dd>
          <dt>Available</dt><dd>{usd(account?.available)}</dd>
        </dl>
      )}
      {message && <p class={message.error ? "error" : "ok"} role={message.error ? "alert" : "status"} data-testid="ticket-message">{message.text}</p>}
      <button type="submit" class={side === "buy" ? "primary buy" : "primary sell"} disabled={busy}>
        {side === "buy" ? "Buy" : "Sell"} {size.trim() || "0"} {market.market.split("-")[0]}
      </button>
    </form>
  );
}
