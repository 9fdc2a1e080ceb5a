// Settings: the light or dark theme (the system's unless chosen here), a practice account's
// faucet top-up, a live account's connection to Extended, and the daily loss limit of the
// traded account with the API's rules.
import { useState } from "preact/hooks";
import { errorText, post, put } from "../api";
import { dec } from "../decimal";
import { usd } from "../format";
import { reloadTrading } from "../session";
import { accountLabel, useStore } from "../store";
import { applyTheme, storedTheme, type Theme } from "../theme";
import type { Account } from "../types";
import { VenueLinkCard } from "./venue-link";

const FAUCET_CAP = "100,000"; // docs/financial-rules.md
const APPLIED_MS = [700, 2_000, 5_000]; // a top-up is applied by trading within moments

interface Said {
  error: boolean;
  text: string;
}

function Outcome({ said, testId }: { said: Said | null; testId: string }) {
  if (!said) return null;
  return <p class={said.error ? "error" : "ok"} role={said.error ? "alert" : "status"} data-testid={testId}>{said.text}</p>;
}

export function SettingsView() {
  const account = useStore((s) => s.account);
  const tournaments = useStore((s) => s.tournaments);
  if (!account) return null;
  return (
    <div class="settings">
      <ThemeChoice />
      {account.kind === "practice" && <Faucet account={account} />}
      {account.kind === "live" && <VenueLinkCard key={account.account_id} account={account} />}
      <LossLimit account={account} name={accountLabel(account, tournaments)} />
    </div>
  );
}

function ThemeChoice() {
  const [theme, setTheme] = useState<Theme>(storedTheme());
  const choose = (next: Theme) => {
    setTheme(next);
    applyTheme(next);
  };
  return (
    <section class="card" aria-label="Appearance">
      <h2>Appearance</h2>
      <fieldset class="choices">
        <legend>Theme</legend>
        {([["system", "System (follows your device)"], ["light", "Light"], ["dark", "Dark"]] as const).map(([value, label]) => (
          <label key={value}><input type="radio" name="theme" value={value} checked={theme === value} onChange={() => choose(value)} /> {label}</label>
        ))}
      </fieldset>
      <p class="hint">Remembered on this device.</p>
    </section>
  );
}

function Faucet({ account }: { account: Account }) {
  const [amount, setAmount] = useState("10000");
  const [said, setSaid] = useState<Said | null>(null);
  const [busy, setBusy] = useState(false);
  async function topUp(event: Event) {
    event.preventDefault();
    setBusy(true);
    setSaid(null);
    try {
      const transfer = await post<{ amount: string | null; status: string }>(`/accounts/${encodeURIComponent(account.account_id)}/faucet`, { amount: amount.trim() });
      setSaid({ error: false, text: `Top-up of ${usd(transfer.amount)} requested: it reaches your account within moments.` });
      APPLIED_MS.forEach((ms) => window.setTimeout(() => void reloadTrading().catch(() => undefined), ms));
    } catch (failure) {
      setSaid({ error: true, text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-label="Practice top-up">
      <h2>Practice top-up</h2>
      <p class="hint">Virtual dollars for practice only: once per UTC day, up to {usd(FAUCET_CAP.replace(/,/g, ""))} of collateral (a larger request is cut to that). Collateral now: <span data-testid="collateral">{usd(account.collateral)}</span>.</p>
      <form class="stack" onSubmit={topUp}>
        <label>Amount (USD)<input inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} required /></label>
        <button type="submit" class="primary" disabled={busy}>Top up</button>
      </form>
      <Outcome said={said} testId="faucet-result" />
    </section>
  );
}

function LossLimit({ account, name }: { account: Account; name: string }) {
  const [limit, setLimit] = useState("");
  const [said, setSaid] = useState<Said | null>(null);
  const current = account.daily_loss_limit ?? null;
  const lossToday = account.loss_today ?? "0";
  const reached = current !== null && (dec(lossToday) ?? 0n) >= (dec(current) ?? 0n);
  async function save(value: string | null) {
    setSaid(null);
    try {
      await put(`/accounts/${encodeURIComponent(account.account_id)}/loss-limit`, { daily_loss_limit: value });
      setSaid({ error: false, text: value === null ? "Daily loss limit removed." : `Daily loss limit set to ${usd(value)}.` });
      setLimit("");
      await reloadTrading();
    } catch (failure) {
      setSaid({ error: true, text: errorText(failure) });
    }
  }
  return (
    <section class="card" aria-label="Daily loss limit">
      <h2>Daily loss limit · {name} account</h2>
      <p data-testid="loss-limit">{current === null ? "No limit set." : <>Limit {usd(current)} a day; today's realized losses {usd(lossToday)}.</>}</p>
      {reached && <p class="warn" role="status" data-testid="loss-limit-reached">Reached today: orders that add exposure are refused until 00:00 UTC. You can lower the limit, not raise or remove it, before then.</p>}
      <p class="hint">Once the day's realized losses (net of its gains) reach the limit, orders that add exposure are refused until 00:00 UTC; closing and reducing always work. Lowering applies at once; once the limit is reached, it cannot be raised or removed the same day.</p>
      <form class="stack" onSubmit={(e) => { e.preventDefault(); void save(limit.trim()); }}>
        <label>New limit (USD)<input inputMode="decimal" value={limit} onInput={(e) => setLimit((e.target as HTMLInputElement).value)} required /></label>
        <div class="right">
          {current !== null && <button type="button" class="ghost" onClick={() => void save(null)}>Remove limit</button>}
          <button type="submit" class="primary">Set limit</button>
        </div>
      </form>
      <Outcome said={said} testId="loss-limit-result" />
    </section>
  );
}
