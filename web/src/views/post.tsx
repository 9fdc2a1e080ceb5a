// One post of a feed: its author, text (always a text node: markup stays characters), market
// tags, trade share, reactions and comments; its author may edit it within 15 minutes and
// delete it, anyone else report it or block its author.
import { useState } from "preact/hooks";
import { del, errorText, get, post as send, request } from "../api";
import { hrefOf } from "../route";
import { ago, length, POST_LIMIT, REACTIONS, userPath, type Post } from "../social";
import { useStore } from "../store";
import { Comments } from "./comments";
import { ReportForm } from "./report";
import { ShareCard } from "./share";

export interface PostActions {
  onChange: (post: Post) => void;
  onRemove: (postId: string) => void;
  onBlocked: (username: string) => void;
}

const KIND_LABELS: Record<string, string> = { achievement: "Achievement", level: "Level up", podium: "Podium", leading: "Leading" };

export function PostCard({ post, onChange, onRemove, onBlocked }: { post: Post } & PostActions) {
  const me = useStore((s) => s.me?.user_id);
  const mine = post.author.user_id === me;
  const [open, setOpen] = useState<"none" | "comments">("none");
  const [error, setError] = useState<string | null>(null);
  const reread = () => get<Post>(`/posts/${encodeURIComponent(post.post_id)}`).then(onChange);
  const attempt = (task: () => Promise<unknown>) => {
    setError(null);
    task().catch((failure: unknown) => setError(errorText(failure)));
  };
  const react = (kind: string) => attempt(async () => {
    const path = `/posts/${encodeURIComponent(post.post_id)}/reaction`;
    await (post.my_reaction === kind ? del(path) : request("PUT", path, { kind }));
    await reread();
  });

  return (
    <article class="post card" data-testid="post" data-post-id={post.post_id} aria-label={`Post by ${post.author.username}`}>
      <header class="post-head">
        <a href={hrefOf("profile", post.author.username)} class="author">
          <strong>{post.author.display_name || post.author.username}</strong> <span class="muted">@{post.author.username}</span>
        </a>
        <span class="muted small">
          {KIND_LABELS[post.kind] && <span class="tag">{KIND_LABELS[post.kind]}</span>} {ago(post.created_at)}{post.edited_at ? " · edited" : ""}
        </span>
      </header>
      {mine && post.moderation !== "visible" && (
        <p class="warn small" role="status">{post.moderation === "pending" ? "Hidden while moderators review reports: only you see it." : "Hidden by moderators: only you see it."}</p>
      )}
      <Body post={post} mine={mine} onChange={onChange} />
      {post.trade_share && <ShareCard share={post.trade_share} />}
      {post.markets.length > 0 && (
        <p class="post-markets">{post.markets.map((m) => <a key={m} class="tag" href={hrefOf("feed", "market", m)} aria-label={`${m} feed`}>{m}</a>)}</p>
      )}
      <div class="post-actions">
        {REACTIONS.map((r) => (
          <button key={r.kind} type="button" class="mini reaction" aria-pressed={post.my_reaction === r.kind}
            onClick={() => react(r.kind)} data-testid={`reaction-${r.kind}`}>
            {r.label} <span class="count">{post.reactions[r.kind] ?? 0}</span>
          </button>
        ))}
        <button type="button" class="mini ghost" aria-expanded={open === "comments"} onClick={() => setOpen(open === "comments" ? "none" : "comments")}
          data-testid="comments-toggle">Comments ({post.comments})</button>
        <More post={post} mine={mine} onRemove={onRemove} onBlocked={onBlocked} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {open === "comments" && <Comments post={post} onCounted={() => void reread().catch(() => undefined)} />}
    </article>
  );
}

/** The text, or its editor while the author edits it (within the window the API gives). */
function Body({ post, mine, onChange }: { post: Post; mine: boolean; onChange: (post: Post) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const editable = mine && post.kind === "post" && post.editable_until !== null && Date.now() < Date.parse(post.editable_until);
  async function save(event: Event) {
    event.preventDefault();
    try {
      onChange(await request<Post>("PATCH", `/posts/${encodeURIComponent(post.post_id)}`, { text: draft }));
      setDraft(null);
      setError(null);
    } catch (failure) {
      setError(errorText(failure));
    }
  }
  if (draft === null) {
    return (
      <>
        {post.text && <p class="post-text" data-testid="post-text">{post.text}</p>}
        {editable && <button type="button" class="ghost mini" onClick={() => setDraft(post.text)}>Edit</button>}
      </>
    );
  }
  return (
    <form class="stack" onSubmit={(e) => void save(e)}>
      <label>Edit your post ({length(draft)}/{POST_LIMIT})
        <textarea value={draft} rows={3} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="right">
        <button type="button" class="ghost" onClick={() => setDraft(null)}>Cancel</button>
        <button type="submit" class="primary">Save</button>
      </div>
    </form>
  );
}

/** Delete (the author's), report and block (anyone else's), behind one button. */
function More({ post, mine, onRemove, onBlocked }: { post: Post; mine: boolean } & Omit<PostActions, "onChange">) {
  const [shown, setShown] = useState<"none" | "menu" | "delete" | "report" | "block">("none");
  const [error, setError] = useState<string | null>(null);
  const who = post.author.username;
  const attempt = (task: () => Promise<unknown>) => {
    setError(null);
    task().catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <>
      <button type="button" class="mini ghost" aria-label="More actions" aria-expanded={shown !== "none"} onClick={() => setShown(shown === "none" ? "menu" : "none")}>⋯</button>
      {shown !== "none" && (
        <div class="post-more">
          {shown === "menu" && (mine ? (
            <button type="button" class="mini" onClick={() => setShown("delete")}>Delete</button>
          ) : (
            <>
              <button type="button" class="mini" onClick={() => setShown("report")}>Report</button>
              <button type="button" class="mini" onClick={() => setShown("block")}>Block @{who}</button>
            </>
          ))}
          {shown === "delete" && (
            <p class="confirm-row">Delete this post for everyone?
              <button type="button" class="mini" onClick={() => attempt(async () => { await del(`/posts/${encodeURIComponent(post.post_id)}`); onRemove(post.post_id); })}>Delete</button>
              <button type="button" class="mini ghost" onClick={() => setShown("none")}>Keep</button>
            </p>
          )}
          {shown === "block" && (
            <p class="confirm-row">Block @{who}? You stop following each other and neither sees the other.
              <button type="button" class="mini" onClick={() => attempt(async () => { await send(`${userPath(who)}/block`); onBlocked(who); })}>Block</button>
              <button type="button" class="mini ghost" onClick={() => setShown("none")}>Cancel</button>
            </p>
          )}
          {shown === "report" && <ReportForm targetType="post" targetId={post.post_id} onDone={() => setShown("none")} />}
          {error && <p class="error" role="alert">{error}</p>}
        </div>
      )}
    </>
  );
}
