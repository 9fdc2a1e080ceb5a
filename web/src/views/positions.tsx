// Open positions with live P&L and a close button (the close's realized P&L said after it);
// open orders with a cancel button. Prices show the market's tick, sizes its step.
import { Fragment, type RefObject } from "preact";
import { useRef, useState } from "preact/hooks";
import { del, errorText, post } from "../api";
import { attached, change, closingSide, type Kind } from "../brackets";
import { dec, div, str } from "../decimal";
import { amount, percent, price, signedUsd, sign, size as showSize, usd } from "../format";
import { reloadTrading } from "../session";
import { useStore } from "../store";
import type { Market, Order, PlacedOrder, Position } from "../types";
import { venueState } from "../venue-states";
import { Term } from "./glossary";

interface Outcome {
  error: boolean;
  text: string;
}

// A button's request, then the trading state read again; what came of it said where the
// button was (its row may be gone: focus moves to the message, not to the page's body).
function useTradingAction(): [Outcome | null, (request: () => Promise<string | null>) => Promise<void>, RefObject<HTMLParagraphElement | null>] {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const said = useRef<HTMLParagraphElement>(null);
  async function run(request: () => Promise<string | null>) {
    setOutcome(null);
    try {
      const text = await request();
      setOutcome(text ? { error: false, text } : null);
      await reloadTrading();
    } catch (failure) {
      setOutcome({ error: true, text: errorText(failure) });
    }
    window.setTimeout(() => said.current?.focus());
  }
  return [outcome, run, said];
}

function Said({ outcome, said, testId }: { outcome: Outcome | null; said: RefObject<HTMLParagraphElement | null>; testId: string }) {
  if (!outcome) return null;
  return (
    <p ref={said} tabIndex={-1} class={outcome.error ? "error" : "ok"} role={outcome.error ? "alert" : "status"} data-testid={testId}>
      {outcome.text}
    </p>
  );
}

const marketOf = (markets: Market[], id: string) => markets.find((m) => m.market === id);

/** "Closed BTC-USD long at 61,000.0: realized P&L +$95.80 (fee $1.53)." from the close's fills. */
export function closeSummary(order: PlacedOrder, side: string, tick?: string): string {
  const total = (pick: (f: PlacedOrder["fills"][number]) => string) =>
    str(order.fills.reduce((sum, f) => sum + (dec(pick(f)) ?? 0n), 0n), 6);
  const at = order.average_price ? ` at ${price(order.average_price, tick)}` : "";
  if (order.fills.length === 0) return `${order.market}: the close did not fill (${order.reason ?? order.status}).`;
  return `Closed ${order.market} ${side}${at}: realized P&L ${signedUsd(total((f) => f.realized_pnl))} (fee ${usd(total((f) => f.fee))}).`;
}

export function PositionsList() {
  const positions = useStore((s) => s.positions);
  const account = useStore((s) => s.account);
  const markets = useStore((s) => s.markets);
  const orders = useStore((s) => s.orders);
  const [outcome, run, said] = useTradingAction();
  const [editing, setEditing] = useState<string | null>(null);

  const close = (market: string, side: string) =>
    run(async () => {
      const order = await post<PlacedOrder>(`/positions/${encodeURIComponent(market)}/close`, { account_id: account?.account_id });
      return closeSummary(order, side, marketOf(markets, market)?.tick_size);
    });
  const cancelBracket = (o: Order) =>
    run(async () => {
      await del(`/orders/${encodeURIComponent(o.order_id)}`);
      return `${o.market} ${KIND_NAMES[o.type as Kind]} at ${price(o.trigger_price, marketOf(markets, o.market)?.tick_size)} cancelled.`;
    });

  return (
    <div>
      <Said outcome={outcome} said={said} testId="close-result" />
      {positions.length === 0 ? <p class="muted">No open positions.</p> : (
        <ul class="rows">
          {positions.map((p) => {
            const rules = marketOf(markets, p.market);
            const tick = rules?.tick_size;
            const guards = attached(orders, p.market);
            const roe = div(dec(p.unrealized_pnl) ?? 0n, dec(p.initial_margin) ?? 0n);
            return (
              <li key={p.market} class="row position" data-testid={`position-${p.market}`}>
                <div class="position-head">
                  <div>
                    <strong>{p.market}</strong> <span class={`tag ${p.side}`}>{p.side} {amount(p.leverage, 0)}x</span>
                    <div class="muted small">{showSize(p.size, rules?.step_size)} @ {price(p.entry_price, tick)} · mark {price(p.mark_price, tick)}</div>
                  </div>
                  <div class="right">
                    <span class={`pnl ${sign(p.unrealized_pnl)}`} data-testid={`pnl-${p.market}`} aria-label={`Unrealized P&L ${usd(p.unrealized_pnl)}`}>{signedUsd(p.unrealized_pnl)}</span>
                    <button type="button" onClick={() => void close(p.market, p.side)} aria-label={`Close ${p.market} position`}>Close</button>
                  </div>
                </div>
                <dl class="figures position-figures" data-testid={`figures-${p.market}`}>
                  <dt><Term id="liquidation">Liq. price</Term></dt><dd data-testid="liquidation-price">{p.liquidation_price ? price(p.liquidation_price, tick) : "none"}</dd>
                  <dt><Term id="margin">Margin</Term></dt><dd data-testid="position-margin">{usd(p.initial_margin)}</dd>
                  <dt><Term id="roe">ROE</Term></dt><dd data-testid="roe" class={sign(p.unrealized_pnl)}>{roe === null ? "—" : percent(str(roe, 8))}</dd>
                  <dt><Term id="funding">Funding paid</Term></dt><dd data-testid="funding-paid">{usd(p.funding_paid ?? "0")}</dd>
                  {(["stop_loss", "take_profit"] as Kind[]).map((kind) => (
                    <Fragment key={kind}>
                      <dt>{KIND_NAMES[kind]}</dt>
                      <dd data-testid={kind === "stop_loss" ? "attached-stop" : "attached-profit"}>
                        {guards[kind] ? (<>
                          {price(guards[kind]!.trigger_price, tick)}{" "}
                          <button type="button" class="ghost mini" onClick={() => void cancelBracket(guards[kind]!)} aria-label={`Cancel ${p.market} ${KIND_NAMES[kind]}`}>×</button>
                        </>) : "none"}
                      </dd>
                    </Fragment>
                  ))}
                </dl>
                <button type="button" class="ghost" aria-expanded={editing === p.market} onClick={() => setEditing(editing === p.market ? null : p.market)}
                  aria-label={`Stop-loss and take-profit of ${p.market}`}>{guards.stop_loss || guards.take_profit ? "Edit TP/SL" : "Add TP/SL"}</button>
                {editing === p.market && rules && account && (
                  <BracketEditor position={p} market={rules} guards={guards} onDone={() => setEditing(null)}
                    run={run} accountId={account.account_id} />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

const KIND_NAMES: Record<Kind, string> = { stop_loss: "Stop-loss", take_profit: "Take-profit" };

/** Set, move or remove (empty) a position's stop-loss and take-profit: its whole size, on
 * its closing side, each new one placed before the old one is cancelled. */
function BracketEditor({ position, market, guards, accountId, run, onDone }: {
  position: Position; market: Market; guards: Partial<Record<Kind, Order>>; accountId: string;
  run: (request: () => Promise<string | null>) => Promise<void>; onDone: () => void;
}) {
  const [stop, setStop] = useState(guards.stop_loss?.trigger_price ?? "");
  const [profit, setProfit] = useState(guards.take_profit?.trigger_price ?? "");
  const base = market.market.split("-")[0];
  const save = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await change(accountId, market, position, "stop_loss", stop, guards.stop_loss);
      await change(accountId, market, position, "take_profit", profit, guards.take_profit);
      onDone();
      return `${market.market}: stop-loss ${stop.trim() ? price(stop, market.tick_size) : "none"}, take-profit ${profit.trim() ? price(profit, market.tick_size) : "none"}.`;
    });
  };
  const id = (name: string) => `bracket-${market.market}-${name}`;
  return (
    <form class="bracket-editor stack" onSubmit={save} aria-label={`Stop-loss and take-profit of ${market.market}`}>
      <p class="hint">Each closes your whole {position.side} of {showSize(position.size, market.step_size)} {base} ({closingSide(position)}, at market) when the mark reaches it. Leave empty to remove.</p>
      <label for={id("stop")}>Stop-loss trigger</label>
      <input id={id("stop")} inputMode="decimal" autoComplete="off" value={stop} onInput={(e) => setStop((e.target as HTMLInputElement).value)} />
      <label for={id("profit")}>Take-profit trigger</label>
      <input id={id("profit")} inputMode="decimal" autoComplete="off" value={profit} onInput={(e) => setProfit((e.target as HTMLInputElement).value)} />
      <button type="submit" class="primary">Save TP/SL</button>
    </form>
  );
}

/** An order's tag colour says what it is for: a take-profit is a gain, a stop-loss a guard. */
export function orderTag(o: Pick<Order, "type" | "side">): string {
  if (o.type === "take_profit") return "tag profit";
  if (o.type === "stop_loss") return "tag stop";
  return o.side === "buy" ? "tag long" : "tag short";
}

export function OrdersList() {
  const orders = useStore((s) => s.orders);
  const refused = useStore((s) => s.refused);
  const markets = useStore((s) => s.markets);
  const [outcome, run, said] = useTradingAction();

  const cancel = (orderId: string) =>
    run(async () => {
      await del(`/orders/${encodeURIComponent(orderId)}`);
      return "Order cancelled.";
    });

  const shown = [...orders, ...refused];
  return (
    <div>
      <Said outcome={outcome} said={said} testId="cancel-result" />
      {shown.length === 0 ? <p class="muted">No open orders.</p> : (
        <ul class="rows">
          {shown.map((o) => {
            const rules = marketOf(markets, o.market);
            const state = venueState(o);
            return (
              <li key={o.order_id} class={state ? `row venue-${state.tone}` : "row"} data-testid="open-order" data-status={o.status}>
                <div>
                  <strong>{o.market}</strong> <span class={orderTag(o)}>{o.side} {o.type.replace("_", " ")}</span>
                  {state && <> <span class={`tag ${state.tone}`} data-testid="order-state">{state.label}</span></>}
                  <div class="muted small" data-testid="order-figures">
                    {showSize(o.size, rules?.step_size)}
                    {o.price ? ` @ ${price(o.price, rules?.tick_size)}` : ""}
                    {o.trigger_price ? ` trigger ${price(o.trigger_price, rules?.tick_size)}` : ""}
                  </div>
                  {state && <div class="small venue-detail" data-testid="order-state-detail">{state.detail}</div>}
                </div>
                {/* A pending order is Extended's to answer first; a refused one is over. */}
                {o.status === "open" && (
                  <button type="button" onClick={() => void cancel(o.order_id)} aria-label={`Cancel ${o.type} order on ${o.market}`}>Cancel</button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
