// Tournaments: the list (polled: it has no channel), join, and a live board per tournament
// over the WebSocket (`tournament:<id>`).
import { useEffect, useState } from "preact/hooks";
import { errorText, get, post } from "../api";
import { subscribe } from "../live";
import { usePoll } from "../poll";
import { useStore } from "../store";
import { usd } from "../format";
import type { Standing, Tournament } from "../types";
import { Standings } from "./standings";

const POLL_MS = 15_000;

export function TournamentsView() {
  const [list, setList] = useState<Tournament[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const read = () => get<Tournament[]>("/tournaments").then(setList).catch((f) => setError(errorText(f)));
  usePoll(read, POLL_MS, []);

  async function join(id: string) {
    setError(null);
    try {
      await post(`/tournaments/${encodeURIComponent(id)}/join`);
      await read();
      setOpen(id);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <div class="tournaments">
      <section class="card" aria-label="Tournaments">
        <h2>Tournaments</h2>
        {error && <p class="error" role="alert">{error}</p>}
        {list.length === 0 ? <p class="muted">No tournaments yet.</p> : (
          <ul class="rows">
            {list.map((t) => (
              <li key={t.tournament_id} class="row" data-testid="tournament">
                <div>
                  <strong>{t.name}</strong> <span class="tag">{t.status}</span>
                  <div class="muted small">{t.markets.join(", ")} · {usd(t.starting_capital)} start · {t.entrants}/{t.max_entrants} entrants · level {t.min_level}+</div>
                  <div class="muted small">{new Date(t.starts_at).toLocaleString()} → {new Date(t.ends_at).toLocaleString()}</div>
                </div>
                <div class="right">
                  {t.account_id ? <span class="tag long">joined</span>
                    : (t.status === "upcoming" || t.status === "running") && <button type="button" onClick={() => void join(t.tournament_id)}>Join</button>}
                  <button type="button" class="ghost" aria-expanded={open === t.tournament_id} onClick={() => setOpen(open === t.tournament_id ? null : t.tournament_id)}>Board</button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {open && <TournamentBoard id={open} />}
    </div>
  );
}

function TournamentBoard({ id }: { id: string }) {
  const me = useStore((s) => s.me);
  const [board, setBoard] = useState<{ frozen: boolean; standings: Standing[] } | null>(null);
  useEffect(() => {
    get<{ frozen: boolean; standings: Standing[] }>(`/tournaments/${encodeURIComponent(id)}/leaderboard`).then(setBoard).catch(() => undefined);
    return subscribe(`tournament:${id}`, (_kind, data) => data && setBoard(data as { frozen: boolean; standings: Standing[] }));
  }, [id]);
  return (
    <section class="card" aria-label="Tournament board">
      <h2>Board {board?.frozen ? "(final)" : "(live)"}</h2>
      <p class="hint">Ranked by ROI of the tournament account; at least 3 closes to rank.</p>
      <Standings rows={board?.standings ?? []} me={me?.user_id} score="roi" label="Tournament standings" />
    </section>
  );
}
