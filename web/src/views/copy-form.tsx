// Open a copy of a leader (POST /copies): an allocation from the practice account (at least
// 100, at most its available margin) and the copy's stop-loss, a maximum loss of 10 to 90 %
// of the allocation (50 % unless changed). On success, the copy's page.
import { useState } from "preact/hooks";
import { errorText, post } from "../api";
import { MAX_LOSS, MIN_ALLOCATION, fractionOf, percentOf, type Copy, type Leader } from "../copying";
import { dec, of } from "../decimal";
import { usd } from "../format";
import { hrefOf } from "../route";
import { useStore } from "../store";

export function CopyForm({ leader }: { leader: Leader }) {
  const practice = useStore((s) => s.accounts.find((a) => a.kind === "practice"));
  const [allocation, setAllocation] = useState("");
  const [maxLoss, setMaxLoss] = useState(String(MAX_LOSS.default));
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const amount = dec(allocation);
  const loss = fractionOf(maxLoss, MAX_LOSS.min, MAX_LOSS.max);
  const open = (event: Event) => {
    event.preventDefault();
    if (amount === null || amount < of(MIN_ALLOCATION)) return setError(`The allocation is at least $${MIN_ALLOCATION}.`);
    if (loss === null) return setError(`The maximum loss is from ${MAX_LOSS.min} to ${MAX_LOSS.max} %.`);
    setError(null);
    setSending(true);
    post<Copy>("/copies", { leader: leader.username, allocation: allocation.trim(), max_loss: loss })
      .then((copy) => { location.hash = hrefOf("copies", copy.id); })
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setSending(false));
  };
  return (
    <form class="card stack" aria-label={`Copy ${leader.username}`} data-testid="copy-form" noValidate onSubmit={open}>
      <h2>Copy @{leader.username}</h2>
      <p class="hint">Their positions opened from now on are copied in proportion to the money each of you has; every decision shows in the copy's history. They take {percentOf(leader.profit_share)}% of new profit, weekly and at the stop.</p>
      <label>Allocation (USD)
        <input inputMode="decimal" value={allocation} placeholder={`at least ${MIN_ALLOCATION}`} onInput={(e) => setAllocation((e.target as HTMLInputElement).value)} />
      </label>
      {practice && <p class="hint" data-testid="copy-available">Available in your practice account: {usd(practice.available)}</p>}
      <label>Maximum loss (% of the allocation)
        <input type="number" min={MAX_LOSS.min} max={MAX_LOSS.max} step="1" value={maxLoss} onInput={(e) => setMaxLoss((e.target as HTMLInputElement).value)} />
      </label>
      <p class="hint">The copy stops, its positions closed, when its equity falls to the allocation less this share.</p>
      {error && <p class="error" role="alert" data-testid="copy-error">{error}</p>}
      <button type="submit" class="primary" disabled={sending}>Copy</button>
    </form>
  );
}
