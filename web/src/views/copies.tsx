// "My copies" (#/copies): the trader's copies, newest first, filtered by status, a page at a
// time; each opens its page (#/copies/<id>).
import { useState } from "preact/hooks";
import { STOP_REASONS, type Copy } from "../copying";
import { usd } from "../format";
import { MoreButton, usePages } from "../paging";
import { hrefOf, useRoute } from "../route";
import { ago } from "../social";
import { CopyPage } from "./copy";
import { SocialNav } from "./feed";

const STATUSES = [
  { status: "", label: "All" },
  { status: "active", label: "Active" },
  { status: "stopping", label: "Stopping" },
  { status: "closed", label: "Closed" },
] as const;

export function CopiesView() {
  const [, id] = useRoute();
  return (
    <div class="social">
      <SocialNav current={id ? "other" : "copies"} />
      {id ? <CopyPage id={id} /> : <MyCopies />}
    </div>
  );
}

function MyCopies() {
  const [status, setStatus] = useState("");
  const list = usePages<Copy>(status ? `/copies?status=${status}` : "/copies");
  return (
    <section class="card" aria-label="My copies" data-testid="my-copies">
      <h2>My copies</h2>
      <div class="post-actions" role="group" aria-label="Show copies">
        {STATUSES.map((s) => (
          <button key={s.status} type="button" class="mini" aria-pressed={s.status === status} onClick={() => setStatus(s.status)}>{s.label}</button>
        ))}
      </div>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && !list.error && (
        <p class="muted small">No copies{status ? ` ${status}` : ""} yet: <a href={hrefOf("leaders")}>find a leader to copy</a>.</p>
      )}
      <ul class="rows">{list.items.map((copy) => <CopyRow key={copy.id} copy={copy} />)}</ul>
      <MoreButton list={list} />
    </section>
  );
}

function CopyRow({ copy }: { copy: Copy }) {
  return (
    <li class="row" data-testid="copy-row">
      <a href={hrefOf("copies", copy.id)}>Copy of @{copy.leader.username}</a>
      <span class="muted small">{usd(copy.allocation)} · started {ago(copy.started_at)}</span>
      <span class="tag" data-testid="copy-status">{copy.status}</span>
      {copy.stop_reason && <span class="muted small">{STOP_REASONS[copy.stop_reason] ?? copy.stop_reason}</span>}
    </li>
  );
}
