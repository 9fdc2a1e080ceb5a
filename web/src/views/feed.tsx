// The social screen: the home feed (the people followed and oneself), live over the
// WebSocket `feed` channel, with the composer on top; or one market's feed ($BTC posts).
// Older items come with "Load more" (cursor paging); while the socket is down (or the
// channel is not served) the first page is read again now and then.
import { useEffect, useState } from "preact/hooks";
import { get } from "../api";
import { subscribe } from "../live";
import { usePages, type Paged } from "../paging";
import { hrefOf, useRoute } from "../route";
import { merged, type Page, type Post } from "../social";
import { useStore } from "../store";
import { Composer } from "./composer";
import { PostList } from "./posts";

const FALLBACK_POLL_MS = 15_000;

export function FeedView() {
  const [, kind, market] = useRoute();
  const markets = useStore((s) => s.markets);
  const shown = kind === "market" && markets.some((m) => m.market === market) ? market : null;
  return (
    <div class="social">
      <SocialNav current={shown ? "market" : "home"} />
      {shown ? <MarketFeed market={shown} /> : <HomeFeed />}
    </div>
  );
}

/** Home, a market's feed, one's profile, copy trading (leaders, one's leading, one's
 * copies), and the moderators' queue for admins. */
export function SocialNav({ current }: { current: "home" | "market" | "profile" | "moderation" | "leaders" | "leading" | "copies" | "other" }) {
  const me = useStore((s) => s.me);
  const markets = useStore((s) => s.markets);
  const market = useRoute()[2];
  return (
    <nav class="card social-nav" aria-label="Social">
      <a href={hrefOf("feed")} aria-current={current === "home" ? "page" : undefined}>Home feed</a>
      <label class="inline">Market feed
        <select value={current === "market" ? market : ""} onChange={(e) => { location.hash = hrefOf("feed", "market", (e.target as HTMLSelectElement).value); }}>
          <option value="" disabled>Choose</option>
          {markets.map((m) => <option key={m.market} value={m.market}>{m.market}</option>)}
        </select>
      </label>
      <a href={hrefOf("profile")} aria-current={current === "profile" ? "page" : undefined}>My profile</a>
      <a href={hrefOf("leaders")} aria-current={current === "leaders" ? "page" : undefined}>Leaders</a>
      <a href={hrefOf("copies")} aria-current={current === "copies" ? "page" : undefined}>My copies</a>
      <a href={hrefOf("leading")} aria-current={current === "leading" ? "page" : undefined}>Leading</a>
      {me?.role === "admin" && <a href={hrefOf("moderation")} aria-current={current === "moderation" ? "page" : undefined}>Moderation</a>}
    </nav>
  );
}

function HomeFeed() {
  const list = usePages<Post>("/feed", 20, (page, before) => merged([...page, ...before]));
  const live = useStore((s) => s.live);
  const served = useLiveFeed(list);
  // Read again while the socket is down, or while no snapshot came (a deployment whose
  // hub does not serve `feed` refuses the subscription).
  useEffect(() => {
    if (live && served) return;
    const timer = window.setInterval(() => document.visibilityState === "visible" && void firstPage(list), FALLBACK_POLL_MS);
    return () => window.clearInterval(timer);
  }, [live, served]);
  return (
    <>
      <Composer onPosted={(p) => list.setItems((items) => merged([p, ...items]))} />
      <PostList list={list} label="Home feed" empty="Nothing here yet: follow traders (open a profile from a post or a leaderboard) or post something yourself." />
    </>
  );
}

function MarketFeed({ market }: { market: string }) {
  const list = usePages<Post>(`/markets/${encodeURIComponent(market)}/posts`);
  return (
    <>
      <h2 class="feed-title">{market} feed</h2>
      <PostList list={list} label={`${market} feed`} empty={`No posts tag ${market} yet: write $${market.split("-")[0]} in a post.`} />
    </>
  );
}

/** New items pushed on `feed` go on top; the snapshot (on subscribing, and after every
 * reconnect) refreshes the first page's items in place. True once a snapshot came. */
function useLiveFeed(list: Paged<Post>): boolean {
  const [served, setServed] = useState(false);
  useEffect(() => subscribe("feed", (kind, data) => {
    if (kind === "snapshot") {
      const page = data as Page<Post> | null;
      setServed(true);
      if (page?.items) list.setItems((items) => merged([...page.items, ...items]));
    } else if ((data as { type?: string } | null)?.type === "FeedItem") {
      list.setItems((items) => merged([data as Post, ...items]));
    }
  }), []);
  return served;
}

async function firstPage(list: Paged<Post>): Promise<void> {
  const page = await get<Page<Post>>("/feed?limit=20").catch(() => null);
  if (page) list.setItems((items) => merged([...page.items, ...items]));
}
