// The badges context's shapes as the client reads them (docs/badges.md), and how to read
// its public routes: a badge's metadata, image, credential and the JWK set need no login,
// so a signed-out visitor's share page reads them with a plain fetch.
import { get, signedIn } from "./api";
import { hrefOf } from "./route";

export interface Badge {
  token_id: string; // uint256 in decimal
  achievement: string;
  name: string;
  description: string;
  earned_at: string;
  level: number; // the holder's level when it was earned
  revoked: boolean;
  image: string;
  metadata: string;
  credential: string;
}

export type MintStatus = "off_chain" | "pending" | "submitted" | "confirmed" | "failed" | (string & {});

export interface OwnBadge extends Badge {
  mint_status: MintStatus;
  mint_note: string;
}

/** The ERC-721 metadata JSON (with ERC-5192's `locked`), as GET /badges/{token_id} gives it. */
export interface Metadata {
  name: string;
  description: string;
  image: string;
  attributes: { trait_type: string; value: string | number; display_type?: string }[];
  locked: boolean;
  earned_at: string;
  credential: string;
}

export interface AchievementDoc {
  name: string;
  description: string;
  criteria: { narrative: string };
}

const TOKEN_ID = /^(0|[1-9][0-9]{0,77})$/;
export const isTokenId = (text: string): boolean => TOKEN_ID.test(text);

export const badgeHref = (tokenId: string): string => hrefOf("badges", tokenId);
/** The public address anyone can open, signed in or not. */
export const shareUrl = (tokenId: string): string => `${location.origin}/${badgeHref(tokenId)}`;

/**
 * A public route's document under this origin. The server names its documents by the
 * platform's configured public address; the client reads the same path from wherever it
 * was loaded (what it reads is checked by signature, not by where it came from).
 */
export function samePath(url: string): string {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
}

export class PublicError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function publicFetch(url: string, accept = "application/json"): Promise<Response> {
  const answer = await fetch(samePath(url), { headers: { accept } });
  if (!answer.ok) {
    const data = (await answer.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new PublicError(answer.status, data?.error?.message ?? `The server answered ${answer.status}.`);
  }
  return answer;
}

export const publicJson = async <T>(url: string): Promise<T> => (await (await publicFetch(url)).json()) as T;

/** A trader's badges: with the session when there is one (a private profile's owner sees its own). */
export const badgesOf = (username: string): Promise<{ items: Badge[] }> =>
  signedIn()
    ? get<{ items: Badge[] }>(`/users/${encodeURIComponent(username)}/badges`)
    : publicJson<{ items: Badge[] }>(`/api/v1/users/${encodeURIComponent(username)}/badges`);

export const MINT_WORDS: Record<string, string> = {
  off_chain: "Off-chain",
  pending: "Mint queued",
  submitted: "Minting",
  confirmed: "On-chain",
  failed: "Mint failed",
};
export const mintWords = (status: MintStatus): string => MINT_WORDS[status] ?? status;

/** An attribute of the metadata by its trait type. */
export const trait = (meta: Metadata, name: string): string | number | undefined =>
  meta.attributes.find((a) => a.trait_type === name)?.value;

/** One mint of the admins' queue (GET /admin/badges/mints). */
export interface QueuedMint {
  token_id: string;
  achievement: string;
  username: string | null; // null until the holder's sign-up is known
  to: string; // the wallet
  status: MintStatus;
  attempts: number;
  tx_hash: string | null;
  reason: string | null; // why the last attempt failed
  due_at: string | null; // when a failed mint is tried again
  updated_at: string;
}

/** The queue's states an admin can filter by (an off-chain badge has no mint). */
export const QUEUE_STATUSES = ["pending", "submitted", "confirmed", "failed"] as const;
