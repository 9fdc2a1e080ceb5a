// The moderators' queue (admins): reports oldest first, each with its target's text (as
// text), state and how many open reports it has; a decision resolves every open report of
// the same target: hide, restore, dismiss (unfounded), or suspend its author's social presence.
import { useState } from "preact/hooks";
import { errorText, post as send } from "../api";
import { MoreButton, usePages } from "../paging";
import { hrefOf } from "../route";
import { ago, REASONS, type AdminReport } from "../social";
import { useStore } from "../store";
import { SocialNav } from "./feed";

const ACTIONS = [
  { action: "hide", label: "Hide" },
  { action: "restore", label: "Restore" },
  { action: "dismiss", label: "Dismiss" },
  { action: "suspend", label: "Suspend author" },
] as const;

export function ModerationView() {
  const admin = useStore((s) => s.me?.role === "admin");
  const [status, setStatus] = useState<"open" | "resolved">("open");
  const list = usePages<AdminReport>(admin ? `/admin/reports?status=${status}` : null);
  const [error, setError] = useState<string | null>(null);
  if (!admin) return <p class="card muted">The moderation queue is for moderators.</p>;
  const decide = (report: AdminReport, action: string) => {
    setError(null);
    send(`/admin/reports/${encodeURIComponent(report.report_id)}/resolve`, { action })
      .then(list.reload)
      .catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <div class="social moderation">
      <SocialNav current="moderation" />
      <section class="card" aria-label="Moderation queue">
        <h2>Moderation queue</h2>
        <div class="switch" role="group" aria-label="Which reports">
          <button type="button" aria-pressed={status === "open"} onClick={() => setStatus("open")}>Open</button>
          <button type="button" aria-pressed={status === "resolved"} onClick={() => setStatus("resolved")}>Resolved</button>
        </div>
        {(list.error || error) && <p class="error" role="alert">{list.error ?? error}</p>}
        {list.items.length === 0 && !list.loading && <p class="muted">No {status} reports.</p>}
        <ul class="rows">
          {list.items.map((r) => (
            <li key={r.report_id} class="report-item" data-testid="report">
              <div class="small muted">
                {r.target_type} by <a href={hrefOf("profile", r.owner)}>@{r.owner}</a> · reported by @{r.reporter} {ago(r.created_at)} ·{" "}
                {REASONS.find((x) => x.reason === r.reason)?.label ?? r.reason} · {r.open_reports} open {r.open_reports === 1 ? "report" : "reports"} · <span class="tag" data-testid="target-state">{r.target_state}</span>
              </div>
              <p class="post-text quoted" data-testid="report-text">{r.target_text || "(no text)"}</p>
              {r.status === "open" ? (
                <div class="right wrap">
                  {ACTIONS.map((a) => (
                    <button key={a.action} type="button" class="mini" onClick={() => decide(r, a.action)}>{a.label}</button>
                  ))}
                </div>
              ) : <p class="small muted">Resolved: {r.resolution}</p>}
            </li>
          ))}
        </ul>
        <MoreButton list={list} />
      </section>
    </div>
  );
}
