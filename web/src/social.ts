// The social context's shapes as the client reads them (docs/social.md), and the words the
// screens use for its kinds. Nothing here carries a balance or a size: the API sends none.
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Author {
  user_id: string;
  username: string;
  display_name: string;
}

export interface TradeShare {
  position_id: string;
  market: string;
  side: "long" | "short" | (string & {});
  entry_price: string;
  exit_price: string;
  roi_pct: string; // already in %: "1.25" is 1.25%
  hold_seconds: number;
}

export interface Post {
  post_id: string;
  author: Author;
  kind: "post" | "achievement" | "level" | "podium" | "leading" | (string & {});
  text: string;
  markets: string[];
  trade_share: TradeShare | null;
  created_at: string;
  edited_at: string | null;
  editable_until: string | null;
  moderation: "visible" | "pending" | "hidden" | (string & {});
  reactions: Record<string, number>;
  my_reaction: string | null;
  comments: number;
}

export interface Comment {
  comment_id: string;
  post_id: string;
  author: Author;
  text: string;
  created_at: string;
  moderation: string;
}

export interface Profile {
  user_id: string;
  username: string;
  display_name: string;
  bio: string;
  visibility: "public" | "private" | (string & {});
  level: number;
  xp_rank: number | null;
  achievements: string[];
  badges: string[]; // empty until the badges context exists
  followers: number;
  following: number;
  posts_visible: boolean;
  relationship: { following: "none" | "requested" | "active" | (string & {}); follows_you: boolean; blocked: boolean } | null;
  automatic_items: Record<string, boolean> | null; // one's own only
  moderation: string | null; // one's own only
  suspended: boolean | null;
}

export interface Person {
  user_id: string;
  username: string;
  display_name: string;
  since: string | null;
}

export interface BlockedPerson {
  user_id: string;
  username: string;
  display_name: string;
  blocked_at: string;
}

export interface FollowRequest {
  request_id: string;
  user_id: string;
  username: string;
  display_name: string;
  requested_at: string;
}

export interface Shareable {
  trade_share: TradeShare;
  closed_at: string;
}

export interface AdminReport {
  report_id: string;
  reporter: string;
  target_type: "post" | "comment" | "profile" | (string & {});
  target_id: string;
  owner: string;
  reason: string;
  created_at: string;
  status: string;
  resolution: string | null;
  target_state: string;
  target_text: string;
  open_reports: number;
}

// Words rather than emoji: the client uses the system's fonts only, and not every system
// has an emoji font.
export const REACTIONS = [
  { kind: "like", label: "Like" },
  { kind: "fire", label: "Fire" },
  { kind: "rocket", label: "Rocket" },
  { kind: "insight", label: "Insight" },
] as const;

export const REASONS = [
  { reason: "spam", label: "Spam" },
  { reason: "scam", label: "Scam or fraud" },
  { reason: "abuse", label: "Abuse or harassment" },
  { reason: "manipulation", label: "Market manipulation" },
  { reason: "other", label: "Something else" },
] as const;

export const AUTOMATIC_ITEMS = [
  { kind: "achievement", label: "Achievements I unlock" },
  { kind: "level", label: "Levels I reach" },
  { kind: "podium", label: "Tournament podiums" },
  { kind: "leading", label: "Starting to lead copy trading" },
] as const;

export const POST_LIMIT = 500; // characters (code points), docs/social.md
export const COMMENT_LIMIT = 280;
export const NAME_LIMIT = 40;
export const BIO_LIMIT = 280;

/** `path` with the page's cursor and size. */
export function paged(path: string, cursor: string | null, limit = 20): string {
  const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  return `${path}${path.includes("?") ? "&" : "?"}${query}`;
}

export const userPath = (username: string): string => `/profiles/${encodeURIComponent(username)}`;

/** How many code points: the server counts characters that way, not UTF-16 units. */
export const length = (text: string): number => [...text].length;

/** A hold time in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function holdTime(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** When, briefly: "just now", "5 min ago", "3 h ago", then the date. */
export function ago(at: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(at).toLocaleDateString();
}

/** Newest first, by (created_at, post_id) as the API orders them; one copy of each. */
export function merged(posts: Post[]): Post[] {
  const byId = new Map<string, Post>();
  for (const p of posts) if (!byId.has(p.post_id)) byId.set(p.post_id, p);
  return [...byId.values()].sort((a, b) =>
    a.created_at === b.created_at ? (a.post_id < b.post_id ? 1 : -1) : new Date(b.created_at).getTime() - new Date(a.created_at).getTime());
}
