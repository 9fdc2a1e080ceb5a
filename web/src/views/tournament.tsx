// A tournament as its entrant trades it: its name, the countdown to its start or its end, and
// the trader's rank on its board (live over the `tournament:<id>` channel). The board itself
// is named and says whether it has not started, is live, or is final.
import { useEffect, useState } from "preact/hooks";
import { get } from "../api";
import { subscribe } from "../live";
import { percent } from "../format";
import { useStore } from "../store";
import type { Standing, Tournament } from "../types";
import { Standings } from "./standings";

const MIN_CLOSES = 3; // docs/progression-rules.md: at least 3 closes to rank
export interface Board {
  frozen: boolean;
  standings: Standing[];
}

/** The board of tournament `id`: read once, then as its channel pushes it. */
export function useTournamentBoard(id: string): Board | null {
  const [board, setBoard] = useState<Board | null>(null);
  useEffect(() => {
    setBoard(null);
    get<Board>(`/tournaments/${encodeURIComponent(id)}/leaderboard?limit=500`).then(setBoard).catch(() => undefined);
    return subscribe(`tournament:${id}`, (_kind, data) => data && setBoard(data as Board));
  }, [id]);
  return board;
}

/** "not started" / "live" / "final": what the board of a tournament in this state shows. */
export function boardState(t: Tournament, board: Board | null): string {
  if (board?.frozen || t.status === "finished") return "final";
  if (t.status === "upcoming") return "not started";
  if (t.status === "ended") return "ended, being finalised";
  return "live";
}

/** Time until `to` as "1d 02h", "2h 05m" or "4m 09s" (this device's clock). */
export function countdown(to: string, now = Date.now()): string {
  const left = Math.max(0, Math.floor((Date.parse(to) - now) / 1000));
  const [d, h, m, s] = [Math.floor(left / 86_400), Math.floor(left / 3600) % 24, Math.floor(left / 60) % 60, left % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  return `${m}m ${two(s)}s`;
}

export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** On the trade screen while a tournament account is traded. */
export function TournamentPanel({ tournament: t }: { tournament: Tournament }) {
  const me = useStore((s) => s.me);
  const board = useTournamentBoard(t.tournament_id);
  const now = useNow();
  const mine = board?.standings.find((s) => s.user_id === me?.user_id);
  const timing = t.status === "upcoming" ? `Starts in ${countdown(t.starts_at, now)}`
    : t.status === "running" ? `Ends in ${countdown(t.ends_at, now)}`
    : "Ended: only closing positions is allowed";
  return (
    <section class="card tournament-panel" aria-label={`Tournament ${t.name}`} data-testid="tournament-panel">
      <h2>{t.name}</h2>
      <p><strong data-testid="tournament-countdown">{timing}</strong> <span class="muted small">· {t.markets.join(", ")}</span></p>
      <p data-testid="tournament-rank">
        {mine
          ? <>Your rank: <strong>#{mine.rank}</strong> of {board?.standings.length} · ROI {percent(mine.score)}</>
          : `Not ranked yet: ${MIN_CLOSES} closes in this tournament to rank.`}
      </p>
    </section>
  );
}

/** The tournament's board, named, in its state. */
export function TournamentBoard({ tournament: t }: { tournament: Tournament }) {
  const me = useStore((s) => s.me);
  const board = useTournamentBoard(t.tournament_id);
  return (
    <section class="card" aria-label={`${t.name} board`}>
      <h2 data-testid="tournament-board-title">{t.name}: board ({boardState(t, board)})</h2>
      <p class="hint">Ranked by ROI of the tournament account; at least {MIN_CLOSES} closes to rank.</p>
      <Standings rows={board?.standings ?? []} me={me?.user_id} score="roi" label={`${t.name} standings`} />
    </section>
  );
}
