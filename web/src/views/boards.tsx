// Leaderboards: xp (all-time or weekly) and roi (weekly, practice or live), the top and the
// trader with neighbours. Every board is live: its channel pushes the top 10 after each
// change, and when that top moved the top 50 shown is read again over HTTP. The poll reads
// the trader with neighbours (no channel), and the top too while the socket is down.
import { useEffect, useState } from "preact/hooks";
import { errorText, get } from "../api";
import { subscribe } from "../live";
import { usePoll } from "../poll";
import { useStore } from "../store";
import type { Standing } from "../types";
import { Standings } from "./standings";

const POLL_MS = 10_000;
const NEIGHBOURS = 3;

export function BoardsView() {
  const me = useStore((s) => s.me);
  const [board, setBoard] = useState<"xp" | "roi">("xp");
  const [period, setPeriod] = useState<"all" | "week">("all");
  const [mode, setMode] = useState<"practice" | "live">("practice");
  const [top, setTop] = useState<Standing[]>([]);
  const [around, setAround] = useState<Standing[]>([]);
  const [error, setError] = useState<string | null>(null);
  const effectivePeriod = board === "roi" ? "week" : period; // ROI ranks weekly (docs/progression-rules.md)
  const query = `period=${effectivePeriod}${board === "roi" ? `&mode=${mode}` : ""}`;
  const channel = board === "xp"
    ? (effectivePeriod === "week" ? "leaderboard:xp:week" : "leaderboard:xp")
    : (mode === "live" ? "leaderboard:roi:live" : "leaderboard:roi");
  const live = useStore((s) => s.live);

  const read = (withTop: boolean) => {
    Promise.all([
      withTop && get<{ standings: Standing[] }>(`/leaderboards/${board}?${query}&limit=50`).then((t) => setTop(t.standings)),
      get<{ standings: Standing[] }>(`/leaderboards/${board}/me?${query}&around=${NEIGHBOURS}`).then((a) => setAround(a.standings)),
    ]).then(() => setError(null)).catch((failure) => setError(errorText(failure)));
  };
  usePoll(() => read(!live), POLL_MS, [board, query, live]);
  useEffect(() => {
    let last: string | undefined; // the channel's top as last seen: a repeat changes nothing
    return subscribe(channel, (_kind, data) => {
      const top10 = JSON.stringify(data);
      if (top10 !== last) read(true);
      last = top10;
    });
  }, [channel]);

  return (
    <div class="boards">
      <section class="card" aria-label="Leaderboard">
        <h2>Leaderboards</h2>
        <div class="filters">
          <label>Board <select value={board} onChange={(e) => setBoard((e.target as HTMLSelectElement).value as "xp" | "roi")}>
            <option value="xp">XP</option><option value="roi">ROI</option></select></label>
          <label>Period <select value={effectivePeriod} disabled={board === "roi"} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value as "all" | "week")}>
            <option value="all">All-time</option><option value="week">This week</option></select></label>
          {board === "roi" && (
            <label>Mode <select value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as "practice" | "live")}>
              <option value="practice">Practice</option><option value="live">Live</option></select></label>
          )}
        </div>
        {board === "roi" && <p class="hint">ROI is the week's P&amp;L over the week's starting equity; at least 5 closes in the week to rank.</p>}
        {error && <p class="error" role="alert">{error}</p>}
        <div data-testid="board-top"><Standings rows={top} me={me?.user_id} score={board} label="Top traders" /></div>
      </section>
      <section class="card" aria-label="Your rank">
        <h2>You and your neighbours</h2>
        <div data-testid="board-me"><Standings rows={around} me={me?.user_id} score={board} label="Your rank with neighbours" /></div>
      </section>
    </div>
  );
}
