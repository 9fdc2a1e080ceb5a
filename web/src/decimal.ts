// A small fixed-point decimal for the estimates shown before an order is sent (fee, margin,
// liquidation price). Amounts the API receives are the user's own strings, never these.
const SCALE = 18n;
const ONE = 10n ** SCALE;

export type Dec = bigint; // value * 10^18

export function dec(text: string | number | null | undefined): Dec | null {
  if (text === null || text === undefined) return null;
  const s = String(text).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!match || (match[2] === "" && !match[3])) return null;
  const [, sign, whole, fraction = "", exp = "0"] = match;
  let digits = (whole || "0") + fraction;
  let point = fraction.length - Number(exp);
  if (point < 0) {
    digits += "0".repeat(-point);
    point = 0;
  }
  const value = BigInt(digits) * 10n ** SCALE;
  const scaled = value / 10n ** BigInt(point);
  return sign === "-" ? -scaled : scaled;
}

export const ZERO: Dec = 0n;
export const of = (n: number | bigint): Dec => BigInt(n) * ONE;
export const mul = (a: Dec, b: Dec): Dec => (a * b) / ONE;
export const div = (a: Dec, b: Dec): Dec | null => (b === 0n ? null : (a * ONE) / b);
export const abs = (a: Dec): Dec => (a < 0n ? -a : a);
export const min = (a: Dec, b: Dec): Dec => (a < b ? a : b);

/** The decimal as a plain string with at most `places` decimals (rounded half away from 0). */
export function str(a: Dec, places = 6): string {
  const negative = a < 0n;
  let v = negative ? -a : a;
  const unit = 10n ** (SCALE - BigInt(places));
  v = (v + unit / 2n) / unit;
  const text = v.toString().padStart(places + 1, "0");
  const whole = text.slice(0, text.length - places);
  const fraction = places ? text.slice(text.length - places).replace(/0+$/, "") : "";
  const body = fraction ? `${whole}.${fraction}` : whole;
  return negative && body !== "0" ? `-${body}` : body;
}
