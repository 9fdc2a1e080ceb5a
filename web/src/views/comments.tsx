// A post's comments, oldest first (one level: a comment answers the post, never a comment),
// with the form to add one. A comment's author or the post's author may delete it.
import { useState } from "preact/hooks";
import { del, errorText, post as send } from "../api";
import { MoreButton, usePages } from "../paging";
import { hrefOf } from "../route";
import { ago, COMMENT_LIMIT, length, type Comment, type Post } from "../social";
import { useStore } from "../store";
import { ReportForm } from "./report";

export function Comments({ post, onCounted }: { post: Post; onCounted: () => void }) {
  const me = useStore((s) => s.me?.user_id);
  const list = usePages<Comment>(`/posts/${encodeURIComponent(post.post_id)}/comments`);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [reporting, setReporting] = useState<string | null>(null);

  async function add(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      const added = await send<Comment>(`/posts/${encodeURIComponent(post.post_id)}/comments`, { text });
      // Appended once every older page is in; otherwise "Load more" brings it in its place.
      if (!list.more) list.setItems((items) => [...items, added]);
      setText("");
      onCounted();
    } catch (failure) {
      setError(errorText(failure));
    }
  }
  async function remove(comment: Comment) {
    setError(null);
    try {
      await del(`/comments/${encodeURIComponent(comment.comment_id)}`);
      list.setItems((items) => items.filter((c) => c.comment_id !== comment.comment_id));
      onCounted();
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <section class="comments" aria-label="Comments">
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && <p class="muted small">No comments yet.</p>}
      <ul class="rows">
        {list.items.map((c) => (
          <li key={c.comment_id} class="comment" data-testid="comment">
            <div class="small">
              <a href={hrefOf("profile", c.author.username)}>{c.author.display_name || c.author.username}</a>{" "}
              <span class="muted">@{c.author.username} · {ago(c.created_at)}</span>
            </div>
            <p class="post-text" data-testid="comment-text">{c.text}</p>
            <div class="right">
              {(c.author.user_id === me || post.author.user_id === me) && (
                <button type="button" class="mini ghost" onClick={() => void remove(c)} aria-label="Delete comment">Delete</button>
              )}
              {c.author.user_id !== me && (
                <button type="button" class="mini ghost" onClick={() => setReporting(c.comment_id)} aria-label="Report comment">Report</button>
              )}
            </div>
            {reporting === c.comment_id && <ReportForm targetType="comment" targetId={c.comment_id} onDone={() => setReporting(null)} />}
          </li>
        ))}
      </ul>
      <MoreButton list={list} label="Older comments" />
      <form class="comment-form" onSubmit={(e) => void add(e)}>
        <label class="sr-only" for={`comment-${post.post_id}`}>Your comment</label>
        <input id={`comment-${post.post_id}`} value={text} placeholder="Write a comment" maxLength={COMMENT_LIMIT * 2}
          onInput={(e) => setText((e.target as HTMLInputElement).value)} aria-describedby={`comment-count-${post.post_id}`} />
        <button type="submit" class="primary" disabled={text.trim() === "" || length(text) > COMMENT_LIMIT}>Comment</button>
      </form>
      <p class="hint" id={`comment-count-${post.post_id}`}>{length(text)}/{COMMENT_LIMIT}</p>
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}
