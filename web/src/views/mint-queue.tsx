// The badge mint queue (admins; GET /admin/badges/mints): the latest change first, filtered
// by state, each mint's badge, holder, wallet, attempts, transaction hash, the reason its
// last attempt failed and when it is tried again. Reached from the platform dashboard;
// traders get a refusal and the screen asks nothing of the API for them.
import { useState } from "preact/hooks";
import { badgeHref, mintWords, QUEUE_STATUSES, type QueuedMint } from "../badges";
import { MoreButton, usePages } from "../paging";
import { hrefOf } from "../route";
import { useStore } from "../store";

type Filter = (typeof QUEUE_STATUSES)[number] | "all";
const EMPTY: Record<Filter, string> = {
  all: "No mints yet: badges are queued once their holder links a wallet.",
  pending: "Nothing is queued.",
  submitted: "Nothing is being minted.",
  confirmed: "Nothing is on-chain yet.",
  failed: "No mint has failed.",
};

export function MintQueueView() {
  const admin = useStore((s) => s.me?.role === "admin");
  if (!admin) return <p class="card muted" data-testid="mints-refused">The mint queue is for admins.</p>;
  return <MintQueue />;
}

/** A long hex value shown by its ends; the whole of it in the tooltip and on copy. */
const short = (hex: string): string => (hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex);

/** The server's time as it says it, to the minute (the platform's clock may not be this
 * browser's: a manual clock in a demo). */
const utc = (at: string): string => `${at.slice(0, 16).replace("T", " ")} UTC`;

function MintQueue() {
  const [filter, setFilter] = useState<Filter>("all");
  const path = filter === "all" ? "/admin/badges/mints" : `/admin/badges/mints?status=${filter}`;
  const list = usePages<QueuedMint>(path, 50);
  return (
    <div class="mint-queue">
      <h2>Badge mint queue</h2>
      <p class="small muted"><a href="#/admin">Platform dashboard</a> · the latest change first</p>
      <div class="switch" role="group" aria-label="Which mints">
        {(["all", ...QUEUE_STATUSES] as const).map((f) => (
          <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
            {f === "all" ? "All" : mintWords(f)}
          </button>
        ))}
        <button type="button" class="ghost" onClick={list.reload} disabled={list.loading}>Refresh</button>
      </div>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && !list.error && (
        <p class="muted" data-testid="mints-empty">{EMPTY[filter]}</p>
      )}
      {list.items.length > 0 && (
        <section class="card table-wrap">
          <table class="board" data-testid="mints-table">
            <thead>
              <tr><th>Badge</th><th>Holder</th><th>Wallet</th><th>Status</th><th class="right">Attempts</th>
                <th>Transaction</th><th>Failure</th><th>Updated</th></tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr key={m.token_id} data-testid="mint-row" data-token={m.token_id} data-status={m.status}>
                  <td><a href={badgeHref(m.token_id)}>{m.achievement}</a></td>
                  <td>{m.username ? <a href={hrefOf("profile", m.username)}>@{m.username}</a> : <span class="muted">unknown</span>}</td>
                  <td title={m.to}><code data-testid="mint-wallet" data-full={m.to}>{short(m.to)}</code></td>
                  <td><span class={`tag mint-${m.status}`} data-testid="mint-status">{mintWords(m.status)}</span></td>
                  <td class="right" data-testid="mint-attempts">{m.attempts}</td>
                  <td title={m.tx_hash ?? ""}>{m.tx_hash ? <code data-testid="mint-tx" data-full={m.tx_hash}>{short(m.tx_hash)}</code> : <span class="muted">—</span>}</td>
                  <td data-testid="mint-reason">
                    {m.reason ?? <span class="muted">—</span>}
                    {m.status === "failed" && (m.due_at ? <div class="small muted">tried again {utc(m.due_at)}</div>
                      : <div class="small muted">no attempt left</div>)}
                  </td>
                  <td class="small muted" data-testid="mint-updated">{utc(m.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <MoreButton list={list} />
    </div>
  );
}
