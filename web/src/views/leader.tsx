// A leader's page (#/leaders/<name>): their statistics, their growth over 30 or 90 days,
// and the form that opens a copy of them (not on one's own page).
import { useEffect, useState } from "preact/hooks";
import { ApiError, errorText, get } from "../api";
import { leaderPath, type Leader } from "../copying";
import { hrefOf } from "../route";
import { useStore } from "../store";
import { CopyForm } from "./copy-form";
import { EquityChart } from "./equity-chart";
import { LeaderFigures } from "./leader-stats";

export function LeaderPage({ username }: { username: string }) {
  const me = useStore((s) => s.me);
  const [leader, setLeader] = useState<Leader | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  useEffect(() => {
    setLeader(null);
    setMissing(null);
    get<Leader>(leaderPath(username))
      .then(setLeader)
      .catch((failure: unknown) => setMissing(failure instanceof ApiError && failure.status === 404
        ? `@${username} is not leading: they may have stopped, or one of you blocked the other.`
        : errorText(failure)));
  }, [username]);
  if (missing) return <p class="card error" role="alert" data-testid="leader-missing">{missing} <a href={hrefOf("leaders")}>All leaders</a></p>;
  if (!leader) return <p class="muted">Loading the leader…</p>;
  const own = leader.user_id === me?.user_id;
  return (
    <>
      <section class="card" aria-label="Leader" data-testid="leader-page">
        <h2>@{leader.username} <a class="small" href={hrefOf("profile", leader.username)}>Profile</a></h2>
        <LeaderFigures leader={leader} wide />
        <Growth username={leader.username} />
      </section>
      {own
        ? <p class="card muted" data-testid="leader-own">This is you: <a href={hrefOf("leading")}>your leader dashboard</a>.</p>
        : <CopyForm leader={leader} />}
    </>
  );
}

/** The growth chart, over 30 or 90 days. */
export function Growth({ username }: { username: string }) {
  const [days, setDays] = useState<30 | 90>(30);
  return (
    <div class="growth">
      <div class="post-actions" role="group" aria-label="Growth over">
        <h3>Growth</h3>
        {([30, 90] as const).map((d) => (
          <button key={d} type="button" class="mini" aria-pressed={d === days} onClick={() => setDays(d)}>{d} days</button>
        ))}
      </div>
      <EquityChart username={username} days={days} />
    </div>
  );
}
