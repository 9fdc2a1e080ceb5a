// A newcomer's guided first trade: four short steps beside the ticket (it never blocks the
// screen), skippable, shown once per user on this device and reopened from the help button.
import { useState } from "preact/hooks";
import { closeGuide } from "../guide";

const STEPS = [
  ["Long or short", "Buy / Long gains when the price rises; Sell / Short gains when it falls. Either can be closed at any time at the mark price, and a fee of 0.025% is paid on each market order."],
  ["Leverage", "Leverage is how many times your margin the position is: at 5x, $1,000 of margin carries a $5,000 position and a 1% move is 5% of that margin. Level 1 unlocks up to 10x; levels unlock more as you trade with discipline."],
  ["Liquidation", "If losses bring your equity down to the maintenance margin, your positions are closed at the mark with a 1% fee. The ticket shows the liquidation price before you send; lower leverage puts it further away."],
  ["Stop-loss", "A stop-loss closes the position when the mark reaches a price you choose. Set it in the ticket: a close earns +10 XP if a stop protected it all along, and +5 XP more if it risked at most 2% of your equity."],
] as const;

export function Guide() {
  const [step, setStep] = useState(0);
  const [title, text] = STEPS[step];
  const last = step === STEPS.length - 1;
  return (
    <section class="card guide" aria-labelledby="guide-title" data-testid="guide">
      <h2 id="guide-title">Your first trade · step {step + 1} of {STEPS.length}: {title}</h2>
      <p data-testid="guide-text">{text}</p>
      <div class="guide-actions">
        <button type="button" class="ghost" onClick={closeGuide}>Skip guide</button>
        {step > 0 && <button type="button" onClick={() => setStep(step - 1)}>Back</button>}
        <button type="button" class="primary" onClick={() => (last ? closeGuide() : setStep(step + 1))}>{last ? "Start trading" : "Next"}</button>
      </div>
    </section>
  );
}
