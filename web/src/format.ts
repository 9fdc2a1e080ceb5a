// Display of the API's decimal strings: grouped and trimmed as text, never via floats.
import { dec, str } from "./decimal";

export function amount(value: string | null | undefined, places = 2): string {
  if (value === null || value === undefined || value === "") return "—";
  const parsed = dec(value);
  if (parsed === null) return value;
  const text = fixed(str(parsed, places), places);
  const [whole, fraction] = text.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${fraction !== undefined ? "." + fraction : ""}`;
}

/** A price with as many decimals as the market's tick has. */
export function price(value: string | null | undefined, tick = "0.01"): string {
  return amount(value, decimalsOf(tick));
}

export function usd(value: string | null | undefined): string {
  const text = amount(value, 2);
  return text.startsWith("-") ? `-$${text.slice(1)}` : text === "—" ? text : `$${text}`;
}

export function signedUsd(value: string | null | undefined): string {
  const text = usd(value);
  return text.startsWith("-") || text === "—" || /^\$0\.00$/.test(text) ? text : `+${text}`;
}

export function percent(ratio: string | null | undefined, places = 2): string {
  const parsed = dec(ratio);
  if (parsed === null) return "—";
  return `${amount(str(parsed * 100n, places + 2), places)}%`;
}

export function decimalsOf(step: string): number {
  const point = step.indexOf(".");
  return point < 0 ? 0 : step.length - point - 1;
}

function fixed(text: string, places: number): string {
  if (places === 0) return text;
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(places, "0")}`;
}

export function sign(value: string | null | undefined): "up" | "down" | "flat" {
  const parsed = dec(value);
  if (parsed === null || parsed === 0n) return "flat";
  return parsed > 0n ? "up" : "down";
}

/** Dollar amounts in a message (the API writes them plain: "$110500") grouped for reading. */
export function groupAmounts(text: string): string {
  return text.replace(/\$(\d{4,})(?=\D|$)/g, (_, digits: string) => `$${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`);
}

/** A size with as many decimals as the market's step has. */
export const size = (value: string | null | undefined, step = "0.00000001"): string => amount(value, decimalsOf(step));
