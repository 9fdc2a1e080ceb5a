// The order ticket: type, side, size and leverage (capped at the trader's unlock and the
// market tier, with the reason), with fee, margin and liquidation estimates before sending,
// and a warning when the margin is not there. Stop-loss and take-profit orders start as the
// close of the position: its closing side and its whole size.
import { useEffect, useState } from "preact/hooks";
import { ApiError, errorText, post, put } from "../api";
import { abs, dec, str } from "../decimal";
import { estimate, leverageCap, limitIsMarketable, notionalOf, onlyReduces } from "../estimates";
import { decimalsOf, price as showPrice, size as showSize, usd } from "../format";
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

/** Sizes and prices are kept per account and market: what was typed for one market never
 * carries over to another (and is still there on coming back). */
interface Draft {
  size: string;
  limit: string;
  trigger: string;
}
const EMPTY: Draft = { size: "", limit: "", trigger: "" };

export function OrderTicket({ market }: { market: Market }) {
  const account = useStore((s) => s.account);
  const progression = useStore((s) => s.progression);
  const me = useStore((s) => s.me);
  const mark = useStore((s) => s.quotes[market.market]?.mark ?? market.mark_price);
  const position = useStore((s) => s.positions.find((p) => p.market === market.market));
  const [type, setType] = useState<OrderType>("market");
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const draftKey = `${account?.account_id}:${market.market}`;
  const { size, limit, trigger } = drafts[draftKey] ?? EMPTY;
  const edit = (change: Partial<Draft>) =>
    setDrafts((all) => ({ ...all, [draftKey]: { ...(all[draftKey] ?? EMPTY), ...change } }));
  const setSize = (value: string) => edit({ size: value });
  const setLimit = (value: string) => edit({ limit: value });
  const setTrigger = (value: string) => edit({ trigger: value });
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const opening = type === "market" || type === "limit";
  const base = market.market.split("-")[0];

  // A stop or take-profit closes the position: its closing side, its size (the API refuses
  // a larger one).
  const held = position && str(abs(dec(position.size) ?? 0n), decimalsOf(market.step_size));
  useEffect(() => {
    if (opening || !position || !held) return;
    setSide(position.side === "long" ? "sell" : "buy");
    setSize(held);
  }, [type, market.market, position?.side, held]);

  const unlocked = progression?.max_leverage ?? Number(me?.max_leverage ?? 10);
  const level = progression?.level ?? me?.level ?? 1;
  const execution = type === "limit" ? limit : type === "market" ? mark : trigger;
  const cap = leverageCap(market, notionalOf(size || "0", execution || mark), unlocked, level);
  const current = Number(account?.leverage[market.market] ?? 5);
  const wanted = chosen[market.market] ?? current;
  const leverage = Math.min(wanted, cap.max);
  const taker = type === "market" || (type === "limit" && limitIsMarketable(side, limit, mark));
  const figures = opening && account
    ? estimate({ market, side, size, price: execution || mark, leverage, taker,
        equity: account.equity, maintenance: account.maintenance_margin })
    : null;
  const needed = figures && (dec(figures.margin) ?? 0n) + (dec(figures.fee) ?? 0n);
  const short = needed !== null && account && !onlyReduces(side, size, position) && needed > (dec(account.available) ?? 0n);

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
  const feeLabel = type === "market" ? "(taker 0.025%)" : taker ? "(taker 0.025%: fills at once)" : "(maker 0%: it rests)";
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
      {!opening && (
        <p class="hint" data-testid="trigger-hint">
          {position
            ? `Closes your ${position.side} of ${showSize(position.size, market.step_size)} ${base} (a ${position.side === "long" ? "sell" : "buy"}, reduce-only, at market) when the mark reaches the trigger.`
            : `You have no ${market.market} position: a stop-loss or take-profit only closes one.`}
        </p>
      )}
      <label for={id("size")}>Size ({base}, min {market.min_size})</label>
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
        <p id={id("cap")} class="hint" data-testid="leverage-cap">
          {cap.reason}{wanted > cap.max ? ` Your ${wanted}x is lowered to ${cap.max}x for this order.` : ""}
        </p>
      </>)}
      {figures && (
        <dl class="figures" aria-label="Estimates before sending">
          <dt>Notional</dt><dd data-testid="estimate-notional">{usd(figures.notional)}</dd>
          <dt>Fee {feeLabel}</dt><dd data-testid="estimate-fee">{usd(figures.fee)}</dd>
          <dt>Margin</dt><dd data-testid="estimate-margin">{usd(figures.margin)}</dd>
          <dt>Liquidation ≈</dt><dd data-testid="estimate-liquidation">{figures.liquidation ? showPrice(figures.liquidation, market.tick_size) : "none"}</dd>
          <dt>Available</dt><dd data-testid="available">{usd(account?.available)}</dd>
        </dl>
      )}
      {short && needed !== null && (
        <p class="warn" role="status" data-testid="margin-warning">
          Not enough margin: this order needs about {usd(str(needed, 2))} (margin and fee); {usd(account?.available)} is available.
        </p>
      )}
      {message && <p class={message.error ? "error" : "ok"} role={message.error ? "alert" : "status"} data-testid="ticket-message">{message.text}</p>}
      <button type="submit" class={side === "buy" ? "primary buy" : "primary sell"} disabled={busy}>
        {side === "buy" ? "Buy" : "Sell"} {size.trim() || "0"} {base}
      </button>
    </form>
  );
}
