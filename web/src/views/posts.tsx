// A feed's posts with "Load more": each card's changes (edited, reacted, deleted, its
// author blocked) land in the list it came from.
import { MoreButton, type Paged } from "../paging";
import type { Post } from "../social";
import { PostCard } from "./post";

export function PostList({ list, empty, label }: { list: Paged<Post>; empty: string; label: string }) {
  const change = (next: Post) => list.setItems((items) => items.map((p) => (p.post_id === next.post_id ? next : p)));
  const remove = (postId: string) => list.setItems((items) => items.filter((p) => p.post_id !== postId));
  const blocked = (username: string) => list.setItems((items) => items.filter((p) => p.author.username !== username));
  return (
    <section class="post-list" aria-label={label} data-testid="post-list">
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.items.length === 0 && !list.loading && !list.error && <p class="muted card">{empty}</p>}
      {list.items.map((p) => <PostCard key={p.post_id} post={p} onChange={change} onRemove={remove} onBlocked={blocked} />)}
      <MoreButton list={list} />
    </section>
  );
}
