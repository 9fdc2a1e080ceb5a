// The account: equity, available, margins, the margin ratio as a gauge, equity over time,
// positions and orders.
import { dec } from "../decimal";
import { samples } from "../history";
import { percent, signedUsd, sign, usd } from "../format";
import { accountLabel, useStore } from "../store";
import { LiveChart } from "./chart";
import { OrdersList, PositionsList } from "./positions";
import { Records } from "./records";

export function PortfolioView() {
  const account = useStore((s) => s.account);
  const tournaments = useStore((s) => s.tournaments);
  if (!account) return null;
  return (
    <div class="portfolio">
      <section class="card" aria-label="Account">
        <h2>{accountLabel(account, tournaments)} account</h2>
        <p class="small"><a href="#/analytics" data-testid="analytics-link">Analytics: your trading journal</a></p>
        <dl class="figures wide">
          <dt>Equity</dt><dd data-testid="equity">{usd(account.equity)}</dd>
          <dt>Unrealized P&amp;L</dt><dd class={`pnl ${sign(account.unrealized_pnl)}`}>{signedUsd(account.unrealized_pnl)}</dd>
          <dt>Collateral</dt><dd>{usd(account.collateral)}</dd>
          <dt>Available</dt><dd>{usd(account.available)}</dd>
          <dt>Initial margin</dt><dd>{usd(account.initial_margin)}</dd>
          <dt>Maintenance margin</dt><dd>{usd(account.maintenance_margin)}</dd>
        </dl>
        <MarginGauge ratio={account.margin_ratio} />
      </section>
      <section class="card" aria-label="Equity over time">
        <h2>Equity over time</h2>
        <LiveChart samples={samples(`equity.${account.account_id}`)} label="Account equity over time" height={200} />
      </section>
      <section class="card" aria-label="Positions and orders">
        <h2>Positions</h2>
        <PositionsList />
        <h3>Open orders</h3>
        <OrdersList />
      </section>
      <Records />
    </div>
  );
}

/** Maintenance margin over equity: liquidation comes at 100%. */
function MarginGauge({ ratio }: { ratio: string | null }) {
  const value = dec(ratio ?? "0") ?? 0n;
  const shown = Math.min(100, Math.max(0, Number(value / 10n ** 14n) / 100)); // display only
  const level = shown >= 80 ? "danger" : shown >= 50 ? "warn" : "safe";
  return (
    <div class="gauge-box">
      <span id="margin-label">Margin ratio</span>
      <div class={`gauge ${level}`} role="meter" aria-labelledby="margin-label" aria-valuemin={0} aria-valuemax={100}
        aria-valuenow={shown} aria-valuetext={percent(ratio)} data-testid="margin-gauge">
        <div class="fill" style={{ width: `${shown}%` }} />
      </div>
      <span class="small muted">{percent(ratio)} — liquidation at 100%</span>
    </div>
  );
}
