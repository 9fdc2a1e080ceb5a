// Write a post: plain text (at most 500 characters; `$BTC` tags the market) and, if the
// trader wants, one of their own closed positions as a trade share. The server builds the
// share from its own record of the position: the client sends only its id.
import { useState } from "preact/hooks";
import { errorText, post as send } from "../api";
import { MoreButton, usePages } from "../paging";
import { ago, length, POST_LIMIT, type Post, type Shareable } from "../social";
import { ShareCard, roiText } from "./share";

export function Composer({ onPosted }: { onPosted: (post: Post) => void }) {
  const [text, setText] = useState("");
  const [share, setShare] = useState<Shareable | null>(null);
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const count = length(text);
  const ready = (text.trim() !== "" || share !== null) && count <= POST_LIMIT;

  async function publish(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = share ? { text, trade_share: { position_id: share.trade_share.position_id } } : { text };
      onPosted(await send<Post>("/posts", body));
      setText("");
      setShare(null);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card composer stack" onSubmit={(e) => void publish(e)} aria-label="New post">
      <label>Share an idea or a trade
        <textarea value={text} rows={3} placeholder="What are you watching? Tag a market with $BTC"
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </label>
      <p class={count > POST_LIMIT ? "error small" : "hint"} data-testid="composer-count">{count}/{POST_LIMIT}</p>
      {share && (
        <div class="attached">
          <ShareCard share={share.trade_share} />
          <button type="button" class="ghost mini" onClick={() => setShare(null)}>Remove trade</button>
        </div>
      )}
      {picking && <Picker onPick={(chosen) => { setShare(chosen); setPicking(false); }} onClose={() => setPicking(false)} />}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="right">
        {!share && !picking && <button type="button" class="ghost" onClick={() => setPicking(true)}>Attach a closed trade</button>}
        <button type="submit" class="primary" disabled={busy || !ready}>Post</button>
      </div>
    </form>
  );
}

/** The trader's closed positions, newest first, to attach one. */
function Picker({ onPick, onClose }: { onPick: (share: Shareable) => void; onClose: () => void }) {
  const list = usePages<Shareable>("/profiles/me/closed-positions", 10);
  return (
    <fieldset class="picker" aria-label="Your closed trades">
      <legend>Your closed trades</legend>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && <p class="muted small">No closed trades yet: close a position, then share it here.</p>}
      <ul class="rows">
        {list.items.map((s) => (
          <li key={s.trade_share.position_id}>
            <button type="button" class="pick" onClick={() => onPick(s)} data-testid="closed-trade">
              {s.trade_share.market} {s.trade_share.side} · {roiText(s.trade_share.roi_pct)} · closed {ago(s.closed_at)}
            </button>
          </li>
        ))}
      </ul>
      <div class="right">
        <MoreButton list={list} label="Older trades" />
        <button type="button" class="ghost mini" onClick={list.reload}>Refresh</button>
        <button type="button" class="ghost mini" onClick={onClose}>Cancel</button>
      </div>
    </fieldset>
  );
}
