// One small app-wide store: views read slices with useStore and re-render on change.
import { useEffect, useReducer, useRef } from "preact/hooks";
import type { Account, Market, Me, Order, Position, Progression, Quote, Toast, Tournament } from "./types";

export interface State {
  signedIn: boolean;
  me: Me | null;
  account: Account | null; // the account being traded (the switcher's choice)
  accounts: Account[]; // every account of the trader: practice, tournament, live, copy…
  tournaments: Tournament[]; // to name tournament accounts and show their window and board
  markets: Market[];
  quotes: Record<string, Quote>;
  positions: Position[];
  orders: Order[]; // open, and on a live account those sent to Extended and not yet confirmed
  refused: Order[]; // a live account's orders Extended refused lately, with its reason
  progression: Progression | null;
  market: string;
  live: boolean;
  notice: string | null;
  toasts: Toast[]; // receipts of fills, closes, stops and liquidations
  guide: boolean; // the guided first trade is open
}

let state: State = {
  signedIn: false,
  me: null,
  account: null,
  accounts: [],
  tournaments: [],
  markets: [],
  quotes: {},
  positions: [],
  orders: [],
  refused: [],
  progression: null,
  market: "BTC-USD",
  live: false,
  notice: null,
  toasts: [],
  guide: false,
};
const listeners = new Set<() => void>();

export const getState = (): State => state;

export function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  listeners.forEach((listener) => listener());
}

/** The slice `select` picks, re-rendered when it changes. The selector is read anew on every
 * render: one that closes over props (the ticket's market) follows them. */
export function useStore<T>(select: (s: State) => T): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const selector = useRef(select);
  selector.current = select;
  const value = select(state);
  const shown = useRef(value);
  shown.current = value;
  useEffect(() => {
    const update = () => {
      if (!Object.is(selector.current(state), shown.current)) rerender(0);
    };
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return value;
}

/** How an account is named on screen: its kind, a tournament account by its tournament. */
export function accountLabel(account: Account, tournaments = getState().tournaments): string {
  if (account.kind === "tournament") {
    const name = tournaments.find((t) => t.account_id === account.account_id)?.name;
    return name ? `Tournament: ${name}` : "Tournament";
  }
  return account.kind.charAt(0).toUpperCase() + account.kind.slice(1);
}
