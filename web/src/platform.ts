// Platform analytics as GET /admin/analytics answers it (docs/analytics.md "Platform
// analytics"): money and sizes as decimal strings, days as YYYY-MM-DD (UTC).
export interface ActiveTraders { daily: number; weekly: number; monthly: number }

export interface MarketDay {
  market: string;
  fills: number;
  volume: string;
  fees: string;
  copied_volume: string;
  liquidation_fills: number;
  open_interest: string;
}

export interface PlatformDay {
  day: string;
  sign_ups: number;
  active_traders: ActiveTraders;
  volume: string;
  fees: string;
  copied_volume: string;
  liquidations: number;
  liquidation_fees: string;
  copies_started: number;
  active_copies: number;
  tournament_entrants: number;
  mrr: string;
  markets: MarketDay[];
}

export interface Cohort {
  week: string;
  sign_ups: number;
  week_1_retained: number | null;
  week_1: string | null;
  week_4_retained: number | null;
  week_4: string | null;
}

export interface PlatformReport { start: string; end: string; days: PlatformDay[]; retention: Cohort[] }

/** One chart line: its name and a value a day (a decimal string or a count). */
export interface DailySeries { name: string; values: { day: string; value: string | number }[] }

/** Each market's figure per day (0 on a day it did not trade). */
export function perMarket(days: PlatformDay[], figure: "volume" | "fees" | "open_interest"): DailySeries[] {
  const markets = [...new Set(days.flatMap((d) => d.markets.map((m) => m.market)))].sort();
  return markets.map((market) => ({
    name: market,
    values: days.map((d) => ({ day: d.day, value: d.markets.find((m) => m.market === market)?.[figure] ?? "0" })),
  }));
}
