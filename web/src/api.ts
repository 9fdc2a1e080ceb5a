// The REST client: bearer tokens kept in localStorage, refreshed silently before they
// expire and once more on a 401; API errors surface as ApiError with the server's message.
// Every open tab shares one token pair: a refresh runs under a Web Lock and first reads the
// freshest stored pair (localStorage, or the copy in IndexedDB when this tab's localStorage
// has not caught up yet), so a tab never presents a refresh token another tab already
// rotated (the server treats that reuse as theft and ends the login). Other tabs adopt the
// new pair from the storage event.
import { plainWords } from "./errors";
import { readSharedPair, writeSharedPair } from "./shared-pair";
import type { Tokens } from "./types";

const BASE = "/api/v1";
const KEY = "astratrade.tokens";
const RETURNING = "astratrade.returning"; // this browser has signed someone in before
const REFRESH_LOCK = "astratrade.refresh";
const REFRESH_MARGIN = 0.8; // refresh at 80% of the access token's lifetime
const ENDED = "Your session has ended (signed out elsewhere or the password changed): log in again.";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** The pair as stored: with when (this device's clock, ms) the access token expires. */
interface Stored extends Tokens {
  expires_at?: number;
}

type Listener = (signedIn: boolean) => void;
const listeners = new Set<Listener>();
let tokens: Stored | null = load();
let refreshing: Promise<boolean> | null = null;
let timer: number | undefined;
let endedNotice: string | null = null;

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const signedIn = (): boolean => tokens !== null;
export const accessToken = (): string | null => tokens?.access_token ?? null;
/** Why the last session ended without the trader logging out (shown on the login form). */
export const sessionNotice = (): string | null => endedNotice;
export const returningUser = (): boolean => localStorage.getItem(RETURNING) !== null;

export function setTokens(next: Tokens | null): void {
  void store(next);
}

/** Keep `next` as every tab's pair; resolved once the copy the refresh lock reads is written. */
function store(next: Tokens | null): Promise<void> {
  const stored: Stored | null = next && { ...next, expires_at: Date.now() + (next.expires_in ?? 900) * 1000 };
  if (stored) {
    endedNotice = null;
    localStorage.setItem(KEY, JSON.stringify(stored));
    localStorage.setItem(RETURNING, "1");
  } else {
    localStorage.removeItem(KEY);
  }
  adopt(stored);
  return writeSharedPair(stored);
}

/** Take a pair (ours or another tab's) without writing it back: schedule its refresh. */
function adopt(next: Stored | null): void {
  const was = tokens !== null;
  tokens = next;
  window.clearTimeout(timer);
  if (next) {
    const lifetime = (next.expires_in ?? 900) * 1000;
    const due = (next.expires_at ?? Date.now()) - lifetime * (1 - REFRESH_MARGIN) - Date.now();
    timer = window.setTimeout(() => void refresh(), Math.max(0, due));
  }
  if (was || next) listeners.forEach((listener) => listener(next !== null));
}

/** The session is over and no refresh can bring it back: to the login form, saying why. */
export function endSession(notice = ENDED): void {
  if (!tokens) return;
  endedNotice = notice;
  setTokens(null);
}

// Another tab refreshed, logged in or out: follow it.
window.addEventListener("storage", (event) => {
  if (event.key !== KEY && event.key !== null) return;
  const next = load();
  if (next?.refresh_token === tokens?.refresh_token) return;
  adopt(next);
});

const withRefreshLock = (task: () => Promise<boolean>): Promise<boolean> =>
  typeof navigator.locks?.request === "function"
    ? navigator.locks.request(REFRESH_LOCK, task).then((done) => done)
    : task();

/** A new token pair from the refresh token; false if it is refused (and then signed out). */
export function refresh(): Promise<boolean> {
  if (!tokens) return Promise.resolve(false);
  const mine = tokens.refresh_token;
  refreshing ??= withRefreshLock(async () => {
    try {
      const stored = load();
      if (!stored) {
        adopt(null); // another tab logged out
        return false;
      }
      // The later of the two copies: the shared one is ahead when another tab rotated the
      // pair just before this one took the lock; localStorage is ahead of a shared copy a
      // sign-in has not finished writing.
      const shared = await readSharedPair<Stored>();
      const current = shared && (shared.expires_at ?? 0) > (stored.expires_at ?? 0) ? shared : stored;
      if (current.refresh_token !== mine) {
        adopt(current); // another tab refreshed while this one waited
        return true;
      }
      const answer = await fetch(`${BASE}/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: mine }),
      });
      if (!answer.ok) {
        if (answer.status === 401 || answer.status === 403) endSession();
        return false;
      }
      await store((await answer.json()) as Tokens); // written before the lock is released
      return true;
    } catch {
      return false; // offline: try again on the next request
    } finally {
      refreshing = null;
    }
  });
  return refreshing;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const send = () =>
    fetch(BASE + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(tokens ? { authorization: `Bearer ${tokens.access_token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const authenticated = !path.startsWith("/auth/");
  if (authenticated && !tokens) throw new ApiError(401, "signed_out", ENDED);
  let answer = await send();
  // A 401 is worth one refresh; still refused after it, the session is over. (A refresh
  // that could not reach the server keeps the session: the next request tries again.)
  if (answer.status === 401 && authenticated && tokens && (await refresh())) {
    answer = await send();
    if (answer.status === 401) endSession();
  }
  if (answer.status === 204) return undefined as T;
  const data: unknown = await answer.json().catch(() => null);
  if (!answer.ok) throw toError(answer.status, data, Number(answer.headers.get("retry-after")) || undefined);
  return data as T;
}

function toError(status: number, data: unknown, retryAfter?: number): ApiError {
  const error = (data as { error?: { code?: string; message?: string; field?: string } })?.error;
  if (error?.message) return new ApiError(status, error.code ?? "error", error.message, error.field, retryAfter);
  if (status === 429) return new ApiError(status, "rate_limited", "try again shortly", undefined, retryAfter);
  return new ApiError(status, "error", `The server answered ${status}.`);
}

export const get = <T>(path: string) => request<T>("GET", path);
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {});
export const put = <T>(path: string, body: unknown) => request<T>("PUT", path, body);
export const del = <T>(path: string) => request<T>("DELETE", path);

export async function logIn(username: string, password: string): Promise<void> {
  setTokens(await post<Tokens>("/auth/login", { username, password }));
}

export async function logOut(): Promise<void> {
  const current = tokens;
  setTokens(null);
  if (current) {
    await fetch(`${BASE}/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${current.access_token}` },
      body: JSON.stringify({ refresh_token: current.refresh_token }),
    }).catch(() => undefined);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return plainWords(error.code, error.message, error.retryAfter);
  return "The platform could not be reached: check your connection and try again.";
}

// Restart the refresh timer for a pair found in storage (one of unknown age: refresh now).
adopt(tokens);
