// What a signed-in session loads and keeps live: the trader, their accounts (practice,
// tournament, live, copy: one traded at a time, the switcher's choice), markets and their
// prices, positions, orders and progression. REST gives the first state; the WebSocket says
// when it changed (and carries prices and progression directly).
import { get } from "./api";
import { onOrderEvent } from "./brackets";
import { guideSeen } from "./guide";
import { record } from "./history";
import { notifyFailure, onTradingEvent } from "./receipts";
import { disconnect, liveStatus, subscribe } from "./live";
import { getState, setState } from "./store";
import type { Account, Market, Me, Order, Position, Progression, Quote, Tournament } from "./types";

const ACCOUNT_WAIT_MS = 10_000; // the practice account opens moments after sign-up
const REFRESH_THROTTLE_MS = 250;
const CHOSEN = "astratrade.account"; // the account last traded on this device
let stops: Array<() => void> = [];
let stopAccount = () => undefined as void;

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
  setState({ guide: !guideSeen() });
  const accounts = await accountsWithPractice();
  setState({ accounts });
  await loadTournaments();
  const remembered = accounts.find((a) => a.account_id === localStorage.getItem(CHOSEN));
  await switchAccount((remembered ?? accounts.find((a) => a.kind === "practice")!).account_id);
  await reloadProgression();
  stops.push(liveStatus((live) => setState({ live })));
  for (const market of getState().markets) {
    stops.push(subscribe(`prices:${market.market}`, (_kind, data) => onQuote(data as Quote)));
  }
  const onEvent = (data: unknown) => {
    onTradingEvent(data as Parameters<typeof onTradingEvent>[0]);
    onOrderEvent(data as Parameters<typeof onOrderEvent>[0], (error) => notifyFailure("The stop-loss or take-profit of the filled order was not placed", error));
    soon();
  };
  stops.push(subscribe("positions", (kind, data) => kind === "event" && onEvent(data)));
  stops.push(subscribe("orders", (kind, data) => kind === "event" && onEvent(data)));
  stops.push(subscribe("progression", (kind, data) => {
    if (kind === "snapshot") setState({ progression: data as Progression });
    else void reloadProgression();
  }));
}

export function stop(): void {
  stops.forEach((s) => s());
  stops = [];
  stopAccount();
  disconnect();
  setState({ me: null, account: null, accounts: [], tournaments: [], positions: [], orders: [], refused: [], progression: null, toasts: [] });
}

/** Trade `accountId` from now on: its figures, positions and orders, live. */
export async function switchAccount(accountId: string): Promise<void> {
  const account = getState().accounts.find((a) => a.account_id === accountId) ?? (await accountOpened(accountId));
  localStorage.setItem(CHOSEN, accountId);
  stopAccount();
  const allowed = tournamentOf(account)?.markets;
  const market = allowed && !allowed.includes(getState().market) ? allowed[0] : getState().market;
  setState({ account, market, positions: [], orders: [], refused: [] });
  await reloadTrading();
  stopAccount = subscribe(`account:${accountId}`, (_kind, data) => data && onAccount(data as Account));
}

/** The trader's accounts again (after joining a tournament or opening a live account). */
export async function reloadAccounts(): Promise<Account[]> {
  const accounts = await get<Account[]>("/accounts");
  setState({ accounts });
  return accounts;
}

export async function loadTournaments(): Promise<Tournament[]> {
  const tournaments = await get<Tournament[]>("/tournaments");
  setState({ tournaments });
  return tournaments;
}

export const tournamentOf = (account: Account | null, tournaments = getState().tournaments): Tournament | undefined =>
  account?.kind === "tournament" ? tournaments.find((t) => t.account_id === account.account_id) : undefined;

/** An account the trader just opened (a tournament joined): trading opens it moments later. */
async function accountOpened(accountId: string): Promise<Account> {
  const deadline = Date.now() + ACCOUNT_WAIT_MS;
  for (;;) {
    const found = (await reloadAccounts()).find((a) => a.account_id === accountId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("That account is not open yet: try again in a moment.");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function accountsWithPractice(): Promise<Account[]> {
  const deadline = Date.now() + ACCOUNT_WAIT_MS;
  for (;;) {
    const accounts = await get<Account[]>("/accounts");
    if (accounts.some((a) => a.kind === "practice")) return accounts;
    if (Date.now() > deadline) throw new Error("Your practice account is not open yet: reload in a moment.");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function onAccount(account: Account): void {
  if (account.account_id !== getState().account?.account_id) return; // switched away meanwhile
  const accounts = getState().accounts.map((a) => (a.account_id === account.account_id ? account : a));
  setState({ account, accounts });
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
  const [fresh, positions, open, venue] = await Promise.all([
    get<Account>(`/accounts/${id}`),
    get<Position[]>(`/positions?account_id=${id}`),
    get<Order[]>(`/orders?account_id=${id}&status=open`),
    account.kind === "live" ? liveOrderStates(id) : Promise.resolve({ pending: [], refused: [] }),
  ]);
  if (getState().account?.account_id !== account.account_id) return; // switched meanwhile
  onAccount(fresh);
  setState({ positions, orders: [...venue.pending, ...open], refused: venue.refused });
}

// A live order is `pending` from the moment it is recorded until Extended answers, and
// `rejected` when Extended refuses it: both are shown beside the open orders, so an order
// the trader just sent never seems to vanish. Refusals stay there for a while, then only
// the history keeps them.
const REFUSED_SHOWN_MS = 15 * 60_000;
const REFUSED_SHOWN = 5;

async function liveOrderStates(id: string): Promise<{ pending: Order[]; refused: Order[] }> {
  const [pending, rejected] = await Promise.all([
    get<Order[]>(`/orders?account_id=${id}&status=pending`),
    get<Order[]>(`/orders?account_id=${id}&status=rejected&limit=${REFUSED_SHOWN}`),
  ]);
  const since = Date.now() - REFUSED_SHOWN_MS;
  return { pending, refused: rejected.filter((o) => Date.parse(o.created_at) >= since) };
}

export async function reloadProgression(): Promise<void> {
  const progression = await get<Progression>("/progression/me");
  const me = getState().me;
  setState({ progression, me: me && { ...me, level: progression.level, xp: progression.xp } });
}

/** How an account is named to the trader: its kind, and a tournament's name. */
