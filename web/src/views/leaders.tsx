// The leader directory (#/leaders): the traders leading now, best first by the sort chosen
// (one button a documented sort), a page at a time (keyset cursor: "Load more"), each row
// with its statistics and a small 30-day growth chart. #/leaders/<name> is a leader's page.
import { useState } from "preact/hooks";
import { SORTS, type Leader, type Sort } from "../copying";
import { MoreButton, usePages } from "../paging";
import { hrefOf, useRoute } from "../route";
import { SocialNav } from "./feed";
import { EquityChart } from "./equity-chart";
import { LeaderFigures } from "./leader-stats";
import { LeaderPage } from "./leader";

const PAGE = 10; // leaders a page, each with its chart

export function LeadersView() {
  const [, username] = useRoute();
  return (
    <div class="social">
      <SocialNav current={username ? "other" : "leaders"} />
      {username ? <LeaderPage username={username} /> : <Directory />}
    </div>
  );
}

function Directory() {
  const [sort, setSort] = useState<Sort>("roi_30d");
  const list = usePages<Leader>(`/leaders?sort=${sort}`, PAGE);
  return (
    <section class="card leaders" aria-label="Leaders" data-testid="leader-directory">
      <h2>Leaders to copy</h2>
      <p class="hint">Traders who lead from their practice account: their results over 30, 7 and 90 days, never their balances.</p>
      <div class="post-actions" role="group" aria-label="Sort leaders by">
        {SORTS.map((s) => (
          <button key={s.sort} type="button" class="mini" aria-pressed={s.sort === sort} onClick={() => setSort(s.sort)}>{s.label}</button>
        ))}
      </div>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && !list.error && <p class="muted small">Nobody leads yet.</p>}
      <ol class="rows" data-testid="leader-rows">
        {list.items.map((leader) => <LeaderRow key={leader.user_id} leader={leader} />)}
      </ol>
      <MoreButton list={list} label="More leaders" />
    </section>
  );
}

function LeaderRow({ leader }: { leader: Leader }) {
  return (
    <li class="report-item" data-testid="leader-row" data-username={leader.username}>
      <a href={hrefOf("leaders", leader.username)} class="author"><strong>@{leader.username}</strong></a>
      <EquityChart username={leader.username} days={30} compact />
      <LeaderFigures leader={leader} />
    </li>
  );
}
