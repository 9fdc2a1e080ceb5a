// A copy's history (GET /copies/{id}/decisions): every decision taken for the leader's fills
// and for the copy itself, newest first, each with its reason; new ones arrive live.
import type { Paged } from "../paging";
import { MoreButton } from "../paging";
import { DECISIONS, type Decision } from "../copying";
import { amount } from "../format";
import { ago } from "../social";

export function Decisions({ list }: { list: Paged<Decision> }) {
  return (
    <section class="card" aria-label="Decisions" data-testid="copy-decisions">
      <h2>Decisions</h2>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && !list.error && <p class="muted small">No decision yet: the leader has not traded since the copy started.</p>}
      <ol class="rows">{list.items.map((d) => <DecisionRow key={d.id} decision={d} />)}</ol>
      <MoreButton list={list} />
    </section>
  );
}

function DecisionRow({ decision: d }: { decision: Decision }) {
  const order = [d.action, d.side, d.size && `${amount(d.size, 8).replace(/\.?0+$/, "")}`, d.market, d.leverage && `${d.leverage}x`].filter(Boolean).join(" ");
  return (
    <li class="report-item" data-testid="decision" data-kind={d.kind}>
      <div class="post-head">
        <strong class={d.kind === "skipped" || d.kind === "refused" ? "tag stop" : "tag"}>{DECISIONS[d.kind] ?? d.kind}</strong>
        <span class="muted small">{ago(d.at)}</span>
      </div>
      {order && <span>{order}</span>}
      {d.reason && <span data-testid="decision-reason">Why: {d.reason.replace(/_/g, " ")}</span>}
      {d.detail && <span class="muted small">{d.detail}</span>}
      {d.leader_fill?.price && <span class="muted small">The leader filled at {amount(d.leader_fill.price)}</span>}
    </li>
  );
}
