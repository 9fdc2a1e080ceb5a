// One small app-wide store: views read slices with useStore and re-render on change.
import { useEffect, useState } from "preact/hooks";
import type { Account, Market, Me, Order, Position, Progression, Quote } from "./types";

export interface State {
  signedIn: boolean;
  me: Me | null;
  account: Account | null;
  markets: Market[];
  quotes: Record<string, Quote>;
  positions: Position[];
  orders: Order[];
  progression: Progression | null;
  market: string;
  live: boolean;
  notice: string | null;
}

let state: State = {
  signedIn: false,
  me: null,
  account: null,
  markets: [],
  quotes: {},
  positions: [],
  orders: [],
  progression: null,
  market: "BTC-USD",
  live: false,
  notice: null,
};
const listeners = new Set<() => void>();

export const getState = (): State => state;

export function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  listeners.forEach((listener) => listener());
}

export function useStore<T>(select: (s: State) => T): T {
  const [value, setValue] = useState(() => select(state));
  useEffect(() => {
    const update = () => setValue(() => select(state));
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return value;
}
