// Tournaments: the list (polled: it has no channel), join (which opens the tournament
// account and trades it at once), and each tournament's board.
import { useState } from "preact/hooks";
import { errorText, post } from "../api";
import { usePoll } from "../poll";
import { loadTournaments, reloadAccounts, switchAccount } from "../session";
import { useStore } from "../store";
import { usd } from "../format";
import { TournamentBoard } from "./tournament";

const POLL_MS = 15_000;

export function TournamentsView() {
  const list = useStore((s) => s.tournaments);
  const current = useStore((s) => s.account?.account_id);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  usePoll(() => void loadTournaments().catch((f) => setError(errorText(f))), POLL_MS, []);

  async function join(id: string) {
    setError(null);
    try {
      const entry = await post<{ account_id: string }>(`/tournaments/${encodeURIComponent(id)}/join`);
      await Promise.all([loadTournaments(), reloadAccounts()]);
      await trade(entry.account_id);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  async function trade(accountId: string) {
    await switchAccount(accountId);
    location.hash = "#/trade";
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
                  {t.account_id
                    ? (t.account_id === current ? <span class="tag long">trading</span>
                      : <button type="button" onClick={() => void trade(t.account_id!).catch((f) => setError(errorText(f)))}
                          aria-label={`Trade ${t.name}`}>Trade</button>)
                    : (t.status === "upcoming" || t.status === "running") && <button type="button" onClick={() => void join(t.tournament_id)} aria-label={`Join ${t.name}`}>Join</button>}
                  <button type="button" class="ghost" aria-expanded={open === t.tournament_id} onClick={() => setOpen(open === t.tournament_id ? null : t.tournament_id)} aria-label={`Board of ${t.name}`}>Board</button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {list.filter((t) => t.tournament_id === open).map((t) => <TournamentBoard key={t.tournament_id} tournament={t} />)}
    </div>
  );
}
