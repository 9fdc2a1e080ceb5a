// The admins' dashboard (GET /admin/analytics): the platform per UTC day over a range of
// dates, charts of sign-ups, active traders, and volume and fees per market, each day's
// exact figures in a table, and retention by sign-up cohort. Traders never reach it: no
// link shows for them, and the screen itself asks nothing of the API for them.
import { useEffect, useMemo, useState } from "preact/hooks";
import { errorText, get } from "../api";
import { amount, percent, usd } from "../format";
import { perMarket, type PlatformReport } from "../platform";
import { useStore } from "../store";
import { DailyChart } from "./daily-chart";

export function AdminDashboard() {
  const admin = useStore((s) => s.me?.role === "admin");
  if (!admin) return <p class="card muted" data-testid="dashboard-refused">The platform dashboard is for admins.</p>;
  return <Dashboard />;
}

function Dashboard() {
  const [range, setRange] = useState<{ from: string; to: string } | null>(null); // null: the API's default
  const [report, setReport] = useState<PlatformReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const query = range ? `?from=${range.from}&to=${range.to}` : "";
    get<PlatformReport>(`/admin/analytics${query}`)
      .then((r) => { setReport(r); setError(null); })
      .catch((failure: unknown) => setError(errorText(failure)));
  }, [range?.from, range?.to]);
  return (
    <div class="dashboard">
      <h2>Platform dashboard</h2>
      <p class="small"><a href="#/mints">Badge mint queue</a></p>
      <RangeForm report={report} onChoose={setRange} />
      {error && <p class="error" role="alert">{error}</p>}
      {report ? <Figures report={report} /> : !error && <p class="muted">Loading the figures…</p>}
    </div>
  );
}

function RangeForm({ report, onChoose }: { report: PlatformReport | null; onChoose: (r: { from: string; to: string }) => void }) {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  useEffect(() => {
    if (report && !from) { setFrom(report.start); setTo(report.end); }
  }, [report]);
  return (
    <form class="card range" onSubmit={(e) => { e.preventDefault(); onChoose({ from, to }); }}>
      <label>From (UTC) <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} required /></label>
      <label>To <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} required /></label>
      <button type="submit">Show</button>
    </form>
  );
}

function Figures({ report }: { report: PlatformReport }) {
  const days = report.days;
  const last = days[days.length - 1];
  const charts = useMemo(() => ({
    signUps: [{ name: "Sign-ups", values: days.map((d) => ({ day: d.day, value: d.sign_ups })) }],
    active: (["daily", "weekly", "monthly"] as const).map((window) => ({
      name: { daily: "DAU", weekly: "WAU", monthly: "MAU" }[window],
      values: days.map((d) => ({ day: d.day, value: d.active_traders[window] })),
    })),
    volume: perMarket(days, "volume"),
    fees: perMarket(days, "fees"),
  }), [report]);
  if (!last) return null;
  return (
    <>
      <section class="card tiles" aria-label={`Figures of ${last.day}`}>
        <Tile label="DAU" value={String(last.active_traders.daily)} id="dau" />
        <Tile label="WAU" value={String(last.active_traders.weekly)} id="wau" />
        <Tile label="MAU" value={String(last.active_traders.monthly)} id="mau" />
        <Tile label="MRR" value={usd(last.mrr)} id="mrr" />
        <Tile label="Active copies" value={String(last.active_copies)} id="active-copies" />
        <p class="muted small">At the close of {last.day} (UTC).</p>
      </section>
      <section class="card charts">
        <DailyChart series={charts.signUps} label="Sign-ups per day" />
        <DailyChart series={charts.active} label="Active traders: DAU, WAU, MAU" />
        <DailyChart series={charts.volume} label="Volume per market, USD" precision={2} />
        <DailyChart series={charts.fees} label="Fees per market, USD" precision={2} />
      </section>
      <DaysTable report={report} />
      <RetentionTable report={report} />
    </>
  );
}

function Tile({ label, value, id }: { label: string; value: string; id: string }) {
  return <div class="tile"><span class="muted small">{label}</span><strong data-testid={`tile-${id}`}>{value}</strong></div>;
}

function DaysTable({ report }: { report: PlatformReport }) {
  return (
    <section class="card table-wrap">
      <h3>Per day</h3>
      <table class="board" data-testid="days-table">
        <thead>
          <tr><th>Day</th><th class="right">Sign-ups</th><th class="right">DAU</th><th class="right">Volume</th><th class="right">Fees</th>
            <th class="right">Liquidations</th><th class="right">Copied volume</th><th class="right">Entrants</th><th class="right">MRR</th></tr>
        </thead>
        <tbody>
          {[...report.days].reverse().map((d) => (
            <tr key={d.day} data-testid="day-row" data-day={d.day}>
              <td>{d.day}</td><td class="right" data-testid="sign-ups">{d.sign_ups}</td><td class="right" data-testid="dau">{d.active_traders.daily}</td>
              <td class="right" data-testid="volume">{usd(d.volume)}</td><td class="right" data-testid="fees">{usd(d.fees)}</td>
              <td class="right" data-testid="liquidations">{d.liquidations}</td><td class="right">{usd(d.copied_volume)}</td>
              <td class="right">{d.tournament_entrants}</td><td class="right">{usd(d.mrr)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Per market and day</h3>
      <table class="board" data-testid="markets-table">
        <thead><tr><th>Day</th><th>Market</th><th class="right">Volume</th><th class="right">Fees</th><th class="right">Open interest</th></tr></thead>
        <tbody>
          {[...report.days].reverse().flatMap((d) => d.markets.map((m) => (
            <tr key={`${d.day} ${m.market}`} data-testid="market-row" data-day={d.day} data-market={m.market}>
              <td>{d.day}</td><td>{m.market}</td><td class="right" data-testid="volume">{usd(m.volume)}</td>
              <td class="right" data-testid="fees">{usd(m.fees)}</td><td class="right" data-testid="open-interest">{amount(m.open_interest, 4)}</td>
            </tr>
          )))}
        </tbody>
      </table>
    </section>
  );
}

function RetentionTable({ report }: { report: PlatformReport }) {
  const rate = (share: string | null, retained: number | null) =>
    share === null ? <span class="muted" title="That week is not over yet">—</span> : `${percent(share, 1)} (${retained})`;
  return (
    <section class="card table-wrap">
      <h3>Retention by sign-up week</h3>
      <table class="board" data-testid="retention-table">
        <thead><tr><th>Week of</th><th class="right">Sign-ups</th><th class="right">Week 1</th><th class="right">Week 4</th></tr></thead>
        <tbody>
          {report.retention.map((c) => (
            <tr key={c.week} data-testid="cohort-row" data-week={c.week}>
              <td>{c.week}</td><td class="right" data-testid="cohort-size">{c.sign_ups}</td>
              <td class="right" data-testid="week-1">{rate(c.week_1, c.week_1_retained)}</td>
              <td class="right" data-testid="week-4">{rate(c.week_4, c.week_4_retained)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.retention.length === 0 && <p class="muted small">Nobody signed up in these weeks.</p>}
    </section>
  );
}
