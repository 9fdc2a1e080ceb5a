// The order ticket: type, side, size (in coin, in USD or as a share of what is available,
// with a Max) and leverage (capped at the trader's unlock and the market tier, with the
// reason), with fee, margin and liquidation estimates before sending, a warning when the
// margin is not there, and a confirmation before a high-risk order (above 10x, or margin in
// use reaching 80% of equity). An opening order may carry a stop-loss and a take-profit,
// placed as soon as it fills, with the risk at the stop as a share of equity. Stop-loss and
// take-profit orders start as the close of the position: its closing side and whole size.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, errorText, post, put } from "../api";
import { attach, attachOnFill, type Brackets } from "../brackets";
import { abs, dec, div, mul, of, str } from "../decimal";
import { coinSize, estimate, feeRate, leverageCap, limitIsMarketable, notionalOf, onlyReduces, riskAtStop, sizeFor } from "../estimates";
import { decimalsOf, percent, price as showPrice, size as showSize, usd } from "../format";
import { reloadTrading } from "../session";
import { useStore } from "../store";
import type { Market, Order } from "../types";
import { Term } from "./glossary";

type OrderType = "market" | "limit" | "stop_loss" | "take_profit";
type Unit = "coin" | "usd" | "pct";
const TYPES: Array<[OrderType, string]> = [
  ["market", "Market"],
  ["limit", "Limit"],
  ["stop_loss", "Stop-loss"],
  ["take_profit", "Take-profit"],
];
const CONFIRM_LEVERAGE = 10; // above it, the order is confirmed first
const CONFIRM_MARGIN_SHARE = dec("0.8")!; // margin in use after the order, of equity
const BONUS_RISK_SHARE = dec("0.02")!; // docs/progression-rules.md: +5 XP at most 2% of equity at risk

/** Sizes and prices are kept per account and market: what was typed for one market never
 * carries over to another (and is still there on coming back). */
interface Draft {
  size: string;
  limit: string;
  trigger: string;
  stop: string;
  profit: string;
}
const EMPTY: Draft = { size: "", limit: "", trigger: "", stop: "", profit: "" };

const rateText = (rate: bigint) => `${str(rate * 100n, 4)}%`;

const UNANSWERED = "Extended did not answer in time. The order is pending in your open orders until Extended takes or refuses it: check there before sending it again.";

export function OrderTicket({ market }: { market: Market }) {
  const account = useStore((s) => s.account);
  const progression = useStore((s) => s.progression);
  const me = useStore((s) => s.me);
  const mark = useStore((s) => s.quotes[market.market]?.mark ?? market.mark_price);
  const position = useStore((s) => s.positions.find((p) => p.market === market.market));
  const [type, setType] = useState<OrderType>("market");
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [unit, setUnit] = useState<Unit>("coin");
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const draftKey = `${account?.account_id}:${market.market}`;
  const { size, limit, trigger, stop, profit } = drafts[draftKey] ?? EMPTY;
  const edit = (change: Partial<Draft>) =>
    setDrafts((all) => ({ ...all, [draftKey]: { ...(all[draftKey] ?? EMPTY), ...change } }));
  const setSize = (value: string) => edit({ size: value });
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLDialogElement>(null);
  const opening = type === "market" || type === "limit";
  const base = market.market.split("-")[0];
  const sizeUnit = opening ? unit : "coin";

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
  const execution = (type === "limit" ? limit : type === "market" ? mark : trigger) || mark;
  const taker = type === "market" || (type === "limit" && limitIsMarketable(side, limit, mark));
  const current = Number(account?.leverage[market.market] ?? 5);
  const wanted = chosen[market.market] ?? current;
  // The size in coin: typed, or worked out from dollars or a share of what is available.
  const available = account?.available ?? "0";
  const coinFor = (lev: number) => coinSize(sizeUnit, size, market, execution, available, lev, taker);
  const capFor = (coin: bigint | null) => leverageCap(market, notionalOf(coin === null ? "0" : str(coin, 18), execution), unlocked, level);
  const cap = capFor(coinFor(Math.min(wanted, unlocked)));
  const leverage = Math.min(wanted, cap.max);
  const coin = coinFor(leverage);
  const coinText = coin === null ? "" : sizeUnit === "coin" ? size.trim() : str(coin, decimalsOf(market.step_size));
  const figures = opening && account && coin !== null
    ? estimate({ market, side, size: coinText, price: execution, leverage, taker,
        equity: account.equity, maintenance: account.maintenance_margin })
    : null;
  const needed = figures && (dec(figures.margin) ?? 0n) + (dec(figures.fee) ?? 0n);
  const reduces = onlyReduces(side, coinText, position);
  const short = needed !== null && account && !reduces && needed > (dec(account.available) ?? 0n);
  const equity = dec(account?.equity) ?? 0n;
  const marginAfter = figures && account && !reduces
    ? (dec(figures.margin) ?? 0n) + (dec(account.initial_margin) ?? 0n) + (dec(account.order_margin) ?? 0n)
    : null;
  const marginShare = marginAfter !== null ? div(marginAfter, equity) : null;
  const risks = [
    opening && !reduces && leverage > CONFIRM_LEVERAGE ? `Leverage ${leverage}x is above ${CONFIRM_LEVERAGE}x: a ${str(of(100) / BigInt(leverage), 1)}% move against you takes the whole margin.` : null,
    opening && marginShare !== null && marginShare >= CONFIRM_MARGIN_SHARE
      ? `Margin in use after this order: ${usd(str(marginAfter!, 2))}, ${percent(str(marginShare, 6), 1)} of your ${usd(account?.equity)} equity; little is left to absorb a move.`
      : null,
  ].filter((r): r is string => r !== null);

  // Stop-loss and take-profit with the entry: the right side of the price, and the risk.
  const protecting = opening && !reduces;
  const long = side === "buy";
  const wrongStop = protecting && stop && dec(stop) !== null && (long ? dec(stop)! >= dec(execution)! : dec(stop)! <= dec(execution)!);
  const wrongProfit = protecting && profit && dec(profit) !== null && (long ? dec(profit)! <= dec(execution)! : dec(profit)! >= dec(execution)!);
  const risk = protecting && stop && coin !== null && account ? riskAtStop(execution, stop, coin, account.equity) : null;

  function useMax() {
    const most = sizeFor(market, available, execution, leverage, taker);
    if (most === null) {
      setMessage({ error: true, text: `Not enough available for the minimum size of ${market.min_size} ${base} at ${leverage}x.` });
      return;
    }
    setMessage(null);
    if (unit === "pct") setSize("100");
    else if (unit === "usd") setSize(str(mul(most, dec(execution) ?? 0n), 2));
    else setSize(str(most, decimalsOf(market.step_size)));
  }

  function review(event: Event) {
    event.preventDefault();
    if (!account) return;
    if (coin === null) {
      setMessage({ error: true, text: `Enter a size of at least ${market.min_size} ${base}.` });
      return;
    }
    if (wrongStop || wrongProfit) {
      setMessage({ error: true, text: wrongStop ? `A stop-loss for a ${long ? "long" : "short"} goes ${long ? "below" : "above"} the entry price.` : `A take-profit for a ${long ? "long" : "short"} goes ${long ? "above" : "below"} the entry price.` });
      return;
    }
    // An order the margin cannot carry goes straight to the API, which says by how much.
    if (risks.length > 0 && !short) confirm.current?.showModal();
    else void send();
  }

  async function send() {
    if (!account) return;
    confirm.current?.close();
    setBusy(true);
    setMessage(null);
    const brackets: Brackets = protecting ? { stop_loss: stop, take_profit: profit } : {};
    try {
      if (opening && leverage !== current) {
        await put(`/accounts/${account.account_id}/leverage`, { market: market.market, leverage: String(leverage) });
      }
      const order = await post<Order>("/orders", {
        account_id: account.account_id,
        market: market.market,
        side,
        type,
        size: coinText,
        ...(type === "limit" ? { price: limit.trim() } : {}),
        ...(type === "stop_loss" || type === "take_profit" ? { trigger_price: trigger.trim() } : {}),
      });
      const filled = order.average_price ? ` at ${showPrice(order.average_price, market.tick_size)}` : "";
      let text = `Order ${order.status}${filled}.`;
      if ((dec(order.filled_size) ?? 0n) > 0n) {
        const placed = await attach(account.account_id, market, brackets);
        if (placed.length) text += ` ${placed.map((k) => (k === "stop_loss" ? `Stop-loss at ${stop.trim()}` : `Take-profit at ${profit.trim()}`)).join(" and ")} placed.`;
      } else if (order.status === "open" && (brackets.stop_loss || brackets.take_profit)) {
        attachOnFill(order.order_id, account.account_id, market, brackets);
        text += " Its stop-loss and take-profit are placed when it fills.";
      }
      if (opening) edit({ stop: "", profit: "" });
      setMessage({ error: false, text });
      await reloadTrading();
    } catch (failure) {
      const field = failure instanceof ApiError && failure.field ? ` (${failure.field})` : "";
      // A live order Extended did not answer in time is kept as pending and may yet be
      // taken: sending it again from here would be a second order, so say where it is.
      const unanswered = account.kind === "live" && failure instanceof ApiError && failure.code === "unavailable";
      setMessage({ error: true, text: unanswered ? UNANSWERED : failure instanceof ApiError ? errorText(failure) + field : errorText(failure) });
      await reloadTrading().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  }

  const id = (name: string) => `ticket-${name}`;
  const takerRate = rateText(feeRate(market, true));
  const feeLabel = type === "market" ? `(taker ${takerRate})` : taker ? `(taker ${takerRate}: fills at once)` : `(maker ${rateText(feeRate(market, false))}: it rests)`;
  const unitLabel = sizeUnit === "coin" ? base : sizeUnit === "usd" ? "USD" : "% of available";
  return (
    <form class="ticket card stack" onSubmit={review} aria-label="Order ticket">
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
      <label for={id("size")}>Size ({unitLabel}, min {market.min_size} {base})</label>
      <div class="size-row">
        <input id={id("size")} inputMode="decimal" autoComplete="off" value={size} placeholder={sizeUnit === "coin" ? market.min_size : ""}
          aria-describedby={sizeUnit !== "coin" ? id("coin") : undefined} onInput={(e) => setSize((e.target as HTMLInputElement).value)} required />
        {opening && (
          <select id={id("unit")} aria-label="Size in" value={unit} onChange={(e) => { setUnit((e.target as HTMLSelectElement).value as Unit); setSize(""); }}>
            <option value="coin">{base}</option><option value="usd">USD</option><option value="pct">% avail.</option>
          </select>
        )}
        {opening && <button type="button" onClick={useMax} aria-label={`Max size at ${leverage}x`} data-testid="max-size">Max</button>}
      </div>
      {sizeUnit !== "coin" && (
        <p id={id("coin")} class="hint" data-testid="coin-size">{coin === null ? `Below the minimum of ${market.min_size} ${base}.` : `= ${coinText} ${base}`}</p>
      )}
      {type === "limit" && (<>
        <label for={id("price")}>Limit price</label>
        <input id={id("price")} inputMode="decimal" value={limit} placeholder={mark} onInput={(e) => edit({ limit: (e.target as HTMLInputElement).value })} required />
      </>)}
      {!opening && (<>
        <label for={id("trigger")}>Trigger price</label>
        <input id={id("trigger")} inputMode="decimal" value={trigger} placeholder={mark} onInput={(e) => edit({ trigger: (e.target as HTMLInputElement).value })} required />
      </>)}
      {opening && (<>
        <label for={id("leverage")}><span><Term id="leverage">Leverage</Term> <output data-testid="leverage-value">{leverage}x</output></span></label>
        <input id={id("leverage")} type="range" min={1} max={cap.max} step={1} value={leverage}
          aria-valuetext={`${leverage}x of at most ${cap.max}x`} aria-describedby={id("cap")}
          onInput={(e) => setChosen({ ...chosen, [market.market]: Number((e.target as HTMLInputElement).value) })} />
        <p id={id("cap")} class="hint" data-testid="leverage-cap">
          {cap.reason}{wanted > cap.max ? ` Your ${wanted}x is lowered to ${cap.max}x for this order.` : ""}
        </p>
      </>)}
      {protecting && (
        <fieldset class="brackets">
          <legend>Protect it (optional)</legend>
          <label for={id("stop")}>Stop-loss trigger</label>
          <input id={id("stop")} inputMode="decimal" autoComplete="off" value={stop} aria-describedby={id("risk")}
            onInput={(e) => edit({ stop: (e.target as HTMLInputElement).value })} />
          <label for={id("profit")}>Take-profit trigger</label>
          <input id={id("profit")} inputMode="decimal" autoComplete="off" value={profit}
            onInput={(e) => edit({ profit: (e.target as HTMLInputElement).value })} />
          <p id={id("risk")} class="hint" data-testid="risk-at-stop">
            {wrongStop ? `A stop-loss for a ${long ? "long" : "short"} goes ${long ? "below" : "above"} ${showPrice(execution, market.tick_size)}.`
              : risk && risk.share !== null
                ? <>Risk at stop {usd(str(risk.risk, 2))} = {percent(str(risk.share, 6))} of equity.{" "}
                    {risk.share <= BONUS_RISK_SHARE ? "At most 2%: this close earns +5 XP, and +10 XP more if the stop stays on for the position's whole life." : "Above 2%: a smaller size or a closer stop would earn +5 XP on the close."}</>
                : "A stop-loss kept on for the position's whole life earns +10 XP on the close; +5 XP more if it risks at most 2% of equity."}
          </p>
          {wrongProfit && <p class="warn">A take-profit for a {long ? "long" : "short"} goes {long ? "above" : "below"} {showPrice(execution, market.tick_size)}.</p>}
        </fieldset>
      )}
      {figures && (
        <dl class="figures" aria-label="Estimates before sending">
          <dt>Notional</dt><dd data-testid="estimate-notional">{usd(figures.notional)}</dd>
          <dt>Fee {feeLabel}</dt><dd data-testid="estimate-fee">{usd(figures.fee)}</dd>
          <dt><Term id="margin">Margin</Term></dt><dd data-testid="estimate-margin">{usd(figures.margin)}</dd>
          <dt><Term id="liquidation">Liquidation</Term> ≈</dt><dd data-testid="estimate-liquidation">{figures.liquidation ? showPrice(figures.liquidation, market.tick_size) : "none"}</dd>
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
        {side === "buy" ? "Buy" : "Sell"} {coinText || "0"} {base}
      </button>
      <dialog ref={confirm} class="confirm card" aria-labelledby={id("confirm-title")} data-testid="confirm-dialog">
        <h2 id={id("confirm-title")}>Confirm a high-risk order</h2>
        <p>{side === "buy" ? "Buy" : "Sell"} {coinText} {base} at {leverage}x ({figures ? usd(figures.notional) : "—"}).</p>
        <ul>{risks.map((r) => <li key={r}>{r}</li>)}</ul>
        <div class="right">
          <button type="button" class="ghost" onClick={() => confirm.current?.close()}>Cancel</button>
          <button type="button" class={side === "buy" ? "primary buy" : "primary sell"} autoFocus onClick={() => void send()}>Send order</button>
        </div>
      </dialog>
    </form>
  );
}
