// What an order would cost, shown before it is sent: fee, initial margin, liquidation price
// and the leverage cap. Estimates only (the engine decides); docs/trading-rules.md and docs/progression-rules.md.
import { abs, dec, div, mul, of, str, type Dec } from "./decimal";
import type { Market, RiskTier } from "./types";

export const TAKER_FEE = dec("0.00025")!; // the default of docs/trading-rules.md, for an older API
const MAKER_FEE = 0n;
// A market order fills at the mark plus 1 bp, plus 1 bp per $100k (docs/trading-rules.md): the
// sizes the ticket offers leave room for 2 bp of it (practice sizes stay under $100k).
const SLIPPAGE_ALLOWANCE = dec("0.0002")!;

/** The fee rate the market charges a taker (or a maker), as the API serves it. */
export const feeRate = (market: Market, taker: boolean): Dec =>
  taker ? dec(market.taker_fee_rate) ?? TAKER_FEE : dec(market.maker_fee_rate) ?? MAKER_FEE;
const MMR_NUMERATOR = dec("0.5")!; // MMR = 0.5 / the tier's max leverage

export function tierFor(market: Market, notional: Dec): RiskTier {
  const tiers = market.risk_tiers;
  return (
    tiers.find((t) => t.up_to_notional === null || notional <= (dec(t.up_to_notional) ?? 0n)) ??
    tiers[tiers.length - 1]
  );
}

export interface LeverageCap {
  max: number;
  reason: string;
}

/** min(unlocked by level, the market tier's cap for this notional), and why it stops there. */
export function leverageCap(market: Market, notional: Dec, unlocked: number, level: number): LeverageCap {
  const tier = tierFor(market, notional);
  const tierMax = Number(tier.max_leverage);
  if (unlocked <= tierMax) {
    const next = Math.min(unlocked + 5, 100);
    const more = unlocked >= 100 ? "" : ` Level ${level + 1} unlocks ${next}x.`;
    return { max: unlocked, reason: `Capped at ${unlocked}x: the leverage your level ${level} unlocks.${more}` };
  }
  const size = tier.up_to_notional === null ? "above the last tier" : `up to $${tier.up_to_notional}`;
  return { max: tierMax, reason: `Capped at ${tierMax}x: ${market.market}'s limit for positions ${size}.` };
}

export interface Estimate {
  notional: string;
  fee: string;
  margin: string;
  liquidation: string | null;
}

/**
 * Liquidation price of the new position alone on the account's equity (other positions'
 * maintenance margin held fixed): long  P = (s·p − E + M) / (s·(1 − mmr)),
 *                                    short P = (E + s·p − M) / (s·(1 + mmr)).
 */
export function estimate(args: {
  market: Market;
  side: "buy" | "sell";
  size: string;
  price: string;
  leverage: number;
  taker: boolean;
  equity: string;
  maintenance: string;
}): Estimate | null {
  const s = dec(args.size);
  const p = dec(args.price);
  const equity = dec(args.equity) ?? 0n;
  const others = dec(args.maintenance) ?? 0n;
  if (s === null || p === null || s <= 0n || p <= 0n || args.leverage < 1) return null;
  const notional = mul(s, p);
  const fee = mul(notional, feeRate(args.market, args.taker));
  const margin = div(notional, of(args.leverage)) ?? 0n;
  const mmr = div(MMR_NUMERATOR, dec(tierFor(args.market, notional).max_leverage) ?? of(1)) ?? 0n;
  const e = equity - fee;
  const liq =
    args.side === "buy"
      ? div(mul(s, p) - e + others, mul(s, of(1) - mmr))
      : div(e + mul(s, p) - others, mul(s, of(1) + mmr));
  return {
    notional: str(notional, 2),
    fee: str(fee, 6),
    margin: str(margin, 2),
    liquidation: liq === null || liq <= 0n ? null : str(liq, 8),
  };
}

export const notionalOf = (size: string, price: string): Dec =>
  abs(mul(dec(size) ?? 0n, dec(price) ?? 0n));

/** A limit that the mark already crosses fills at once, as a taker (a buy at or above the
 * mark, a sell at or below); one that does not rests and pays the maker fee when it fills. */
export function limitIsMarketable(side: "buy" | "sell", limit: string, mark: string): boolean {
  const l = dec(limit);
  const m = dec(mark);
  if (l === null || m === null || l <= 0n) return false;
  return side === "buy" ? l >= m : l <= m;
}

/** True when an order of `size` on `side` can only shrink the position (no margin needed). */
export function onlyReduces(side: "buy" | "sell", size: string, position?: { side: string; size: string }): boolean {
  const s = dec(size);
  const held = dec(position?.size);
  if (s === null || held === null || !position) return false;
  const closing = position.side === "long" ? "sell" : "buy";
  return side === closing && s <= abs(held);
}

/** The largest size on the market's step whose margin at `leverage`, fee (and, for a taker,
 * slippage) fit in `budget`, within the market's order value cap; null under the minimum. */
export function sizeFor(market: Market, budget: string | Dec, price: string, leverage: number, taker: boolean): Dec | null {
  const b = typeof budget === "bigint" ? budget : dec(budget);
  const p = dec(price);
  const step = dec(market.step_size);
  if (b === null || p === null || step === null || p <= 0n || step <= 0n || b <= 0n || leverage < 1) return null;
  const perUnit = (div(p, of(leverage)) ?? 0n) + mul(p, feeRate(market, taker)) + (taker ? mul(p, SLIPPAGE_ALLOWANCE) : 0n);
  let raw = div(b, perUnit) ?? 0n;
  const most = div(dec(taker ? market.max_market_order_value : market.max_limit_order_value) ?? 0n, p);
  if (most !== null && most > 0n && raw > most) raw = most;
  const steps = (div(raw, step) ?? 0n) / of(1); // whole steps, rounded down
  const size = steps * step;
  return size < (dec(market.min_size) ?? 0n) || size <= 0n ? null : size;
}

/** A size typed in coin, in USD of notional, or in % of the available margin, as coin on
 * the market's step (rounded down); null when it cannot be read or is under the minimum. */
export function coinSize(
  unit: "coin" | "usd" | "pct", typed: string, market: Market, price: string, available: string, leverage: number, taker: boolean,
): Dec | null {
  const value = dec(typed);
  if (value === null || value <= 0n) return null;
  if (unit === "coin") return value;
  if (unit === "pct") return sizeFor(market, div(mul(dec(available) ?? 0n, value), of(100)) ?? 0n, price, leverage, taker);
  const p = dec(price);
  const step = dec(market.step_size);
  if (p === null || step === null || p <= 0n || step <= 0n) return null;
  const size = ((div(div(value, p) ?? 0n, step) ?? 0n) / of(1)) * step;
  return size < (dec(market.min_size) ?? 0n) || size <= 0n ? null : size;
}

/** What a stop at `stop` risks on `size` entered at `entry`: |entry - stop| x size, and as
 * a share of equity (docs/progression-rules.md: at most 2% earns +5 XP on the close). */
export function riskAtStop(entry: string, stop: string, size: Dec, equity: string): { risk: Dec; share: Dec | null } | null {
  const e = dec(entry);
  const s = dec(stop);
  if (e === null || s === null || s <= 0n || size <= 0n) return null;
  const risk = mul(abs(e - s), size);
  return { risk, share: div(risk, dec(equity) ?? 0n) };
}
