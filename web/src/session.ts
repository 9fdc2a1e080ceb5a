// What a signed-in session loads and keeps live: the trader, the practice account, markets
// and their prices, positions, orders and progression. REST gives the first state; the
// WebSocket says when it changed (and carries prices and progression directly).
import { get } from "./api";
import { record } from "./history";
import { disconnect, liveStatus, subscribe } from "./live";
import { getState, setState } from "./store";
import type { Account, Market, Me, Order, Position, Progression, Quote } from "./types";

const ACCOUNT_WAIT_MS = 10_000; // the practice account opens moments after sign-up
const REFRESH_THROTTLE_MS = 250;
let stops: Array<() => void> = [];

export async function loadMarkets(): Promise<void> {
  const markets = await get<Market[]>("/markets");
  const quotes: Record<string, Quote> = {};
  for (const m of markets) {
    quotes[m.market] = { market: m.market, mark: m.mark_price, index: m.index_price, at: m.price_time };
    record(`price.${m.market}`, m.mark_price);
  }
  setState({ markets, quotes: { ...quotes, ...getState().quotes } });
}

export async function start(): Promise<void> {
  const [me] = await Promise.all([get<Me>("/me"), loadMarkets()]);
  setState({ me });
  const account = await practiceAccount();
  setState({ account });
  await Promise.all([reloadTrading(), reloadProgression()]);
  stops.push(liveStatus((live) => setState({ live })));
  for (const market of getState().markets) {
    stops.push(subscribe(`prices:${market.market}`, (_kind, data) => onQuote(data as Quote)));
  }
  stops.push(subscribe(`account:${account.account_id}`, (_kind, data) => data && onAccount(data as Account)));
  stops.push(subscribe("positions", (kind) => kind === "event" && soon()));
  stops.push(subscribe("orders", (kind) => kind === "event" && soon()));
  stops.push(subscribe("progression", (kind, data) => {
    if (kind === "snapshot") setState({ progression: data as Progression });
    else void reloadProgression();
  }));
}

export function stop(): void {
  stops.forEach((s) => s());
  stops = [];
  disconnect();
  setState({ me: null, account: null, positions: [], orders: [], progression: null });
}

async function practiceAccount(): Promise<Account> {
  const deadline = Date.now() + ACCOUNT_WAIT_MS;
  for (;;) {
    const accounts = await get<Account[]>("/accounts");
    const practice = accounts.find((a) => a.kind === "practice");
    if (practice) return practice;
    if (Date.now() > deadline) throw new Error("Your practice account is not open yet: reload in a moment.");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function onAccount(account: Account): void {
  setState({ account });
  record(`equity.${account.account_id}`, account.equity);
}

function onQuote(quote: Quote): void {
  if (!quote?.market) return;
  setState({ quotes: { ...getState().quotes, [quote.market]: quote } });
  record(`price.${quote.market}`, quote.mark); // this device's time: the charts' clock
  // P&L, equity and margin move with the mark: read them again (throttled) from the API,
  // which computes them exactly, rather than re-deriving them here.
  if (getState().positions.some((p) => p.market === quote.market)) soon();
}

let timer: number | undefined;
let last = 0;
function soon(): void {
  if (timer !== undefined) return;
  const wait = Math.max(0, last + REFRESH_THROTTLE_MS - Date.now());
  timer = window.setTimeout(() => {
    timer = undefined;
    last = Date.now();
    void reloadTrading();
  }, wait);
}

export async function reloadTrading(): Promise<void> {
  const account = getState().account;
  if (!account) return;
  const id = encodeURIComponent(account.account_id);
  const [fresh, positions, orders] = await Promise.all([
    get<Account>(`/accounts/${id}`),
    get<Position[]>(`/positions?account_id=${id}`),
    get<Order[]>(`/orders?account_id=${id}&status=open`),
  ]);
  onAccount(fresh);
  setState({ positions, orders });
}

export async function reloadProgression(): Promise<void> {
  const progression = await get<Progression>("/progression/me");
  const me = getState().me;
  setState({ progression, me: me && { ...me, level: progression.level, xp: progression.xp } });
}
