// Price and equity samples kept in this browser (the API serves the current mark only, no
// history): they feed the charts and the 24h change. Chart values are display-only floats.
import { dec, str, div } from "./decimal";

export interface Sample {
  t: number; // unix seconds
  v: string; // the decimal string as the API sent it
}

const DAY = 86_400;
const MAX_SAMPLES = 3_000;
const MIN_GAP = 2; // seconds between stored samples of one series (the last one is replaced)
const memory = new Map<string, Sample[]>();

export function samples(key: string): Sample[] {
  let found = memory.get(key);
  if (!found) {
    try {
      found = JSON.parse(localStorage.getItem(`astratrade.h.${key}`) ?? "[]") as Sample[];
    } catch {
      found = [];
    }
    memory.set(key, found);
  }
  return found;
}

export function record(key: string, value: string, at = Date.now() / 1000): void {
  const list = samples(key);
  const t = Math.floor(at);
  const last = list[list.length - 1];
  // Close samples are merged, except the first: it is the baseline of the 24h change.
  if (last && list.length > 1 && t - last.t < MIN_GAP) last.v = value;
  else list.push({ t: Math.max(t, last ? last.t + 1 : t), v: value });
  const cutoff = t - 7 * DAY;
  while (list.length > MAX_SAMPLES || (list.length > 1 && list[0].t < cutoff)) list.shift();
  save(key);
}

// Writes are throttled, not debounced: at most one a second however often prices tick (a
// debounce restarted by every tick would never write while the market moves), and whatever
// is pending is written when the page is hidden or closed.
const SAVE_EVERY_MS = 1_000;
let pending: number | undefined;
const dirty = new Set<string>();
function save(key: string): void {
  dirty.add(key);
  pending ??= window.setTimeout(flush, SAVE_EVERY_MS);
}

function flush(): void {
  window.clearTimeout(pending);
  pending = undefined;
  for (const name of dirty) {
    try {
      localStorage.setItem(`astratrade.h.${name}`, JSON.stringify(memory.get(name) ?? []));
    } catch {
      // storage full or disabled: the history lives for this page only
    }
  }
  dirty.clear();
}
window.addEventListener("pagehide", flush);
document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());

/** Change of the latest price against the oldest one seen within the last 24 hours. */
export function change24h(key: string, mark: string): string | null {
  const list = samples(key);
  const since = Date.now() / 1000 - DAY;
  const first = list.find((s) => s.t >= since);
  const then = dec(first?.v);
  const now = dec(mark);
  if (then === null || now === null || then === 0n) return null;
  const ratio = div(now - then, then);
  return ratio === null ? null : str(ratio, 8);
}
