// One's own profile settings: display name, bio, visibility and which automatic items are
// posted; the follow requests waiting (a private profile's).
import { useState } from "preact/hooks";
import { errorText, post as send, put } from "../api";
import { MoreButton, usePages } from "../paging";
import { hrefOf } from "../route";
import { AUTOMATIC_ITEMS, BIO_LIMIT, length, NAME_LIMIT, type FollowRequest, type Profile } from "../social";

interface Said {
  error: boolean;
  text: string;
}

const Outcome = ({ said, testId }: { said: Said | null; testId: string }) =>
  said && <p class={said.error ? "error" : "ok"} role={said.error ? "alert" : "status"} data-testid={testId}>{said.text}</p>;

export function ProfileSettings({ profile, onSaved }: { profile: Profile; onSaved: (profile: Profile) => void }) {
  const [name, setName] = useState(profile.display_name);
  const [bio, setBio] = useState(profile.bio);
  const [visibility, setVisibility] = useState(profile.visibility);
  const [items, setItems] = useState<Record<string, boolean>>(profile.automatic_items ?? {});
  const [said, setSaid] = useState<Said | null>(null);
  async function save(event: Event) {
    event.preventDefault();
    setSaid(null);
    try {
      onSaved(await put<Profile>("/profiles/me", { display_name: name, bio, visibility, automatic_items: items }));
      setSaid({ error: false, text: "Profile saved." });
    } catch (failure) {
      setSaid({ error: true, text: errorText(failure) });
    }
  }
  return (
    <section class="card" aria-label="Edit profile">
      <h2>Edit profile</h2>
      <form class="stack" onSubmit={(e) => void save(e)}>
        <label>Display name ({length(name)}/{NAME_LIMIT})<input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>Bio ({length(bio)}/{BIO_LIMIT})<textarea value={bio} rows={3} onInput={(e) => setBio((e.target as HTMLTextAreaElement).value)} /></label>
        <fieldset class="choices">
          <legend>Who sees your posts</legend>
          <label><input type="radio" name="visibility" checked={visibility === "public"} onChange={() => setVisibility("public")} /> Everyone (public)</label>
          <label><input type="radio" name="visibility" checked={visibility === "private"} onChange={() => setVisibility("private")} /> Followers I approve (private)</label>
        </fieldset>
        <fieldset class="choices">
          <legend>Post automatically when I reach</legend>
          {AUTOMATIC_ITEMS.map((i) => (
            <label key={i.kind}><input type="checkbox" checked={items[i.kind] ?? true} onChange={(e) => setItems({ ...items, [i.kind]: (e.target as HTMLInputElement).checked })} /> {i.label}</label>
          ))}
        </fieldset>
        <p class="hint">Trades, their sizes and liquidations are never posted automatically. Going public approves every request waiting.</p>
        <div class="right"><button type="submit" class="primary">Save profile</button></div>
      </form>
      <Outcome said={said} testId="profile-saved" />
    </section>
  );
}

export function FollowRequests({ onAnswered }: { onAnswered: () => void }) {
  const list = usePages<FollowRequest>("/follow-requests");
  const [error, setError] = useState<string | null>(null);
  if (list.items.length === 0 && !list.error) return null;
  const answer = (request: FollowRequest, verb: "approve" | "decline") => {
    setError(null);
    send(`/follow-requests/${encodeURIComponent(request.request_id)}/${verb}`)
      .then(() => {
        list.setItems((items) => items.filter((r) => r.request_id !== request.request_id));
        onAnswered();
      })
      .catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <section class="card" aria-label="Follow requests">
      <h2>Follow requests</h2>
      {(list.error || error) && <p class="error" role="alert">{list.error ?? error}</p>}
      <ul class="rows">
        {list.items.map((r) => (
          <li key={r.request_id} class="row" data-testid="follow-request">
            <a href={hrefOf("profile", r.username)}>{r.display_name || r.username} <span class="muted">@{r.username}</span></a>
            <span class="right">
              <button type="button" class="mini primary" onClick={() => answer(r, "approve")} aria-label={`Approve ${r.username}`}>Approve</button>
              <button type="button" class="mini" onClick={() => answer(r, "decline")} aria-label={`Decline ${r.username}`}>Decline</button>
            </span>
          </li>
        ))}
      </ul>
      <MoreButton list={list} />
    </section>
  );
}
