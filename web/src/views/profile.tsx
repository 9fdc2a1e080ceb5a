// A trader's profile, one's own or another's: name, bio, level, XP rank, achievements,
// follower counts with their lists, and their posts as the caller may see them. Never a
// balance or a dollar figure: the API has none to give. Another's profile has the follow
// button (a request for a private one), block and report; one's own its settings and the
// traders one has blocked.
import { useEffect, useState } from "preact/hooks";
import { ApiError, del, errorText, get, post as send } from "../api";
import { usePages } from "../paging";
import { useRoute } from "../route";
import { userPath, type Post, type Profile } from "../social";
import { useStore } from "../store";
import { SocialNav } from "./feed";
import { Blocked, People } from "./people";
import { PostList } from "./posts";
import { achievementName } from "./progress";
import { UserBadges } from "./badges";
import { FollowRequests, ProfileSettings } from "./profile-settings";
import { ReportForm } from "./report";

export function ProfileView() {
  const [, named] = useRoute();
  const me = useStore((s) => s.me);
  const own = !named || named === me?.username;
  const username = own ? me?.username ?? "" : named;
  const [profile, setProfile] = useState<Profile | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [blocked, setBlocked] = useState(false); // blocked from this screen: offer the way back
  const read = () => {
    setMissing(null);
    get<Profile>(own ? "/profiles/me" : userPath(username))
      .then(setProfile)
      .catch((failure: unknown) => {
        setProfile(null);
        setMissing(failure instanceof ApiError && failure.status === 404 && !own
          ? `No trader @${username} to show: the name may be wrong, or one of you blocked the other.`
          : errorText(failure));
      });
  };
  useEffect(() => {
    setProfile(null);
    setBlocked(false);
    read();
  }, [username, own]);

  return (
    <div class="social profile-view">
      <SocialNav current={own ? "profile" : "other"} />
      {missing && (
        <p class="card error" role="alert" data-testid="profile-missing">{missing}{" "}
          <button type="button" class="mini" onClick={read}>Try again</button></p>
      )}
      {blocked && <Unblock username={username} onDone={() => { setBlocked(false); read(); }} />}
      {!profile && !missing && !blocked && <p class="muted">Loading the profile…</p>}
      {profile && (
        <>
          <ProfileCard profile={profile} own={own} onChanged={read} onBlocked={() => { setBlocked(true); setProfile(null); }} />
          {own && <ProfileSettings profile={profile} onSaved={setProfile} />}
          {own && <FollowRequests onAnswered={read} />}
          {own && <Blocked />}
          <ProfilePosts profile={profile} />
        </>
      )}
    </div>
  );
}

function ProfileCard({ profile, own, onChanged, onBlocked }: { profile: Profile; own: boolean; onChanged: () => void; onBlocked: () => void }) {
  const [people, setPeople] = useState<"followers" | "following" | null>(null);
  const name = profile.display_name || profile.username;
  return (
    <section class="card profile" aria-label="Profile" data-testid="profile">
      <h2><span data-testid="profile-name">{name}</span> <span class="muted small">@{profile.username}</span>
        {profile.visibility === "private" && <span class="tag"> private</span>}</h2>
      {own && profile.suspended && <p class="warn" role="status">Your social presence is suspended by moderators: others do not see your profile or posts.</p>}
      {own && !profile.suspended && profile.moderation && profile.moderation !== "visible" && (
        <p class="warn" role="status">Your profile is hidden from others while moderators review it.</p>
      )}
      {profile.bio && <p class="post-text" data-testid="profile-bio">{profile.bio}</p>}
      <dl class="figures wide">
        <dt>Level</dt><dd data-testid="profile-level">{profile.level}</dd>
        <dt>XP rank</dt><dd data-testid="profile-rank">{profile.xp_rank === null ? "Unranked yet" : `#${profile.xp_rank}`}</dd>
      </dl>
      <div class="follow-counts">
        <button type="button" class="ghost mini" aria-expanded={people === "followers"} onClick={() => setPeople(people === "followers" ? null : "followers")}
          data-testid="followers-count">{profile.followers} {profile.followers === 1 ? "follower" : "followers"}</button>
        <button type="button" class="ghost mini" aria-expanded={people === "following"} onClick={() => setPeople(people === "following" ? null : "following")}
          data-testid="following-count">{profile.following} following</button>
        {profile.relationship?.follows_you && <span class="tag">follows you</span>}
      </div>
      <h3>Achievements</h3>
      {profile.achievements.length === 0 ? <p class="muted small">None yet.</p> : (
        <ul class="chips">{profile.achievements.map((a) => <li key={a} class="tag">{achievementName(a)}</li>)}</ul>
      )}
      <UserBadges username={profile.username} />
      {!own && <Relations profile={profile} onChanged={onChanged} onBlocked={onBlocked} />}
      {people && (profile.posts_visible || own
        ? <People username={profile.username} which={people} own={own} onRemoved={onChanged} />
        : <p class="muted small">Only approved followers see who follows this private profile.</p>)}
    </section>
  );
}

/** Follow, unfollow or withdraw a request; block; report. */
function Relations({ profile, onChanged, onBlocked }: { profile: Profile; onChanged: () => void; onBlocked: () => void }) {
  const [shown, setShown] = useState<"none" | "block" | "report">("none");
  const [error, setError] = useState<string | null>(null);
  const path = userPath(profile.username);
  const following = profile.relationship?.following ?? "none";
  const attempt = (task: () => Promise<unknown>, then: () => void) => {
    setError(null);
    task().then(then).catch((failure: unknown) => setError(errorText(failure)));
  };
  return (
    <div class="relations">
      <div class="right">
        {following === "none" && (
          <button type="button" class="primary" onClick={() => attempt(() => send(`${path}/follow`), onChanged)}>
            {profile.visibility === "private" ? "Request to follow" : "Follow"}
          </button>
        )}
        {following === "requested" && (
          <><span class="muted small" data-testid="follow-state">Request sent</span>
            <button type="button" onClick={() => attempt(() => del(`${path}/follow`), onChanged)}>Withdraw request</button></>
        )}
        {following === "active" && (
          <><span class="muted small" data-testid="follow-state">Following</span>
            <button type="button" onClick={() => attempt(() => del(`${path}/follow`), onChanged)}>Unfollow</button></>
        )}
        <button type="button" class="ghost" onClick={() => setShown(shown === "block" ? "none" : "block")}>Block</button>
        <button type="button" class="ghost" onClick={() => setShown(shown === "report" ? "none" : "report")}>Report</button>
      </div>
      {shown === "block" && (
        <p class="confirm-row">Block @{profile.username}? Follows between you end both ways, and neither of you sees the other.
          <button type="button" class="mini" onClick={() => attempt(() => send(`${path}/block`), onBlocked)}>Block</button>
          <button type="button" class="mini ghost" onClick={() => setShown("none")}>Cancel</button>
        </p>
      )}
      {shown === "report" && <ReportForm targetType="profile" targetId={profile.user_id} onDone={() => setShown("none")} />}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function Unblock({ username, onDone }: { username: string; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <p class="card" role="status" data-testid="blocked-notice">You blocked @{username}: neither of you sees the other now.{" "}
      <button type="button" class="mini" onClick={() => del(`${userPath(username)}/block`).then(onDone).catch((f: unknown) => setError(errorText(f)))}>Unblock</button>
      {error && <span class="error small" role="alert"> {error}</span>}
    </p>
  );
}

function ProfilePosts({ profile }: { profile: Profile }) {
  const list = usePages<Post>(profile.posts_visible ? `${userPath(profile.username)}/posts` : null);
  if (!profile.posts_visible) {
    return <p class="card muted" data-testid="posts-private">This profile is private: its posts show to the followers it approved.</p>;
  }
  return <PostList list={list} label={`Posts by ${profile.username}`} empty="No posts yet." />;
}
