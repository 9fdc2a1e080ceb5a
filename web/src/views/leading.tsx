// The trader's own leader dashboard (#/leading): not leading, the opt-in with a profit share
// (a refusal shows the API's message, naming every condition missed); leading, their own
// statistics and growth, the share to change (for copies opened afterwards) and "Stop
// leading" (every copy of theirs stops). The copiers and their allocations follow the
// `leader` channel: a copy started or closed shows at once.
import { useEffect, useState } from "preact/hooks";
import { ApiError, del, errorText, get, post } from "../api";
import { PROFIT_SHARE, fractionOf, leaderPath, percentOf, type Leader } from "../copying";
import { subscribe } from "../live";
import { useStore } from "../store";
import { SocialNav } from "./feed";
import { Growth } from "./leader";
import { LeaderFigures } from "./leader-stats";

export function LeadingView() {
  const me = useStore((s) => s.me);
  const [leader, setLeader] = useState<Leader | null | undefined>(undefined); // null: not leading
  const [error, setError] = useState<string | null>(null);
  const read = () => {
    if (!me) return;
    get<Leader>(leaderPath(me.username))
      .then(setLeader)
      .catch((failure: unknown) => failure instanceof ApiError && failure.status === 404 ? setLeader(null) : setError(errorText(failure)));
  };
  useEffect(read, [me?.username]);
  return (
    <div class="social">
      <SocialNav current="leading" />
      {error && <p class="card error" role="alert">{error}</p>}
      {leader === undefined && !error && <p class="muted">Loading…</p>}
      {leader === null && <OptIn onLeading={setLeader} />}
      {leader && <Dashboard leader={leader} onChanged={setLeader} onStopped={() => setLeader(null)} />}
    </div>
  );
}

function OptIn({ onLeading }: { onLeading: (leader: Leader) => void }) {
  return (
    <section class="card stack" aria-label="Lead" data-testid="lead-opt-in">
      <h2>Lead copy trading</h2>
      <p class="hint">Others copy the positions of your practice account and share their new profit with you. To lead: level 3 or more, at least 20 closed positions, and no liquidation in the last 7 days.</p>
      <ShareForm initial={String(PROFIT_SHARE.default)} submit="Start leading" onSaved={onLeading} />
    </section>
  );
}

type Following = Pick<Leader, "copiers" | "allocated">;

function Dashboard({ leader, onChanged, onStopped }: { leader: Leader; onChanged: (leader: Leader) => void; onStopped: () => void }) {
  const [following, setFollowing] = useState<Following | null>(null);
  useEffect(() => subscribe("leader", (_kind, data) => setFollowing(data as Following)), []);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = () => {
    setError(null);
    del("/leaders/me").then(onStopped).catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <>
      <section class="card" aria-label="Your leading" data-testid="leading-dashboard">
        <h2>You lead as @{leader.username}</h2>
        <LeaderFigures leader={following ? { ...leader, ...following } : leader} wide />
        <Growth username={leader.username} />
      </section>
      <section class="card stack" aria-label="Profit share">
        <h2>Profit share</h2>
        <p class="hint">A change applies to copies opened from now on; running copies keep the share they started with.</p>
        <ShareForm initial={percentOf(leader.profit_share)} submit="Change share" onSaved={onChanged} />
      </section>
      <section class="card stack" aria-label="Stop leading">
        {!confirm && <button type="button" onClick={() => setConfirm(true)}>Stop leading</button>}
        {confirm && (
          <p class="confirm-row">Stop leading? Every copy of you stops: its positions are closed and its money returned.
            <button type="button" class="mini" onClick={stop}>Stop leading now</button>
            <button type="button" class="mini ghost" onClick={() => setConfirm(false)}>Cancel</button>
          </p>
        )}
        {error && <p class="error" role="alert">{error}</p>}
      </section>
    </>
  );
}

/** The profit share in % (0 to 20), sent as POST /leaders/me: an opt-in or a change. */
function ShareForm({ initial, submit, onSaved }: { initial: string; submit: string; onSaved: (leader: Leader) => void }) {
  const [share, setShare] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const save = (event: Event) => {
    event.preventDefault();
    setSaid(null);
    const fraction = fractionOf(share, PROFIT_SHARE.min, PROFIT_SHARE.max);
    if (fraction === null) return setError(`The profit share is from ${PROFIT_SHARE.min} to ${PROFIT_SHARE.max} %.`);
    setError(null);
    post<Leader>("/leaders/me", { profit_share: fraction })
      .then((leader) => { setSaid(`Profit share ${percentOf(leader.profit_share)}%.`); onSaved(leader); })
      .catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <form class="stack" noValidate onSubmit={save}>
      <label>Profit share (% of copiers' new profit)
        <input type="number" min={PROFIT_SHARE.min} max={PROFIT_SHARE.max} step="0.1" value={share} onInput={(e) => setShare((e.target as HTMLInputElement).value)} />
      </label>
      {error && <p class="error" role="alert" data-testid="lead-error">{error}</p>}
      {said && <p class="ok" role="status">{said}</p>}
      <button type="submit" class="primary">{submit}</button>
    </form>
  );
}
