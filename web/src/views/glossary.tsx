// Glossary tooltips: the term is a button (reached with Tab, opened with Enter or Space)
// that toggles a native popover with the definition; Escape or a click elsewhere closes it.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export const GLOSSARY = {
  mark: "Mark price: the fair price the platform values positions at. P&L, margin, funding, stops and liquidation all use it, not the last trade.",
  index: "Index price: the spot price of the coin on outside exchanges. The gap between mark and index (the premium) sets the funding rate.",
  funding: "Funding: every hour, longs pay shorts (or shorts pay longs when the rate is negative) size × mark × rate. It keeps the perpetual's price near the index.",
  margin: "Margin: the collateral a position ties up, its notional divided by the leverage. What is not tied up is available.",
  liquidation: "Liquidation: when equity falls to the maintenance margin, positions are closed at the mark and a 1% fee is charged. You never lose more than the account holds.",
  roe: "ROE (return on equity): unrealized P&L divided by the margin the position ties up. At 10x, a 1% move is a 10% ROE.",
  leverage: "Leverage: how many times the margin the position's size is. Higher leverage needs less margin but puts the liquidation price closer.",
} as const;
export type TermId = keyof typeof GLOSSARY;

export function Term({ id, children }: { id: TermId; children: ComponentChildren }) {
  const popover = `term-${id}-${useId()}`;
  return (
    <>
      <button type="button" class="term" popovertarget={popover} aria-describedby={popover} data-term={id}>{children}</button>
      <span id={popover} popover="auto" class="term-tip" role="tooltip">{GLOSSARY[id]}</span>
    </>
  );
}
