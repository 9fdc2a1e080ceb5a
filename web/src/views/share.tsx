// A trade share as the server built it from trading's events: market, side, entry, exit,
// ROI % (the price move, unleveraged) and hold time. No size, P&L or balance exists to show.
import { amount, price } from "../format";
import { holdTime, type TradeShare } from "../social";
import { useStore } from "../store";

export function roiText(roi: string): string {
  const text = amount(roi, 2);
  return text.startsWith("-") || text === "0.00" ? `${text}%` : `+${text}%`;
}

export function ShareCard({ share }: { share: TradeShare }) {
  const tick = useStore((s) => s.markets.find((m) => m.market === share.market)?.tick_size);
  const direction = share.roi_pct.startsWith("-") ? "down" : /^[0.]+$/.test(share.roi_pct) ? "flat" : "up";
  return (
    <dl class="share" data-testid="trade-share" aria-label={`Trade: ${share.side} ${share.market}`}>
      <div><dt>Market</dt><dd>{share.market} <span class={`tag ${share.side}`}>{share.side}</span></dd></div>
      <div><dt>Entry</dt><dd>{price(share.entry_price, tick)}</dd></div>
      <div><dt>Exit</dt><dd>{price(share.exit_price, tick)}</dd></div>
      <div><dt>ROI</dt><dd class={direction} data-testid="share-roi">{roiText(share.roi_pct)}</dd></div>
      <div><dt>Held</dt><dd>{holdTime(share.hold_seconds)}</dd></div>
    </dl>
  );
}
