// Progression: XP toward the next level, streak, unlocked leverage, achievements earned and
// the next ones with progress. XP comes from discipline (docs/progression-rules.md), so nothing here
// cheers trade counts, size or leverage.
import { useStore } from "../store";
import { OwnBadges } from "./badges";

interface Achievement {
  id: string;
  name: string;
  when: string;
  xp: number;
  progress?: (p: { closes: number; streak: number }) => [number, number];
}

const ACHIEVEMENTS: Achievement[] = [
  { id: "FIRST_TRADE", name: "First close", when: "Close your first position", xp: 100, progress: (p) => [p.closes, 1] },
  { id: "RISK_MANAGER", name: "Risk manager", when: "20 closes in a row, each protected by a stop-loss", xp: 400 },
  { id: "WEEK_WARRIOR", name: "Week warrior", when: "A 7-day streak of disciplined closes", xp: 300, progress: (p) => [p.streak, 7] },
  { id: "DIVERSIFIER", name: "Diversifier", when: "Closed positions in 3 different markets", xp: 150 },
  { id: "PROFIT_MASTER", name: "Consistent", when: "70% winners over your last 20 closes (at least 10)", xp: 750 },
  { id: "SURVIVOR", name: "Survivor", when: "30 days since your first trade, no liquidation, 20 closes", xp: 500 },
  { id: "TRADER_NOVICE", name: "Novice", when: "10 closed positions", xp: 250, progress: (p) => [p.closes, 10] },
  { id: "TRADER_EXPERT", name: "Expert", when: "100 closed positions", xp: 500, progress: (p) => [p.closes, 100] },
  { id: "TOURNAMENT_PODIUM", name: "Podium", when: "Top 3 in a finished tournament", xp: 1000 },
];

/** An achievement's name as the screens show it (its id if this client does not know it). */
export const achievementName = (id: string): string => ACHIEVEMENTS.find((a) => a.id === id)?.name ?? id;

export const levelStart = (level: number): number => 100 * (level - 1) ** 2; // level = ⌊√(xp/100)⌋ + 1

export function ProgressView() {
  const p = useStore((s) => s.progression);
  if (!p) return <p class="muted">Loading progression…</p>;
  const from = levelStart(p.level);
  const to = levelStart(p.level + 1);
  const share = Math.round(((p.xp - from) / (to - from)) * 100);
  const nextUnlock = Math.min(10 + 5 * p.level, 100);
  const earned = ACHIEVEMENTS.filter((a) => p.achievements.includes(a.id));
  const next = ACHIEVEMENTS.filter((a) => !p.achievements.includes(a.id));
  return (
    <div class="progress-view">
      <section class="card" aria-label="Level">
        <h2>Level <span data-testid="level">{p.level}</span></h2>
        <div class="xpbar" role="progressbar" aria-label="XP toward the next level" aria-valuemin={from} aria-valuemax={to} aria-valuenow={p.xp}>
          <div class="fill" style={{ width: `${share}%` }} />
        </div>
        <p><strong data-testid="xp">{p.xp} XP</strong> · {to - p.xp} XP to level {p.level + 1}</p>
        <dl class="figures wide">
          <dt>Streak</dt><dd data-testid="streak">{p.streak} {p.streak === 1 ? "day" : "days"}</dd>
          <dt>Unlocked leverage</dt><dd data-testid="unlocked">{p.max_leverage}x</dd>
          {p.max_leverage < 100 && (<><dt>At level {p.level + 1}</dt><dd>{nextUnlock}x</dd></>)}
        </dl>
        <p class="hint">XP rewards discipline: 10 per closed position, +10 if a stop-loss protected it all along, +5 if its risk at the stop was at most 2% of equity, and a daily streak bonus. Trade count, size and leverage earn nothing; liquidations earn nothing.</p>
      </section>
      <section class="card" aria-label="Achievements">
        <h2>Achievements</h2>
        {earned.length === 0 ? <p class="muted">None yet.</p> : (
          <ul class="badges">{earned.map((a) => <li key={a.id} class="badge earned" data-testid={`earned-${a.id}`}><strong>{a.name}</strong><span class="small muted">{a.when} · {a.xp} XP</span></li>)}</ul>
        )}
        <h3>Next</h3>
        <ul class="badges">
          {next.map((a) => {
            const [have, need] = a.progress?.(p) ?? [0, 0];
            return (
              <li key={a.id} class="badge">
                <strong>{a.name}</strong><span class="small muted">{a.when} · {a.xp} XP</span>
                {a.progress && (<progress max={need} value={Math.min(have, need)} aria-label={`${a.name} progress`}>{Math.min(have, need)}/{need}</progress>)}
              </li>
            );
          })}
        </ul>
      </section>
      <OwnBadges />
    </div>
  );
}
