// A ranked table; the signed-in trader's row is marked, each trader's name leads to their
// profile.
import { amount, percent } from "../format";
import { hrefOf } from "../route";
import type { Standing } from "../types";

export function Standings({ rows, me, score, label }: { rows: Standing[]; me?: string; score: "xp" | "roi"; label: string }) {
  if (rows.length === 0) return <p class="muted">No one ranks here yet.</p>;
  return (
    <table class="board" aria-label={label}>
      <thead><tr><th scope="col">#</th><th scope="col">Trader</th><th scope="col" class="right">{score === "xp" ? "XP" : "ROI"}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.user_id} class={r.user_id === me ? "me" : undefined} aria-current={r.user_id === me ? "true" : undefined}>
            <td>{r.rank}</td>
            <td><a href={hrefOf("profile", r.username)}>{r.username}</a>{r.user_id === me ? " (you)" : ""}</td>
            <td class="right">{score === "xp" ? amount(r.score, 0) : percent(r.score)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
