// Followers or following of a profile, page by page; on one's own followers, "Remove".
// And on one's own profile the traders one has blocked, each with "Unblock" (a blocked
// trader's profile is not found by the one who blocked them either: this is where they are).
import { useState } from "preact/hooks";
import { del, errorText } from "../api";
import { MoreButton, usePages } from "../paging";
import { hrefOf } from "../route";
import { userPath, type BlockedPerson, type Person } from "../social";

interface Props {
  username: string;
  which: "followers" | "following";
  own: boolean;
  onRemoved: () => void;
}

export function People({ username, which, own, onRemoved }: Props) {
  const list = usePages<Person>(`${userPath(username)}/${which}`);
  const [error, setError] = useState<string | null>(null);
  const remove = (person: Person) => {
    setError(null);
    del(`/followers/${encodeURIComponent(person.username)}`)
      .then(() => {
        list.setItems((items) => items.filter((p) => p.user_id !== person.user_id));
        onRemoved();
      })
      .catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <section class="people" aria-label={which === "followers" ? "Followers" : "Following"} data-testid={`people-${which}`}>
      <h3>{which === "followers" ? "Followers" : "Following"}</h3>
      {(list.error || error) && <p class="error" role="alert">{list.error ?? error}</p>}
      {list.items.length === 0 && !list.loading && <p class="muted small">No one yet.</p>}
      <ul class="rows">
        {list.items.map((p) => (
          <li key={p.user_id} class="row" data-testid="person">
            <a href={hrefOf("profile", p.username)}>{p.display_name || p.username} <span class="muted">@{p.username}</span></a>
            {own && which === "followers" && (
              <button type="button" class="mini ghost" onClick={() => remove(p)} aria-label={`Remove follower ${p.username}`}>Remove</button>
            )}
          </li>
        ))}
      </ul>
      <MoreButton list={list} />
    </section>
  );
}

export function Blocked() {
  const list = usePages<BlockedPerson>("/profiles/me/blocks");
  const [error, setError] = useState<string | null>(null);
  const unblock = (person: BlockedPerson) => {
    setError(null);
    del(`${userPath(person.username)}/block`)
      .then(() => list.setItems((items) => items.filter((p) => p.user_id !== person.user_id)))
      .catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <section class="card people" aria-label="Blocked" data-testid="people-blocked">
      <h2>Blocked</h2>
      {(list.error || error) && <p class="error" role="alert">{list.error ?? error}</p>}
      {list.items.length === 0 && !list.loading && <p class="muted small">You have blocked no one.</p>}
      <ul class="rows">
        {list.items.map((p) => (
          <li key={p.user_id} class="row" data-testid="blocked-person">
            <span>{p.display_name || p.username} <span class="muted">@{p.username}</span></span>
            <button type="button" class="mini ghost" onClick={() => unblock(p)} aria-label={`Unblock ${p.username}`}>Unblock</button>
          </li>
        ))}
      </ul>
      {list.items.length > 0 && <p class="hint">Unblocking brings no follow back.</p>}
      <MoreButton list={list} />
    </section>
  );
}
