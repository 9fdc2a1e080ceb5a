// The REST client: bearer tokens kept in localStorage, refreshed silently before they
// expire and once more on a 401; API errors surface as ApiError with the server's message.
import type { Tokens } from "./types";

const BASE = "/api/v1";
const KEY = "astratrade.tokens";
const REFRESH_MARGIN = 0.8; // refresh at 80% of the access token's lifetime

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Listener = (signedIn: boolean) => void;
const listeners = new Set<Listener>();
let tokens: Tokens | null = load();
let refreshing: Promise<boolean> | null = null;
let timer: number | undefined;

function load(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
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

export function setTokens(next: Tokens | null): void {
  tokens = next;
  window.clearTimeout(timer);
  if (next) {
    localStorage.setItem(KEY, JSON.stringify(next));
    const seconds = next.expires_in ?? 900;
    timer = window.setTimeout(() => void refresh(), seconds * 1000 * REFRESH_MARGIN);
  } else {
    localStorage.removeItem(KEY);
  }
  listeners.forEach((listener) => listener(next !== null));
}

/** A new token pair from the refresh token; false (and signed out) if it is refused. */
export function refresh(): Promise<boolean> {
  if (!tokens) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const answer = await fetch(`${BASE}/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: tokens?.refresh_token }),
      });
      if (!answer.ok) {
        if (answer.status === 401) setTokens(null);
        return false;
      }
      setTokens((await answer.json()) as Tokens);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
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
  let answer = await send();
  if (answer.status === 401 && tokens && !path.startsWith("/auth/") && (await refresh())) {
    answer = await send();
  }
  if (answer.status === 204) return undefined as T;
  const data: unknown = await answer.json().catch(() => null);
  if (!answer.ok) throw toError(answer.status, data);
  return data as T;
}

function toError(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: string; message?: string; field?: string } })?.error;
  if (error?.message) return new ApiError(status, error.code ?? "error", error.message, error.field);
  if (status === 429) return new ApiError(status, "rate_limited", "Too many requests: try again shortly.");
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
  if (error instanceof ApiError) return error.message;
  return "The platform could not be reached: check your connection and try again.";
}

// Restart the refresh timer for tokens found in storage (their lifetime is unknown: refresh now).
if (tokens) void refresh();
