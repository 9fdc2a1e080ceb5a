// Copy trading's shapes as the client reads them (docs/copytrading.md, and the copies'
// contract of issue 22), the words the screens use for its sorts, statuses and decisions,
// and the fractions the forms send. A leader's figures are fractions and counts only:
// dollar balances of others are never shown (SPEC 11); a copy's own money is the copier's.
import { dec, div, mul, of, str } from "./decimal";

export interface Statistics {
  roi_7d: string;
  roi_30d: string;
  roi_90d: string;
  max_drawdown_30d: string;
  win_rate: string;
  average_hold_seconds: number;
  closed_positions_90d: number;
}

export interface Leader {
  user_id: string;
  username: string;
  profit_share: string; // a fraction: "0.1" is 10 %
  copiers: number;
  allocated: string;
  profit_share_earned: string;
  statistics: Statistics;
}

export interface EquityPoint {
  at: string;
  value: string; // (capital + cumulative realized P&L) / capital: "1.05" is +5 %
}

export interface EquityCurve {
  username: string;
  days: number;
  points: EquityPoint[];
}

export type CopyStatus = "active" | "stopping" | "closed" | (string & {});

export interface Copy {
  id: string;
  leader: { user_id: string; username: string };
  copy_account_id: string;
  source_account_id: string;
  allocation: string;
  max_loss: string; // a fraction of the allocation
  stop_equity: string;
  profit_share: string;
  status: CopyStatus;
  stop_reason: string | null;
  started_at: string;
  closed_at: string | null;
  funded: boolean;
  high_water_mark: string;
  profit_share_paid: string;
  returned: string | null;
}

/** A copy account's position: the contract says "as trading's position view"; the copies'
 * branch sends market, side, size and mark so far, so the rest is optional. */
export interface CopyPosition {
  market: string;
  side: string;
  size: string;
  mark_price?: string;
  entry_price?: string;
  unrealized_pnl?: string;
}

export interface CopyAccount {
  equity: string;
  collateral: string;
  available: string;
  positions: CopyPosition[];
}

export interface CopyDetail extends Copy {
  account?: CopyAccount | null;
}

export interface Decision {
  id: string;
  at: string;
  kind: "copied" | "skipped" | "closed" | "refused" | "stopping" | "profit_share" | "closed_copy" | "funded" | (string & {});
  market: string | null;
  action: string | null;
  side: string | null;
  size: string | null;
  leverage: string | null;
  reason: string | null;
  detail: string | null;
  leader_fill: { id: string; size: string | null; price: string | null } | null;
}

/** Each sort of the directory (GET /leaders?sort=), as its button says it. */
export const SORTS = [
  { sort: "roi_30d", label: "ROI 30d" },
  { sort: "roi_7d", label: "ROI 7d" },
  { sort: "roi_90d", label: "ROI 90d" },
  { sort: "max_drawdown_30d", label: "Lowest drawdown" },
  { sort: "win_rate", label: "Win rate" },
  { sort: "average_hold", label: "Longest hold" },
  { sort: "copiers", label: "Copiers" },
  { sort: "allocated", label: "Allocated" },
  { sort: "profit_share_earned", label: "Share earned" },
] as const;
export type Sort = (typeof SORTS)[number]["sort"];

export const DECISIONS: Record<string, string> = {
  copied: "Copied",
  skipped: "Skipped",
  closed: "Closed",
  refused: "Refused by trading",
  stopping: "Stopping",
  profit_share: "Profit share",
  closed_copy: "Copy closed",
  funded: "Funded",
};

export const STOP_REASONS: Record<string, string> = {
  by_copier: "stopped by you",
  leader_stopped: "the leader stopped leading",
  blocked: "a block between you",
  stop_loss: "the copy stop-loss was reached",
  funding_refused: "the allocation could not be funded",
};

export const PROFIT_SHARE = { min: 0, max: 20, default: 10 }; // % (docs/copytrading.md)
export const MAX_LOSS = { min: 10, max: 90, default: 50 }; // % of the allocation
export const MIN_ALLOCATION = 100;

export const leaderPath = (username: string): string => `/leaders/${encodeURIComponent(username)}`;
export const copyPath = (id: string): string => `/copies/${encodeURIComponent(id)}`;

/** A percentage as typed ("12.5") as the API's fraction ("0.125"); null when not a number
 * from `min` to `max`. */
export function fractionOf(percentText: string, min: number, max: number): string | null {
  const typed = dec(percentText);
  if (typed === null || typed < of(min) || typed > of(max)) return null;
  return str(div(typed, of(100)) ?? 0n, 8);
}

/** A fraction ("0.125") as a percentage to type ("12.5"). */
export const percentOf = (fraction: string): string => str(mul(dec(fraction) ?? 0n, of(100)), 4);

/** A normalized equity value as growth in %, for the charts (display only). */
export const growthPercent = (value: string): string => str(mul((dec(value) ?? of(1)) - of(1), of(100)), 4);
