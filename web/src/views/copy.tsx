// A copy's page (#/copies/<id>): its status and money (allocation, stop-loss equity, the
// copy account's equity live), its open positions, its decisions with their reasons, and
// "Stop copy". Live over the `copy:<id>` channel: its snapshot (the copy and its latest
// decisions, again after each reconnect), each new decision, and the copy account's
// figures and positions as they change; while the socket is down, or the channel is not
// served, the copy and its decisions are read again now and then.
import { useEffect, useState } from "preact/hooks";
import { ApiError, del, errorText, get } from "../api";
import { STOP_REASONS, copyPath, percentOf, type CopyAccount, type CopyDetail, type CopyPosition, type Decision } from "../copying";
import { price, signedUsd, size, usd } from "../format";
import { subscribe } from "../live";
import { usePages, type Paged } from "../paging";
import { hrefOf } from "../route";
import { useStore } from "../store";
import { Decisions } from "./decisions";

const POLL_MS = 10_000;
// Decisions after which the copy itself (status, funded, share paid, returned) is read again.
const CHANGES_COPY = new Set(["funded", "stopping", "profit_share", "closed_copy", "refused"]);

interface Snapshot {
  copy?: CopyDetail;
  decisions?: { items: Decision[]; next_cursor: string | null };
}

export function CopyPage({ id }: { id: string }) {
  const [copy, setCopy] = useState<CopyDetail | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const decisions = usePages<Decision>(`${copyPath(id)}/decisions`);
  const live = useStore((s) => s.live);
  const read = () => {
    get<CopyDetail>(copyPath(id))
      .then((c) => { setCopy(c); setMissing(null); })
      .catch((failure: unknown) => setMissing(failure instanceof ApiError && failure.status === 404 ? "No such copy of yours." : errorText(failure)));
  };
  const served = useLiveCopy(id, decisions, setCopy, read);
  useEffect(() => { read(); }, [id]);
  // Read again now and then only while the channel is not delivering.
  useEffect(() => {
    if (live && served) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== "visible") return;
      read();
      decisions.reload();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [id, live, served]);
  if (missing) return <p class="card error" role="alert" data-testid="copy-missing">{missing} <a href={hrefOf("copies")}>My copies</a></p>;
  if (!copy) return <p class="muted">Loading the copy…</p>;
  return (
    <>
      <CopySummary copy={copy} onStopped={setCopy} live={live && served} />
      <CopyPositions positions={copy.account?.positions ?? []} />
      <Decisions list={decisions} />
    </>
  );
}

/** The `copy:<id>` channel: its snapshot sets the copy and the decisions' first page (kept
 * with what was shown); pushed decisions go on top (a change of the copy's own state reads
 * it again); equity messages are the copy account now. True once the subscription was
 * answered (a hub that does not serve the channel refuses it). */
function useLiveCopy(
  id: string,
  decisions: Paged<Decision>,
  setCopy: (change: (c: CopyDetail | null) => CopyDetail | null) => void,
  read: () => void,
): boolean {
  const [served, setServed] = useState(false);
  useEffect(() => {
    setServed(false);
    return subscribe(`copy:${id}`, (kind, data) => {
      if (kind === "snapshot") {
        const snapshot = data as Snapshot | null;
        setServed(true);
        if (snapshot?.copy) { const fresh = snapshot.copy; setCopy(() => fresh); }
        const page = snapshot?.decisions?.items;
        if (page) decisions.setItems((items) => [...page, ...items.filter((d) => !page.some((p) => p.id === d.id))]);
        return;
      }
      const message = data as ({ type?: string; decision?: Decision } & Partial<CopyAccount>) | null;
      if (message?.type === "decision" && message.decision) {
        const decision = message.decision;
        decisions.setItems((items) => [decision, ...items.filter((d) => d.id !== decision.id)]);
        if (CHANGES_COPY.has(decision.kind)) read();
      } else if (message?.type === "equity" && message.equity) {
        const { equity, collateral, available, positions } = message;
        setCopy((c) => c && {
          ...c,
          account: {
            equity,
            collateral: collateral ?? c.account?.collateral ?? "0",
            available: available ?? c.account?.available ?? "0",
            positions: positions ?? c.account?.positions ?? [],
          },
        });
      }
    });
  }, [id]);
  return served;
}

function CopySummary({ copy, onStopped, live }: { copy: CopyDetail; onStopped: (copy: CopyDetail) => void; live: boolean }) {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = () => {
    setError(null);
    del<CopyDetail>(copyPath(copy.id))
      .then((c) => { setConfirm(false); onStopped({ ...copy, ...c, account: c.account ?? copy.account }); })
      .catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <section class="card" aria-label="Copy" data-testid="copy-page">
      <h2>Copy of <a href={hrefOf("leaders", copy.leader.username)}>@{copy.leader.username}</a> <span class="tag" data-testid="copy-status">{copy.status}</span>{live && <span class="tag" data-testid="copy-live" title="Decisions and equity arrive as they happen">live</span>}</h2>
      {copy.stop_reason && <p class="muted small">Stopping because {STOP_REASONS[copy.stop_reason] ?? copy.stop_reason}.</p>}
      {!copy.funded && copy.status === "active" && <p class="muted small">Funding the copy account…</p>}
      <dl class="figures wide">
        <dt>Allocation</dt><dd data-testid="copy-allocation">{usd(copy.allocation)}</dd>
        <dt>Equity</dt><dd data-testid="copy-equity">{usd(copy.account?.equity)}</dd>
        <dt>Available</dt><dd>{usd(copy.account?.available)}</dd>
        <dt>Stops at equity</dt><dd>{usd(copy.stop_equity)} (max loss {percentOf(copy.max_loss)}%)</dd>
        <dt>Leader's share</dt><dd>{percentOf(copy.profit_share)}% of new profit</dd>
        <dt>Share paid</dt><dd>{usd(copy.profit_share_paid)}</dd>
        {copy.returned !== null && <><dt>Returned</dt><dd data-testid="copy-returned">{usd(copy.returned)}</dd></>}
      </dl>
      {copy.status === "active" && !confirm && <button type="button" onClick={() => setConfirm(true)}>Stop copy</button>}
      {confirm && (
        <p class="confirm-row">Stop this copy? Its positions are closed at market and what is left returns to your practice account.
          <button type="button" class="mini" onClick={stop}>Stop copy now</button>
          <button type="button" class="mini ghost" onClick={() => setConfirm(false)}>Cancel</button>
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}

function CopyPositions({ positions }: { positions: CopyPosition[] }) {
  const markets = useStore((s) => s.markets);
  return (
    <section class="card" aria-label="Copy positions" data-testid="copy-positions">
      <h2>Positions</h2>
      {positions.length === 0 ? <p class="muted small">No open position.</p> : (
        <ul class="rows">
          {positions.map((p) => {
            const m = markets.find((x) => x.market === p.market);
            return (
              <li key={p.market} class="row" data-testid="copy-position">
                <span>{p.market} <span class={`tag ${p.side}`}>{p.side}</span></span>
                <span data-testid="copy-position-size">{size(p.size, m?.step_size)}{p.entry_price && ` at ${price(p.entry_price, m?.tick_size)}`}</span>
                {p.mark_price && <span class="muted small">mark {price(p.mark_price, m?.tick_size)}</span>}
                {p.unrealized_pnl && <span>{signedUsd(p.unrealized_pnl)}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
