// The trading journal of the account being traded (GET /analytics/accounts/{id}): the
// headline metrics with their definitions on hover, the equity curve and its drawdown, the
// daily P&L calendar, the per-market table, and the closed trades as CSV. Every figure is
// the API's decimal string; the charts alone turn them into display-only floats.
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { accessToken, errorText, get } from "../api";
import { amount, percent, sign, signedUsd, usd } from "../format";
import type { Sample } from "../history";
import { useStore } from "../store";
import { LiveChart } from "./chart";

const PERIODS = ["7d", "30d", "90d", "all"] as const;
type Period = (typeof PERIODS)[number];

interface Metrics {
  trades: number; wins: number; losses: number; break_evens: number;
  win_rate: string | null; gross_profit: string; gross_loss: string; net_pnl: string;
  profit_factor: string | null; expectancy: string | null; average_win: string | null;
  average_loss: string | null; trades_with_stop: number; average_r: string | null;
  average_hold_seconds: string | null; fees: string; funding: string;
}
interface Report {
  account_id: string; kind: string; period: Period; first_day: string; last_day: string;
  metrics: Metrics; long: Metrics; short: Metrics;
  markets: (Metrics & { market: string })[];
  calendar: { day: string; trades: number; net_pnl: string }[];
  equity_curve: { day: string; equity: string; flows: string; pnl: string; daily_return: string | null }[];
  max_drawdown: string; sharpe: string | null; sortino: string | null;
}

// Each headline figure, how it is shown, and its definition (docs/analytics.md), on hover.
const HEADLINES: { id: string; label: string; show: (r: Report) => string; title: string }[] = [
  { id: "trades", label: "Closed trades", show: (r) => String(r.metrics.trades), title: "Positions closed in the period (a flip closes one trade and opens the next)." },
  { id: "net_pnl", label: "Net P&L", show: (r) => signedUsd(r.metrics.net_pnl), title: "Realized P&L less fees and funding, over the closed trades." },
  { id: "win_rate", label: "Win rate", show: (r) => percent(r.metrics.win_rate), title: "Wins / (wins + losses): break-evens are counted apart, in neither." },
  { id: "profit_factor", label: "Profit factor", show: (r) => amount(r.metrics.profit_factor), title: "Gross profit / |gross loss|, net of fees and funding; none without a loss." },
  { id: "expectancy", label: "Expectancy", show: (r) => signedUsd(r.metrics.expectancy), title: "Mean net P&L per trade, break-evens included." },
  { id: "average_win", label: "Average win", show: (r) => usd(r.metrics.average_win), title: "Mean net P&L of the winning trades." },
  { id: "average_loss", label: "Average loss", show: (r) => usd(r.metrics.average_loss), title: "Mean net P&L of the losing trades (negative)." },
  { id: "average_r", label: "Average R", show: (r) => amount(r.metrics.average_r), title: "Mean of net P&L / risk at the initial stop, over the trades that had a stop." },
  { id: "average_hold", label: "Average hold", show: (r) => hold(r.metrics.average_hold_seconds), title: "Mean time from a trade's opening fill to its closing fill." },
  { id: "fees", label: "Fees", show: (r) => usd(r.metrics.fees), title: "Every fill's fee over the closed trades' lives." },
  { id: "funding", label: "Funding", show: (r) => signedUsd(r.metrics.funding), title: "Funding over the closed trades' lives: paid > 0, received < 0." },
  { id: "max_drawdown", label: "Max drawdown", show: (r) => percent(r.max_drawdown), title: "The largest fall of the compounded daily returns from a running peak, over that peak (deposits and withdrawals left out)." },
  { id: "sharpe", label: "Sharpe", show: (r) => amount(r.sharpe), title: "Mean daily return / its sample standard deviation × √365 (risk-free 0)." },
  { id: "sortino", label: "Sortino", show: (r) => amount(r.sortino), title: "Mean daily return / downside deviation × √365: √(mean of min(return, 0)²) over every day." },
];

function hold(seconds: string | null): string {
  if (seconds === null) return "—";
  const s = Math.round(Number(seconds)); // display only
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

const daySeconds = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;
const analyticsPath = (id: string) => `/analytics/accounts/${encodeURIComponent(id)}`;

export function AnalyticsView() {
  const account = useStore((s) => s.account);
  const [period, setPeriod] = useState<Period>("30d");
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = account?.account_id;
  useEffect(() => {
    if (!id) return;
    setReport(null);
    get<Report>(`${analyticsPath(id)}?period=${period}`)
      .then((r) => { setReport(r); setError(null); })
      .catch((failure: unknown) => setError(errorText(failure)));
  }, [id, period]);
  if (!id) return null;
  return (
    <div class="analytics">
      <section class="card" aria-label="Analytics">
        <h2>Analytics</h2>
        <div class="switch" role="group" aria-label="Period">
          {PERIODS.map((p) => (
            <button key={p} type="button" class="mini" aria-pressed={p === period} onClick={() => setPeriod(p)}>{p === "all" ? "All" : p}</button>
          ))}
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        {!report && !error && <p class="muted">Loading your analytics…</p>}
        {report && <Headlines report={report} />}
        <DownloadCsv accountId={id} />
      </section>
      {report && <Charts report={report} />}
      {report && <Calendar report={report} />}
      {report && <Markets report={report} />}
    </div>
  );
}

function Headlines({ report }: { report: Report }) {
  const m = report.metrics;
  return (
    <>
      <p class="muted small" data-testid="analytics-span">{report.first_day} to {report.last_day} (UTC) · {m.wins} wins, {m.losses} losses, {m.break_evens} break-even · long {report.long.trades}, short {report.short.trades}</p>
      <dl class="figures wide" data-testid="headlines">
        {HEADLINES.map((h) => (
          <Fragment key={h.id}>
            <dt title={h.title}>{h.label}</dt>
            <dd title={h.title} data-testid={`metric-${h.id}`}>{h.show(report)}</dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}

/** The equity at each day's close, and how far the compounded returns stood below their peak. */
function Charts({ report }: { report: Report }) {
  const equity: Sample[] = report.equity_curve.map((p) => ({ t: daySeconds(p.day), v: p.equity }));
  const drawdown: Sample[] = [];
  let growth = 1, peak = 1; // display-only floats, as the chart takes them
  for (const p of report.equity_curve) {
    if (p.daily_return !== null) growth *= 1 + Number(p.daily_return);
    peak = Math.max(peak, growth);
    drawdown.push({ t: daySeconds(p.day), v: (-(peak - growth) / peak * 100).toFixed(4) });
  }
  return (
    <section class="card" aria-label="Equity and drawdown">
      <h2 title="The account's equity at each UTC day's close (today: now); deposits and transfers move it but are never returns.">Equity curve</h2>
      <div data-testid="equity-curve" data-points={equity.length}>
        <LiveChart samples={equity} label="Equity at each day's close" height={200} />
      </div>
      <h2 title="How far the compounded daily returns stand below their running peak, in %.">Drawdown</h2>
      <div data-testid="drawdown-chart" data-points={drawdown.length}>
        <LiveChart samples={drawdown} label="Drawdown from the peak, in %" height={140} />
      </div>
    </section>
  );
}

/** One cell a day of the period, coloured by the net P&L of the trades closed that day. */
function Calendar({ report }: { report: Report }) {
  const closed = new Map(report.calendar.map((d) => [d.day, d]));
  const largest = Math.max(1, ...report.calendar.map((d) => Math.abs(Number(d.net_pnl))));
  const days: string[] = [];
  for (let t = daySeconds(report.first_day); t <= daySeconds(report.last_day); t += 86_400) {
    days.push(new Date(t * 1000).toISOString().slice(0, 10));
  }
  return (
    <section class="card" aria-label="Daily P&L calendar">
      <h2 title="Per UTC day, the trades closed that day and the sum of their net P&L.">Daily P&amp;L</h2>
      <ol class="heatmap" data-testid="calendar">
        {days.map((day) => {
          const d = closed.get(day);
          const strength = d ? 0.25 + 0.75 * Math.abs(Number(d.net_pnl)) / largest : 0;
          const tone = d ? sign(d.net_pnl) : "flat";
          const text = d ? `${day}: ${d.trades} trade${d.trades === 1 ? "" : "s"}, ${signedUsd(d.net_pnl)}` : `${day}: no trade closed`;
          return (
            <li key={day} class={`cell ${tone}`} title={text} aria-label={text} data-testid="calendar-day" data-day={day}
              data-pnl={d?.net_pnl ?? ""} style={{ opacity: d ? strength : 1 }} />
          );
        })}
      </ol>
    </section>
  );
}

function Markets({ report }: { report: Report }) {
  if (report.markets.length === 0) return <section class="card"><p class="muted">No trade closed in this period.</p></section>;
  return (
    <section class="card" aria-label="Per market">
      <h2>Per market</h2>
      <div class="table-wrap">
        <table class="board" data-testid="markets">
          <thead>
            <tr>
              <th scope="col">Market</th>
              <th scope="col" class="right">Trades</th>
              <th scope="col" class="right" title="Wins / (wins + losses)">Win rate</th>
              <th scope="col" class="right" title="Realized P&L less fees and funding">Net P&amp;L</th>
              <th scope="col" class="right" title="Gross profit / |gross loss|">Profit factor</th>
              <th scope="col" class="right">Fees</th>
            </tr>
          </thead>
          <tbody>
            {report.markets.map((m) => (
              <tr key={m.market} data-testid={`market-row-${m.market}`}>
                <th scope="row">{m.market}</th>
                <td class="right">{m.trades}</td>
                <td class="right">{percent(m.win_rate)}</td>
                <td class={`right pnl ${sign(m.net_pnl)}`}>{signedUsd(m.net_pnl)}</td>
                <td class="right">{amount(m.profit_factor)}</td>
                <td class="right">{usd(m.fees)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The closed trades as CSV: fetched with the session's token (a plain link would carry
 * none), then handed to the browser as a file. */
function DownloadCsv({ accountId }: { accountId: string }) {
  const [error, setError] = useState<string | null>(null);
  const path = `/api/v1${analyticsPath(accountId)}/trades.csv`;
  const download = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const answer = await fetch(path, { headers: { authorization: `Bearer ${accessToken() ?? ""}` } });
    if (!answer.ok) { setError(`The server answered ${answer.status}.`); return; }
    const url = URL.createObjectURL(await answer.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `trades-${accountId}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <p>
      <a href={path} data-testid="download-csv" onClick={(e) => void download(e)}>Download CSV</a>
      {error && <span class="error small" role="alert"> {error}</span>}
    </p>
  );
}
