// The API's error codes in plain words. The API's own figures (amounts, limits, times) are
// kept: a sentence is rewritten only where its figures can be read out of the message, and
// otherwise the message follows a plain lead-in.
import { groupAmounts } from "./format";

type Rewrite = (message: string, retryAfter?: number) => string;

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

const REWRITES: Record<string, Rewrite> = {
  insufficient_margin: (m) => {
    const found = /needs (\$[\d.,]+) of margin and fee: (\$[\d.,]+) more than the (\$[\d.,]+) available/.exec(m);
    return found
      ? `Not enough margin: this order needs ${found[1]} of margin and fee, ${found[2]} more than the ${found[3]} available. Lower the size or the price, or raise the leverage.`
      : `Not enough margin: ${sentence(m)}`;
  },
  daily_loss_limit_reached: (m) => {
    const found = /the (\$[\d.,]+) daily loss limit/.exec(m);
    return found
      ? `You reached your ${found[1]} daily loss limit for today: only orders that reduce a position are accepted until 00:00 UTC.`
      : `Daily loss limit reached: ${sentence(m)}`;
  },
  order_rejected: (m) => `The order was not accepted: ${sentence(m)}`,
  rate_limited: (m, after) =>
    after ? `Too many requests: wait ${after} s and try again.` : `Too many requests: ${sentence(m)}`,
  faucet_used_today: () => "The faucet has topped this account up today already: it opens again at 00:00 UTC.",
  faucet_at_cap: (m) => `No top-up needed: ${sentence(m)}`,
  // "Extended refused the order (1142): Invalid StarkEx signature": nothing was traded.
  venue_refused: (m) => `${sentence(m)} Nothing was traded.`,
  venue_unavailable: (m) => `The exchange cannot take orders right now: ${sentence(m)}`,
};

/** What to tell the trader for an API error `code` with the API's `message`. */
export function plainWords(code: string, message: string, retryAfter?: number): string {
  const text = groupAmounts(message);
  const rewrite = REWRITES[code];
  return rewrite ? rewrite(text, retryAfter) : capital(sentence(text));
}
