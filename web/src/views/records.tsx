// The account's history in three tabs, as the API lists it: orders of every status (newest
// first), their fills, and the funding postings of the ledger. Read when a tab opens, and
// again every few seconds while it is open.
import { useState } from "preact/hooks";
import { errorText, get } from "../api";
import { price, signedUsd, size as showSize, usd } from "../format";
import { usePoll } from "../poll";
import { useStore } from "../store";
import type { Fill, Market, PlacedOrder, Posting } from "../types";
import { venueState } from "../venue-states";

const POLL_MS = 10_000;
const LIMIT = 100;
const TABS = [["orders", "Orders"], ["fills", "Fills"], ["funding", "Funding"]] as const;
type Tab = (typeof TABS)[number][0];

const when = (iso: string) => new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function Records() {
  const account = useStore((s) => s.account?.account_id);
  const markets = useStore((s) => s.markets);
  const [tab, setTab] = useState<Tab>("orders");
  const [orders, setOrders] = useState<PlacedOrder[] | null>(null);
  const [funding, setFunding] = useState<Posting[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  usePoll(() => {
    if (!account) return;
    const id = encodeURIComponent(account);
    const read = tab === "funding"
      ? get<{ postings: Posting[] }>(`/ledger?account_id=${id}&limit=500`).then((l) => setFunding(l.postings.filter((p) => p.kind === "funding")))
      : get<PlacedOrder[]>(`/orders?account_id=${id}&limit=${LIMIT}`).then(setOrders);
    read.then(() => setError(null)).catch((failure) => setError(errorText(failure)));
  }, POLL_MS, [account, tab]);

  const rules = (id: string): Market | undefined => markets.find((m) => m.market === id);
  const fills = (orders ?? []).flatMap((o) => o.fills.map((f) => ({ ...f, order: o })))
    .sort((a, b) => (b.at ?? "").localeCompare(a.at ?? ""));
  const select = (next: Tab) => setTab(next);
  const onKey = (event: KeyboardEvent) => { // arrows move between tabs (the tabs pattern)
    const at = TABS.findIndex(([id]) => id === tab);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = TABS[(at + step + TABS.length) % TABS.length][0];
    select(next);
    document.getElementById(`records-tab-${next}`)?.focus();
  };
  return (
    <section class="card records" aria-label="History">
      <h2>History</h2>
      <div class="switch" role="tablist" aria-label="History" onKeyDown={onKey}>
        {TABS.map(([id, label]) => (
          <button key={id} id={`records-tab-${id}`} type="button" role="tab" aria-selected={tab === id} aria-controls="records-panel"
            tabIndex={tab === id ? 0 : -1} onClick={() => select(id)}>{label}</button>
        ))}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <div id="records-panel" role="tabpanel" aria-labelledby={`records-tab-${tab}`} class="table-wrap" tabIndex={0}>
        {tab === "orders" && (orders === null ? <p class="muted">Loading…</p> : orders.length === 0 ? <p class="muted">No orders yet.</p> : (
          <table class="board" data-testid="orders-history">
            <thead><tr><th scope="col">Time</th><th scope="col">Order</th><th scope="col" class="right">Size</th><th scope="col" class="right">Price</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.order_id} data-testid="history-order" data-order-id={o.order_id}>
                  <td>{when(o.created_at)}</td>
                  <td>{o.market} {o.side} {o.type.replace("_", " ")}</td>
                  <td class="right">{showSize(o.filled_size, rules(o.market)?.step_size)}/{showSize(o.size, rules(o.market)?.step_size)}</td>
                  <td class="right">{price(o.average_price ?? o.price ?? o.trigger_price, rules(o.market)?.tick_size)}</td>
                  <td data-testid="history-status"><Status order={o} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
        {tab === "fills" && (orders === null ? <p class="muted">Loading…</p> : fills.length === 0 ? <p class="muted">No fills yet.</p> : (
          <table class="board" data-testid="fills-history">
            <thead><tr><th scope="col">Time</th><th scope="col">Fill</th><th scope="col" class="right">Price</th><th scope="col" class="right">Fee</th><th scope="col" class="right">Realized P&amp;L</th></tr></thead>
            <tbody>
              {fills.map((f: Fill & { order: PlacedOrder }) => (
                <tr key={f.fill_id} data-testid="history-fill" data-fill-id={f.fill_id}>
                  <td>{f.at ? when(f.at) : "—"}</td>
                  <td>{f.order.market} {f.order.side} {showSize(f.size, rules(f.order.market)?.step_size)} ({f.liquidity})</td>
                  <td class="right">{price(f.price, rules(f.order.market)?.tick_size)}</td>
                  <td class="right">{usd(f.fee)}</td>
                  <td class="right">{signedUsd(f.realized_pnl)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
        {tab === "funding" && (funding === null ? <p class="muted">Loading…</p> : funding.length === 0 ? <p class="muted">No funding paid or received yet (it is settled on the hour).</p> : (
          <table class="board" data-testid="funding-history">
            <thead><tr><th scope="col">Time</th><th scope="col" class="right">Amount</th></tr></thead>
            <tbody>
              {funding.map((p) => (
                <tr key={p.posting_id} data-testid="history-funding" data-posting-id={p.posting_id}>
                  <td>{when(p.at)}</td>
                  <td class="right">{signedUsd(p.amount)} {p.amount.startsWith("-") ? "paid" : "received"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </section>
  );
}

/** A pending or rejected order labelled, with what it means (a refusal's reason); any other
 * status as the API says it, with its reason when it has one. */
function Status({ order }: { order: PlacedOrder }) {
  const state = venueState(order);
  if (!state) return <>{order.status}{order.reason ? ` (${order.reason})` : ""}</>;
  return (
    <>
      <span class={`tag ${state.tone}`} data-testid="history-state">{state.label}</span>
      <div class="small venue-detail" data-testid="history-state-detail">{state.detail}</div>
    </>
  );
}
