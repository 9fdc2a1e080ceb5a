// A leader's growth over 30 or 90 days (GET /leaders/{username}/equity): normalized, so no
// balance shows; drawn in % by the charting library, small in the directory, larger on the
// leader's page.
import { useEffect, useState } from "preact/hooks";
import { errorText, get } from "../api";
import { growthPercent, leaderPath, type EquityCurve } from "../copying";
import type { Sample } from "../history";
import { LiveChart } from "./chart";

interface Props {
  username: string;
  days: 30 | 90;
  compact?: boolean;
}

export function EquityChart({ username, days, compact = false }: Props) {
  const [curve, setCurve] = useState<EquityCurve | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setCurve(null);
    get<EquityCurve>(`${leaderPath(username)}/equity?days=${days}`)
      .then((c) => { setCurve(c); setError(null); })
      .catch((failure: unknown) => setError(errorText(failure)));
  }, [username, days]);
  if (error) return <p class="error small" role="alert">{error}</p>;
  if (!curve) return <p class="muted small">Loading the curve…</p>;
  if (curve.points.length === 0) return <p class="muted small" data-testid="equity-empty">No closes in the last {days} days.</p>;
  return (
    <div data-testid="equity-chart" data-points={curve.points.length}>
      <LiveChart samples={samplesOf(curve)} label={`${username}'s growth over ${days} days, in %`} compact={compact}
        height={compact ? 56 : 220} />
    </div>
  );
}

/** A sample a close: the chart takes strictly rising times (whole seconds), so closes in the
 * same second are set a second apart, which no 30- or 90-day chart can show. */
function samplesOf(curve: EquityCurve): Sample[] {
  const samples: Sample[] = [];
  for (const p of curve.points) {
    const at = Math.floor(new Date(p.at).getTime() / 1000);
    const t = samples.length > 0 ? Math.max(at, samples[samples.length - 1].t + 1) : at;
    samples.push({ t, v: growthPercent(p.value) });
  }
  return samples;
}
